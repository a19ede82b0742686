"""The notice as an official document (schema 3, GB/T 9704 layout), on hand-built snapshots.

pdffonts / pdftotext / pdfimages come from Debian's poppler-utils; the faces from
fonts-arphic-uming, fonts-arphic-ukai and fonts-wqy-zenhei.
"""
import copy
import re
import subprocess
from pathlib import Path

import pytest

from scorecard.notices import renderer
from scorecard.notices.renderer import FontMissing, render_notice_pdf

from tests.fixtures.notice_sample import official_snapshot, sample_snapshot, unit_name


def run(*cmd) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def flat_text(path: Path) -> str:
    return re.sub(r"\s+", "", run("pdftotext", str(path), "-"))


def render(tmp_path: Path, snap: dict, name: str = "notice.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(render_notice_pdf(snap))
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("official"), official_snapshot())


@pytest.fixture(scope="module")
def text(published) -> str:
    return flat_text(published)


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_it_embeds_a_serif_a_sans_and_a_kai_face_and_nothing_else(published):
    rows = run("pdffonts", str(published)).splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
        assert not re.search(r"Helvetica|Times|Courier|Symbol|ZapfDingbats", row), row
    names = " ".join(r.split()[0] for r in rows)
    assert "UMingCN" in names  # 明/宋 serif: title, body, tables
    assert "WenQuanYiZenHei" in names  # 黑体: first-level headings, table headers, charts
    assert "UKaiCN" in names  # 楷体: second-level headings


def test_the_charts_are_drawn_not_pictures(published, text):
    assert run("pdfimages", "-list", str(published)).splitlines()[2:] == []
    for caption in ("图1近12个月受理投诉件数", "图2投诉分类构成", "图3各时段受理投诉件数", "图4地市公司对比"):
        assert caption in text


def test_it_has_the_parts_of_an_official_document_in_order(text):
    parts = ["国网湘南省电力有限公司供电服务指挥中心", "〔2018〕第3期", "2018年3月95598客户投诉管控通报",
             "各地市供电公司，省公司各专业部门：", "一、总体情况", "工作要求",
             "各地市供电公司要针对频繁停电投诉集中的台区，于4月15日前完成隐患排查并报送整改计划。",
             "各专业部门要按照责任分工，对本月追责事件逐项落实整改，按期报送整改说明。", "附件：考核评分说明",
             "国网湘南省电力有限公司供电服务指挥中心2018年4月1日", "（联系人：王敏，电话：0731-85550000）",
             "附件考核评分说明", "抄送：省公司营销部、运检部、发展部、基建部、调控中心。",
             "2018年4月1日印发"]
    positions = [text.index(p) for p in parts]
    assert positions == sorted(positions), [p for p, q in zip(parts, parts[1:]) if text.index(p) > text.index(q)]
    assert "征求意见稿" not in text


def test_a_draft_says_so_in_its_signature_colophon_and_on_every_page(tmp_path):
    snap = official_snapshot(draft=True)
    snap["document"]["requirements"] = ""
    path = render(tmp_path, snap)
    pages = [p for p in run("pdftotext", str(path), "-").split("\f") if p.strip()]
    assert len(pages) > 3 and all("征求意见稿" in p for p in pages)
    flat = flat_text(path)
    assert "2018年4月1日（征求意见稿，未发布）" in flat and "征求意见稿，未印发" in flat and "印发" not in flat.replace(
        "未印发", "")
    assert "（工作要求尚未填写，发布前由分析员在通报页面填写。）" in flat


def test_a_published_notice_without_requirements_has_no_such_section(tmp_path):
    snap = official_snapshot()
    snap["document"]["requirements"] = "  "
    flat = flat_text(render(tmp_path, snap))
    assert "、工作要求" not in flat and "尚未填写" not in flat
    assert "附件：考核评分说明" in flat  # the rest of the document is unchanged


def test_the_change_is_given_with_last_periods_figure(text):
    assert ("全省共受理95598客户投诉1,245件，较上月增加137件，上月1,108件，环比上升12.36%；"
            "较去年同月减少67件，去年同月1,312件，同比下降5.11%。") in text


@pytest.mark.parametrize("total, previous, pct, expected", [
    (708, 120, 490.0, "较上月增加588件，上月120件，环比上升490.00%"),
    (100, 120, -16.67, "较上月减少20件，上月120件，环比下降16.67%"),
    (120, 120, 0.0, "与上月持平（上月120件）"),
    (5, 0, None, "上月无投诉，环比无可比数据"),
])
def test_it_words_the_month_on_month_change(total, previous, pct, expected):
    assert renderer.change_clause(total, previous, pct, what="环比", before="上月") == expected


def test_without_hourly_load_data_it_names_the_peak_hours_only(text):
    assert "投诉高峰时段为19时、11时、17时。" in text
    assert "用电负荷" not in text


LOAD = [40, 35, 32, 30, 30, 33, 45, 60, 70, 75, 80, 82, 78, 74, 72, 76, 82, 88, 97, 100, 96, 85, 65, 50]


def test_with_hourly_load_data_that_peaks_with_the_complaints_it_says_they_coincide(tmp_path):
    snap = official_snapshot(load_profile={"hourly": LOAD})
    hourly = snap["profile"]["hourly"]
    hourly[18], hourly[20] = 40, 39  # the evening peak: 19, 11, 18 → two of three in the load peak
    snap["profile"]["peak_hours"] = sorted(range(24), key=lambda h: (-hourly[h], h))
    path = render(tmp_path, snap)
    assert "投诉高峰时段为19时、11时、18时，与用电负荷高峰（18时、19时、20时）基本吻合。" in flat_text(path)
    # The sample's own peaks (19, 11, 17) against the same load: one of three is not a match.
    assert renderer.peak_sentence(official_snapshot()["profile"]["hourly"], None, LOAD) == (
        "投诉高峰时段为19时、11时、17时；用电负荷高峰为18时、19时、20时，与投诉高峰不一致。")


def test_with_hourly_load_data_that_peaks_elsewhere_it_says_so():
    # Complaint peaks at 4, 9 and 14 o'clock (the case) against an evening load peak.
    hourly = [0] * 24
    for hour, n in ((4, 9), (9, 8), (14, 7)):
        hourly[hour] = n
    sentence = renderer.peak_sentence(hourly, None, LOAD)
    assert sentence == "投诉高峰时段为4时、9时、14时；用电负荷高峰为18时、19时、20时，与投诉高峰不一致。"
    assert renderer.peak_sentence(hourly, None, None) == "投诉高峰时段为4时、9时、14时。"
    assert renderer.peak_sentence([0] * 24, list(range(24)), LOAD) == ""  # no complaint, no peak


def test_peak_hours_never_name_an_hour_without_complaints():
    hourly = [0] * 24
    hourly[23] = 5
    assert renderer.peak_hours_of(hourly, list(range(24))) == [23]


def test_a_unit_with_nothing_to_rate_ranked_first_is_explained(text):
    ranking = section(text, "五、责任单位排名", "六、投诉热点台区")
    marketing = section(ranking, "（一）营销", "（二）")
    assert marketing.startswith("（一）营销排名地市公司") and "1国网张家界供电公司＊0" in marketing
    assert "＊当月无投诉，无数值的指标按无可考核数据规则计满分（A档）：张家界·营销。" in ranking


def test_the_idle_note_names_another_band_when_the_rule_says_so():
    rows = [{"complaints": 0, "scored_by_rule": [{"kpi": "per_10k", "band": "C", "reason": "nothing_to_rate"}]}]
    assert renderer.is_idle(rows[0]) and renderer.idle_note(rows) == "当月无投诉，无数值的指标按无可考核数据规则计C档"
    assert not renderer.is_idle({"complaints": 3, "scored_by_rule": rows[0]["scored_by_rule"]})


def test_the_rankings_have_the_per_10k_column(text):
    assert section(text, "四、地市公司排名", "五、").count("万户投诉量") >= 1
    assert section(text, "五、责任单位排名", "六、投诉热点台区").count("万户投诉量") == 5  # one per department


@pytest.mark.parametrize("cols", [
    renderer.INCIDENT_COLS,
    [renderer.Col("排名"), renderer.Col("地市公司", "l", 1), renderer.Col("投诉件数"), renderer.Col("万户投诉量"),
     renderer.Col("重复投诉率"), renderer.Col("办结及时率"), renderer.Col("满意率"), renderer.Col("考核扣分"),
     renderer.Col("综合得分"), renderer.Col("排名变化")],
])
def test_table_headers_never_wrap_inside_a_word(cols):
    rows = [["12", "国网张家界供电公司", "1,234", "12.34", "100.00%", "100.00%", "100.00%", "12.00", "100.00", "↑12"][
        :len(cols)]] * 3
    table = renderer._table(renderer._styles(), cols, rows)
    table.wrap(renderer.TEXT_W, 1000)
    for cell, col in zip(table._cellvalues[0], cols):
        cell = cell[0] if isinstance(cell, (list, tuple)) else cell
        cell.wrap(table._colWidths[cols.index(col)] - 2 * renderer.PAD, 1000)
        assert len(cell.blPara.lines) == col.head.count("\n") + 1, col.head


def test_the_incident_table_header_reads_whole(text):
    incidents = section(text, "七、供电瓶颈溯源追责", "八、")
    assert "台区编号台区名称瓶颈类型地市公司责任部门关联投诉整改期限整改状态" in incidents


def with_verification(snap: dict) -> dict:
    """The fields #13 adds to the scorecard card: 受理口径, what was excluded, deductions."""
    snap = copy.deepcopy(snap)
    for u in snap["scorecard"]["units"]:
        u.update(accepted_complaints=u["complaints"] + 3,
                 excluded={"not_valid": 1, "not_at_fault": 2, "downgraded": 0},
                 kpi_score=u["score"], deduction_points=0.0, deductions=[])
    for d in snap["scorecard"]["departments"]:
        d.update(kpi_score=d["score"], deduction_points=0.0, deductions=[])
    cs = next(u for u in snap["scorecard"]["units"] if u["unit"] == unit_name("长沙"))
    cs["deductions"] = [{"kind": "escalated", "label": "越级投诉", "points": 2.0, "date": "2018-03-12",
                         "reason": "客户越级至省公司投诉停电未通知"}]
    cs["deduction_points"], cs["score"] = 2.0, round(cs["kpi_score"] - 2.0, 2)
    return snap


def test_an_event_on_a_department_and_its_city_is_listed_once(tmp_path):
    snap = with_verification(official_snapshot())
    event = {"event_no": "KF-01", "kind": "media", "label": "媒体曝光", "points": 5.0, "date": "2018-03-20",
             "reason": "停电信息未公告被媒体报道"}
    zz = next(u for u in snap["scorecard"]["units"] if u["unit"] == unit_name("株洲"))
    yj = next(d for d in snap["scorecard"]["departments"] if d["unit"] == unit_name("株洲") and d["department"] == "运检")
    zz["deductions"], yj["deductions"] = [event], [event]
    zz["deduction_points"] = yj["deduction_points"] = 5.0
    flat = flat_text(render(tmp_path, snap))
    deductions = section(flat, "九、考核扣分", "十、工作要求")
    assert "本月考核扣分事项2项，合计扣7.00分" in deductions and deductions.count("停电信息未公告被媒体报道") == 1


def test_it_shows_both_bases_and_itemises_deductions_when_the_card_has_them(tmp_path, text):
    flat = flat_text(render(tmp_path, with_verification(official_snapshot())))
    assert "全省共受理95598客户投诉1,245件（受理口径）" in flat
    total = sum(u["complaints"] for u in official_snapshot()["scorecard"]["units"])
    assert f"纳入考核的投诉（考核口径）{total:,}件，剔除不属实14件、无责28件（地市公司受理口径合计{total + 42:,}件）" in flat
    assert "受理口径不属实无责降级为意见考核口径" in flat
    deductions = section(flat, "九、考核扣分", "十、工作要求")
    assert "本月考核扣分事项1项，合计扣2.00分" in deductions
    for cell in ("2018-03-12", "国网长沙供电公司", "越级投诉", "2.00", "客户越级至省公司投诉停电未通知"):
        assert cell in deductions
    assert "考核扣分" in section(flat, "四、地市公司排名", "五、")  # the column
    assert "综合得分＝指标得分－考核扣分，最低为0分" in flat
    # Before #13's fields exist, none of it (the plain sample).
    assert "受理口径" not in text and "考核扣分" not in text and "九、工作要求" in text


def test_the_appendix_explains_the_score(text):
    annex = text[text.index("附件考核评分说明"):]
    assert "指标得分＝Σ（档位分值×权重）÷Σ权重" in annex
    assert "A档100分、B档80分、C档60分、D档40分、E档20分" in annex
    assert "万户投诉量越低越好30.00≤0.20≤0.40≤0.80≤1.50>1.50" in annex
    assert "重复投诉率(%)越低越好15.00≤2.00≤5.00≤10.00≤15.00>15.00" in annex  # the unit level's cut-offs
    snap = official_snapshot()
    best = snap["scorecard"]["units"][0]
    example = annex[annex.index(f"计算示例（{best['unit']}）"):]
    assert f"÷权重合计100.00＝指标得分{best['score']:.2f}分" in example
    assert "并列情况：" in annex and "得分相同者并列同一名次，其后名次顺延（如1、2、2、4）" in annex


def test_the_worked_example_adds_up():
    snap = official_snapshot()
    for level, rows in (("unit", snap["scorecard"]["units"]), ("department", snap["scorecard"]["departments"])):
        defs = snap["score_rules"]["definitions"][level]
        for row in rows:
            e = renderer.explanation(row, defs, snap["score_rules"]["band_points"])
            assert round(e["weighted"] / e["weight"], 2) == row["score"]


def test_the_same_snapshot_gives_the_same_bytes(published):
    assert render_notice_pdf(official_snapshot()) == published.read_bytes()


def test_older_snapshots_keep_their_renderer(tmp_path):
    rows = run("pdffonts", str(render(tmp_path, sample_snapshot()))).splitlines()[2:]
    assert rows and all("WenQuanYi" in r for r in rows)  # schema 2: the one sans face, as published


def test_a_missing_face_names_its_package_and_setting():
    with pytest.raises(FontMissing, match="fonts-arphic-uming.*NOTICE_SERIF_FONT_PATH"):
        render_notice_pdf(official_snapshot(), serif_path="/nonexistent/uming.ttc")
    with pytest.raises(FontMissing, match="fonts-arphic-ukai.*NOTICE_KAI_FONT_PATH"):
        render_notice_pdf(official_snapshot(), kai_path="/nonexistent/ukai.ttc")
