"""kpis.selectors.score_explanation: value → band → points × weight, the total, deductions, ties, rank
changes and a unit with nothing to rate (issue #14). Figures derived by hand from the seeded definitions
(department level: per_10k 30, repeat 15, on-time 20, hours 10, satisfaction 15, ack 5, rectification 5)."""
import pytest
from django.test import Client

from scorecard.kpis.models import KpiDefinition
from scorecard.kpis.selectors import score, score_explanation

pytestmark = pytest.mark.django_db

FIGURES = {"complaints": 10, "per_10k": 0.07, "repeat_rate": 0.0, "on_time_rate": 96.0,
           "avg_resolution_hours": 30.0, "satisfaction_rate": None, "ack_rate": 100.0,
           "rectification_items": 0, "rectification_on_time_rate": None}


def defs():
    return list(KpiDefinition.objects.filter(level="department", active=True))


def row(figures=FIGURES, **extra):
    value, bands, by_rule = score(figures, defs())
    return {**figures, "bands": bands, "scored_by_rule": by_rule, "kpi_score": value, "score": value,
            "deductions": [], "deduction_points": 0.0, "rank": 2, "previous_rank": None, "rank_change": None,
            **extra}


def test_it_shows_each_kpi_value_band_points_and_weight_and_the_total():
    e = score_explanation(row(), defs())
    lines = {ln["code"]: ln for ln in e["lines"]}
    # per_10k 0.07: not ≤ 0.05 (A), ≤ 0.10 → B, 80 points × 30 = 2,400.
    assert (lines["per_10k"]["value_text"], lines["per_10k"]["band"], lines["per_10k"]["points"],
            lines["per_10k"]["weighted"]) == ("0.07", "B", 80, 2400.0)
    assert [c["text"] for c in lines["per_10k"]["cutoffs"]] == ["A ≤ 0.05", "B ≤ 0.10", "C ≤ 0.20", "D ≤ 0.40"]
    assert [c["text"] for c in lines["on_time_rate"]["cutoffs"]][0] == "A ≥ 99.00"
    assert lines["on_time_rate"]["band"] == "C"  # 96: not ≥ 97 (B), ≥ 95 → C
    # satisfaction: complaints but no callbacks → missing data, band E by rule; rectification: nothing due → A.
    assert (lines["satisfaction_rate"]["band"], lines["satisfaction_rate"]["by_rule"]) == ("E", "缺少数据，按最低档计")
    assert lines["rectification_on_time_rate"]["by_rule"] == "无可考核数据，按满分计"
    assert lines["per_10k"]["by_rule"] is None
    # 30×80 + 15×100 + 20×60 + 10×80 + 15×20 + 5×100 + 5×100 = 7,200 over 100 → 72.00, as score() says.
    assert (e["weighted_sum"], e["total_weight"], e["kpi_score"], e["score"]) == (7200.0, 100.0, 72.0, 72.0)
    assert not e["definitions_changed"] and not e["nothing_to_rate"]
    assert "指标得分 = Σ(档位分 × 权重) ÷ Σ权重 = 7,200.00 ÷ 100.00 = 72.00。" in e["sentences"]


def test_it_subtracts_the_deductions_never_below_zero():
    items = [{"kind": "major", "label": "重大服务事件", "points": 50.0, "date": "2024-07-03", "reason": "x"},
             {"kind": "minor", "label": "一般事件", "points": 30.0, "date": "2024-07-09", "reason": "y"}]
    e = score_explanation(row(deductions=items, deduction_points=80.0, score=0.0), defs())
    assert (e["kpi_score"], e["deduction_points"], e["score"], len(e["deductions"])) == (72.0, 80.0, 0.0, 2)
    assert "扣减考核扣分 2 项共 80.00 分，得分 = max(0, 72.00 − 80.00) = 0.00。" in e["sentences"]
    # Without the deduction fields (a card before #13): the score is the KPI score.
    bare = {k: v for k, v in row().items() if k not in ("deductions", "deduction_points", "kpi_score")}
    assert score_explanation(bare, defs())["score"] == 72.0


def test_a_unit_with_nothing_to_rate_is_said_to_be_one():
    empty = {"complaints": 0, "per_10k": 0.0, "repeat_rate": None, "on_time_rate": None,
             "avg_resolution_hours": None, "satisfaction_rate": None, "ack_rate": None,
             "rectification_items": 0, "rectification_on_time_rate": None}
    e = score_explanation(row(empty, rank=1), defs())
    assert e["nothing_to_rate"] and e["score"] == 100.0
    assert any("仅因无投诉而得" in s for s in e["sentences"])
    # A bare figures dict (no bands yet) is scored by the same rule.
    assert score_explanation(empty, defs())["kpi_score"] == 100.0


def test_it_explains_ties_with_the_names_the_viewer_may_see():
    e = score_explanation(row(rank=3), defs(), tied_with=["国网株洲供电公司", "国网湘潭供电公司"], tied_count=2)
    assert "与国网株洲供电公司、国网湘潭供电公司同为 72.00 分，并列第 3 名：同分同名次，其后的名次顺延（如 1、2、2、4）。" \
        in e["sentences"]
    hidden = score_explanation(row(rank=3), defs(), tied_with=[], tied_count=2)
    assert any("与另外 2 个单位同为 72.00 分" in s for s in hidden["sentences"])
    assert not any("并列" in s for s in score_explanation(row(), defs())["sentences"])


def test_it_explains_a_rank_change_kpi_by_kpi():
    before = row({**FIGURES, "on_time_rate": 99.5, "per_10k": 0.04})  # on-time A, per_10k A: 30×100 + 20×100
    e = score_explanation(row(rank=5, previous_rank=2, rank_change=-3), defs(), previous=before)
    lines = {ln["code"]: ln for ln in e["lines"]}
    assert (lines["on_time_rate"]["previous_band"], lines["on_time_rate"]["change"]) == ("A", -8.0)
    assert (lines["per_10k"]["previous_band"], lines["per_10k"]["change"]) == ("A", -6.0)
    assert lines["repeat_rate"]["change"] == 0.0
    assert before["score"] - e["score"] == 14.0
    assert "上月第 2 名，本月第 5 名，下降 3 名。" in e["sentences"]
    assert any(s.startswith("得分较上月 86.00 变化 -14.00。档位变化：按时办结率(%) A→C（-8.00）；万户投诉量 A→B（-6.00）")
               for s in e["sentences"])


def test_the_department_page_shows_the_explanation(world):
    client = Client()
    client.force_login(world.users["dept_head"])
    page = client.get(f"/scorecard/unit/{world.a.pk}/yj/", {"month": "2024-07"}).content.decode()
    assert 'id="score-explanation"' in page and "档位分×权重" in page and "指标得分 = Σ(档位分 × 权重)" in page
