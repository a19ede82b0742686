"""``early_warning --month YYYY-MM --json`` (docs/interfaces.md): the JSON's shape, a read-out that stores
nothing unless --write, the table; the task the beat job sends on the 1st."""
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from scorecard.accounts.models import AuditLog
from scorecard.core import freshness
from scorecard.kpis import risk, risk_reasons, tasks
from scorecard.kpis.models import RiskEntry, RiskList
from tests.fixtures.risk_world import JUNE

pytestmark = pytest.mark.django_db

DISTRICT_KEYS = ["code", "station", "manager", "probability", "reasons"]
BACKTEST_KEYS = ["month", "k", "model_precision", "persistence_precision", "last_year_precision", "model_recall",
                 "persistence_recall", "last_year_recall", "lift"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args) -> str:
    out = StringIO()
    call_command("early_warning", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_list_and_the_backtest_in_the_agreed_shape(risk_province):
    data = json.loads(run("--month", "2024-06", "--json"))
    assert list(data) == ["month", "data_version", "model", "districts", "backtest"]
    assert data["month"] == "2024-06" and data["data_version"] == freshness.current()
    assert data["model"] in risk.MODELS
    assert len(data["districts"]) == 41     # 长沙's 40 and 株洲's TQZ01
    assert all(list(d) == DISTRICT_KEYS for d in data["districts"])
    probabilities = [d["probability"] for d in data["districts"]]
    assert probabilities == sorted(probabilities, reverse=True)
    stations = {d["code"]: d["station"] for d in data["districts"]}
    assert stations["TQ001"] == "丁字供电所" and stations["TQ039"] is None
    managers = {d["code"]: d["manager"] for d in data["districts"]}
    assert (managers["TQ001"], managers["TQ002"], managers["TQ003"]) == ("张伟（GW001）", "王芳", None)
    assert {m for code, m in managers.items() if code > "TQ003"} == {None}  # nobody recorded for the others
    assert all(isinstance(r, str) for d in data["districts"] for r in d["reasons"])
    assert len(data["backtest"]) == 18 and all(list(r) == BACKTEST_KEYS for r in data["backtest"])
    assert [r["k"] for r in data["backtest"][:3]] == [50, 100, 200]
    # A read-out: nothing stored, nothing audited; the same data prints the same list.
    assert not RiskList.objects.exists() and not AuditLog.objects.filter(action="risk.compute").exists()
    assert json.loads(run("--month", "2024-06", "--json")) == data


def test_write_stores_the_list_and_the_read_out_then_serves_it(risk_province):
    fresh = json.loads(run("--month", "2024-06", "--json", "--top", "5"))
    assert len(fresh["districts"]) == 5
    stored = json.loads(run("--month", "2024-06", "--json", "--write", "--top", "5"))
    assert stored == fresh
    rl = RiskList.objects.get(month=JUNE)
    assert rl.data_version == freshness.current() and rl.entries.count() == 41
    assert AuditLog.objects.get(action="risk.compute").after["reason"] == "command --write"


def test_it_prints_a_table_with_reasons_and_the_backtest(risk_province):
    out = run("--month", "2024-06", "--top", "3")
    lines = out.splitlines()
    assert lines[0].startswith("2024-06 投诉风险清单（模型 ") and "3 个台区" in lines[0]
    assert lines[1].split()[0] == "1" and "回测" in lines[4] and len(lines) == 5 + 18


@pytest.mark.parametrize("args, message", [
    (["--month", "2024-13"], "--month"),
    (["--month", "2024-06", "--top", "0"], "--top"),
])
def test_it_refuses_bad_arguments_naming_them(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_task_computes_the_month_and_the_beat_sends_it_on_the_first(risk_province):
    assert tasks.compute_risk_list.run("2024-06-01", "test") == "2024-06-01"
    assert RiskList.objects.get().month == JUNE
    beat = PeriodicTask.objects.select_related("crontab").get(task="kpis.compute_risk_list")
    assert (beat.enabled, beat.crontab.day_of_month, beat.crontab.hour, beat.crontab.minute,
            str(beat.crontab.timezone)) == (True, "1", "3", "0", "Asia/Shanghai")
    assert beat.args in ("", "[]")   # no month: the one that starts that day


def test_the_reasons_are_printed_in_chinese_unless_another_language_is_asked_for(risk_province):
    with translation.override("en"):   # whatever the calling process has active
        zh = json.loads(run("--month", "2024-06", "--json", "--write"))
    en = json.loads(run("--month", "2024-06", "--json", "--language", "en"))
    stored = dict(RiskList.objects.get().entries.values_list("district_id", "reasons"))
    assert any(d["reasons"] for d in zh["districts"])
    for z, e in zip(zh["districts"], en["districts"], strict=True):
        assert z["code"] == e["code"] and len(z["reasons"]) == len(e["reasons"]) == len(stored[z["code"]])
        assert all(CJK.search(r) for r in z["reasons"]) and not any(CJK.search(r) for r in e["reasons"])
        with translation.override("zh-hans"):
            assert z["reasons"] == risk_reasons.texts(stored[z["code"]])
    assert {k: v for k, v in zh.items() if k != "districts"} == {k: v for k, v in en.items() if k != "districts"}
    with pytest.raises(CommandError, match="--language"):
        run("--month", "2024-06", "--language", "fr")


def test_a_list_stored_with_chinese_words_is_printed_as_it_was(risk_province):
    rl = RiskList.objects.create(month=JUNE, data_version=freshness.current(), model="logistic_regression",
                                 created_at=timezone.now())
    RiskEntry.objects.create(risk_list=rl, district_id="TQ001", rank=1, probability=0.8,
                             reasons=["近3月负载率上升至96%", "去年同月3户投诉"])
    data = json.loads(run("--month", "2024-06", "--json", "--language", "en"))
    assert [(d["code"], d["reasons"]) for d in data["districts"]] == [("TQ001", ["近3月负载率上升至96%", "去年同月3户投诉"])]
