"""The notice's document text: 工作要求 (written by the analyst, audited, the draft follows), the
NoticeSettings row (主送, 版记, contact), the 12-month trend and the score rules in the snapshot."""
import re
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from scorecard.accounts.models import AuditLog
from scorecard.notices import selectors, services
from scorecard.notices.models import Notice, NoticeSettings
from scorecard.notices.renderer import render_notice_pdf
from tests.fixtures.cycle import after_appeal_window

from .conftest import MONTH

pytestmark = pytest.mark.django_db

REQUIREMENTS = "各单位要于11月15日前完成TQ0001台区过载整改。\n长沙公司要加强频繁停电投诉的回访。"


def pdf_text(notice: Notice) -> str:
    out = subprocess.run(["pdftotext", str(Path(notice.file.path)), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


@pytest.fixture
def draft(month_data, users) -> Notice:
    notice = services.request_generation(month=MONTH, user=users["analyst"])
    return services.render_notice(notice_id=notice.pk)


def test_the_snapshot_carries_the_document_the_trend_and_the_score_rules(draft, tmp_path):
    s = draft.snapshot
    assert s["schema"] == 3
    assert s["document"]["recipients"] == "各地市供电公司，省公司各专业部门" and s["document"]["requirements"] == ""
    assert s["document"]["issuer"] == s["issuer"]
    assert [t["month"] for t in s["trend"]][-3:] == ["2024-08", "2024-09", "2024-10"] and len(s["trend"]) == 12
    assert [t["total"] for t in s["trend"]][-2:] == [1, s["profile"]["total"]] == [1, 6]
    assert s["load_profile"] is None  # the grid data has no hourly load: the peak sentence names hours only
    assert {d["code"] for d in s["score_rules"]["definitions"]["unit"]} >= {"per_10k", "on_time_rate"}
    assert s["score_rules"]["band_points"]["A"] == 100
    # The worked example of the appendix is kpis' own explanation (the department page's) of the first city.
    top = s["scorecard"]["units"][0]
    example = s["score_rules"]["examples"]["unit"]
    assert example["unit"] == top["unit"] and example["kpi_score"] == top.get("kpi_score", top["score"])
    assert example["definitions_changed"] is False
    assert [line["code"] for line in example["lines"]] == [d["code"] for d in s["score_rules"]["definitions"]["unit"]]
    text = pdf_text(draft)
    assert f"计算示例（{top['unit']}）：" in text and f"＝指标得分{example['kpi_score']:.2f}分" in text
    assert "各地市供电公司，省公司各专业部门：" in text and "工作要求尚未填写" in text
    assert "用电负荷" not in text and "投诉高峰时段为19时、11时。" in text
    # The scorecard has both bases now (#13): the summary says which one each figure is. (Read from the
    # same snapshot without the draft's diagonal mark, which pdftotext threads through the lines.)
    clean = tmp_path / "clean.pdf"
    clean.write_bytes(render_notice_pdf({**s, "draft": False}))
    clean_text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(clean), "-"], check=True, capture_output=True,
                                                    text=True).stdout)
    assert "全省共受理95598客户投诉6件（受理口径），较上月增加5件，上月1件，环比上升500.00%；" in clean_text
    assert "纳入考核的投诉（考核口径）6件，本月无经核实不属实、无责或降级为意见而剔除的投诉。" in clean_text


def test_writing_the_requirements_re_renders_the_draft_and_is_audited(draft, users):
    before = draft.sha256
    notice = services.set_requirements(notice=draft, text=f"  {REQUIREMENTS}  \n", user=users["analyst"])
    assert notice.requirements == REQUIREMENTS
    assert notice.sha256 != before and services.file_intact(notice)
    assert notice.snapshot["document"]["requirements"] == REQUIREMENTS
    # The figures did not move; the stored snapshot still re-derives the file.
    assert selectors.figures_digest(notice.snapshot) == selectors.figures_digest(draft.snapshot)
    assert services.hashlib.sha256(render_notice_pdf(notice.snapshot)).hexdigest() == notice.sha256
    text = pdf_text(notice)
    assert "各单位要于11月15日前完成TQ0001台区过载整改。长沙公司要加强频繁停电投诉的回访。" in text
    log = AuditLog.objects.get(action="notice.requirements")
    assert (log.user, log.before, log.after["requirements"]) == (users["analyst"], {"requirements": ""}, REQUIREMENTS)
    assert selectors.publish_warnings(notice) == []


def test_publication_prints_the_requirements_the_signature_and_the_date(draft, users):
    services.set_requirements(notice=draft, text=REQUIREMENTS, user=users["analyst"])
    after_appeal_window()
    published = services.publish_notice(notice=Notice.objects.get(pk=draft.pk), user=users["analyst"])
    day = services.timezone.localdate(published.published_at)
    date = f"{day.year}年{day.month}月{day.day}日"
    text = pdf_text(published)
    issuer = published.snapshot["document"]["issuer"]
    assert "各地市供电公司，省公司各专业部门：" in text
    assert "工作要求各单位要于11月15日前完成TQ0001台区过载整改。" in text
    assert f"{issuer}{date}" in text and f"{date}印发" in text and "征求意见稿" not in text
    with pytest.raises(ValidationError, match="已发布的通报不可修改工作要求"):
        services.set_requirements(notice=published, text="改", user=users["analyst"])
    log = AuditLog.objects.get(action="notice.publish")
    assert log.after["requirements"] is True and log.after["warnings"] == []


def test_publishing_without_requirements_warns_but_publishes(draft, users, client, capsys):
    client.force_login(users["analyst"])
    page = client.get(reverse("notices:list")).content.decode()
    assert "本期通报未填写工作要求" in page and reverse("notices:requirements", args=[draft.pk]) in page
    after_appeal_window()
    call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi")
    assert "注意：本期通报未填写工作要求" in capsys.readouterr().err
    published = Notice.objects.get(pk=draft.pk)
    assert published.status == "published"
    assert "、工作要求" not in pdf_text(published)  # no empty section in the published document
    log = AuditLog.objects.get(action="notice.publish")
    assert log.after["requirements"] is False and "未填写工作要求" in log.after["warnings"][0]


def test_the_web_publish_flashes_the_warning(draft, users, client):
    client.force_login(users["analyst"])
    after_appeal_window()
    response = client.post(reverse("notices:publish", args=[draft.pk]), follow=True)
    assert "本期通报未填写工作要求" in response.content.decode()


def test_the_requirements_form_is_the_analysts(draft, users, client):
    url = reverse("notices:requirements", args=[draft.pk])
    client.force_login(users["head"])
    assert client.post(url, {"requirements": "x"}).status_code == 403
    client.force_login(users["analyst"])
    response = client.post(url, {"requirements": REQUIREMENTS}, follow=True)
    assert "已保存 2024-10 通报第1版的工作要求" in response.content.decode()
    assert Notice.objects.get(pk=draft.pk).requirements == REQUIREMENTS
    response = client.post(url, {"requirements": "长" * 3001}, follow=True)
    assert "工作要求不能超过3000字" in response.content.decode()


def test_a_running_render_refuses_the_requirements(month_data, users):
    notice = services.request_generation(month=MONTH, user=users["analyst"])  # pending
    with pytest.raises(ValidationError, match="通报正在生成"):
        services.set_requirements(notice=notice, text=REQUIREMENTS, user=users["analyst"])


def test_a_correction_starts_from_the_published_requirements(draft, users):
    services.set_requirements(notice=draft, text=REQUIREMENTS, user=users["analyst"])
    after_appeal_window()
    services.publish_notice(notice=Notice.objects.get(pk=draft.pk), user=users["analyst"])
    correction = services.request_generation(month=MONTH, user=users["analyst"], correction_note="更正株洲投诉件数")
    assert correction.version == 2 and correction.requirements == REQUIREMENTS


def test_the_settings_are_read_without_writing_and_saved_with_an_audit_record(draft, users):
    assert NoticeSettings.current().pk is None and not NoticeSettings.objects.exists()
    row = NoticeSettings.current()
    row.recipients, row.copy_to, row.contact = "各市州供电公司", "省公司营销部", "联系人：李强，电话：0731-1"
    services.save_notice_settings(obj=row, user=users["analyst"])
    log = AuditLog.objects.get(action="notice.settings")
    assert log.before is None and log.after["recipients"] == "各市州供电公司"
    notice = services.request_generation(month=MONTH, user=users["analyst"])
    notice = services.render_notice(notice_id=notice.pk)
    text = pdf_text(notice)
    assert "各市州供电公司：" in text and "抄送：省公司营销部。" in text and "（联系人：李强，电话：0731-1）" in text
