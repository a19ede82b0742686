"""The renderer alone, on a hand-built snapshot: fonts, text order, structure, determinism.

pdffonts / pdftotext / qpdf come from Debian's poppler-utils and qpdf packages.
"""
import re
import subprocess
from pathlib import Path

import pytest

from scorecard.notices.renderer import FontMissing, render_notice_pdf

from tests.fixtures.notice_sample import CITIES, legacy_snapshot, sample_snapshot, unit_name


def run(*cmd) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("notice") / "notice.pdf"
    path.write_bytes(render_notice_pdf(sample_snapshot()))
    return path


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return run("pdftotext", "-layout", str(pdf), "-")


def test_every_font_is_embedded_and_none_is_a_standard_14_font(pdf):
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "the PDF uses no font at all"
    for row in rows:
        cols = row.split()
        assert cols[-5] == "yes", f"font not embedded: {row}"
        assert not re.search(r"Helvetica|Times|Courier|Symbol|ZapfDingbats", row), row
    assert all("WenQuanYi" in r or "Droid" in r for r in rows)


def test_qpdf_finds_no_structural_error(pdf):
    out = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No syntax or stream encoding errors found" in out.stdout


def test_the_text_has_the_header_the_summary_and_the_city_companies_in_rank_order(text):
    flat = re.sub(r"\s+", "", text)
    assert "国网湘南省电力有限公司供电服务指挥中心" in flat
    assert "〔2018〕第3期" in flat and "2018年3月95598客户投诉管控通报" in flat and "发布日期：2018年4月1日" in flat
    assert "环比上升12.36%（1,108件）" in flat and "同比下降5.11%（1,312件）" in flat
    ranking = text[text.index("四、地市公司排名"):text.index("五、责任单位排名")]
    positions = [ranking.index(unit_name(c)) for c in CITIES]
    assert positions == sorted(positions), "city companies are not listed in rank order"
    lines = [line.split() for line in ranking.splitlines() if "供电公司" in line]
    assert [line[0] for line in lines] == ["1", "2", "3", "4", "4", "6", "7", "8", "9", "10", "11", "12", "13", "14"]
    assert "↑3" in ranking and "↓11" in ranking and "新" in ranking


def test_the_other_sections_and_the_responsible_units(text):
    flat = re.sub(r"\s+", "", text)
    for heading in ("二、投诉分类情况", "三、投诉时段分布", "五、责任单位排名", "六、投诉热点台区",
                    "七、供电瓶颈溯源追责", "八、逾期未完成整改事项"):
        assert heading in flat
    assert "国网长沙供电公司·运检" in flat and "国网湘西供电公司·调控" in flat
    assert "投诉最多的时段：19时（44件）、11时（41件）、17时（38件）" in flat
    assert "TQ000101" in flat and "过载" in flat and "2018-04-30" in flat  # incident with its due date
    assert "TQ000077" in flat and "逾期" in flat


def test_every_page_has_its_footer(pdf):
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))
    assert pages >= 3
    for page in range(1, pages + 1):
        page_text = run("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")
        # The footer reads "第 X 页 共 Y 页"; pdftotext may drop the spaces between CJK glyphs.
        assert f"第{page}页共{pages}页" in re.sub(r"\s+", "", page_text)


def test_metadata(pdf):
    info = run("pdfinfo", str(pdf))
    assert "Title:           〔2018〕第3期 2018年3月95598客户投诉管控通报" in info
    assert "Author:          国网湘南省电力有限公司供电服务指挥中心" in info
    assert "Subject:         2018-03 95598客户投诉管控通报 第1版" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info


def test_the_same_snapshot_gives_the_same_bytes_and_any_change_other_bytes(pdf):
    assert render_notice_pdf(sample_snapshot()) == pdf.read_bytes()
    assert render_notice_pdf(sample_snapshot(issued_on="2018-04-02")) != pdf.read_bytes()


def test_the_same_bytes_in_a_fresh_process(pdf, tmp_path):
    # An auditor re-deriving the file runs a new process: no state of this one may leak in.
    out = tmp_path / "again.pdf"
    code = ("import sys; sys.path.insert(0, '.');"
            "from tests.fixtures.notice_sample import sample_snapshot;"
            "from scorecard.notices.renderer import render_notice_pdf;"
            f"open({str(out)!r}, 'wb').write(render_notice_pdf(sample_snapshot()))")
    subprocess.run([__import__("sys").executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
    assert out.read_bytes() == pdf.read_bytes()


def test_a_correction_says_what_it_corrects(tmp_path):
    snap = sample_snapshot(version=2, correction={"corrects_version": 1, "corrects_sha256": "ab" * 32,
                                                  "note": "株洲公司投诉件数更正为47件。"})
    path = tmp_path / "v2.pdf"
    path.write_bytes(render_notice_pdf(snap))
    flat = re.sub(r"\s+", "", run("pdftotext", str(path), "-"))
    assert "更正说明：本版（第2版）更正〔2018〕第3期第1版（SHA-256abababababababab…）" in flat
    assert "株洲公司投诉件数更正为47件。" in flat


def test_an_empty_month_still_renders(tmp_path):
    snap = sample_snapshot()
    snap["profile"].update(total=0, previous_month_total=0, last_year_total=0, mom_change_pct=None,
                           yoy_change_pct=None, subcategories=[], hourly=[0] * 24, peak_hours=[])
    snap["scorecard"] = {"month": "2018-03", "units": [], "departments": []}
    snap["incidents"] = {"count": 0, "by_department": [], "accountable": 0, "accountable_by_department": [],
                         "hazards": 0, "hazards_by_department": [], "hazards_rectified": 0, "rows": []}
    snap["overdue"] = {"count": 0, "rows": []}
    for block in snap["hotspots"].values():
        block.update(count=0, rows=[])
    path = tmp_path / "empty.pdf"
    path.write_bytes(render_notice_pdf(snap))
    assert "环比无可比数据" in re.sub(r"\s+", "", run("pdftotext", str(path), "-"))


def test_a_missing_font_is_a_clear_error():
    with pytest.raises(FontMissing, match="NOTICE_FONT_PATH"):
        render_notice_pdf(sample_snapshot(), font_path="/nonexistent/font.ttf")


def _section(text: str, start: str, end: str) -> str:
    flat = re.sub(r"\s+", "", text)
    return flat[flat.index(start):flat.index(end)]


def test_accountable_incidents_are_listed_and_hazards_only_counted(text):
    flat = re.sub(r"\s+", "", text)
    assert "本月溯源供电瓶颈事件5起，其中追责事件3起、隐患预警2起；逾期未完成整改事项1项。" in flat
    section = _section(text, "七、供电瓶颈溯源追责", "八、逾期未完成整改事项")
    assert "本月共溯源供电瓶颈事件5起，其中追责事件3起（有关联投诉）、隐患预警2起（无关联投诉）。" in section
    assert "（一）追责事件3起：发展2起、运检1起。各责任单位须在整改期限前完成整改并报送整改说明。" in section
    assert "（二）隐患预警2起：调控1起、运检1起。隐患预警无关联投诉，不追责，请责任部门关注，不生成整改项。" in section
    assert all(code in section for code in ("TQ000101", "TQ000102", "TQ000103"))


def test_a_month_of_hazards_only_has_no_accountability_table(tmp_path):
    snap = sample_snapshot()
    snap["incidents"].update(count=2, by_department=[["运检", 2]], accountable=0, accountable_by_department=[],
                             hazards=2, hazards_by_department=[["运检", 2]], hazards_rectified=2, rows=[])
    path = tmp_path / "hazards.pdf"
    path.write_bytes(render_notice_pdf(snap))
    section = _section(run("pdftotext", str(path), "-"), "七、供电瓶颈溯源追责", "八、逾期未完成整改事项")
    assert "其中追责事件0起（有关联投诉）、隐患预警2起（无关联投诉）" in section
    assert "（一）本月无追责事件。" in section and "整改期限" not in section
    assert "（二）隐患预警2起：运检2起。" in section and "其中2起已生成整改项。" in section


def test_a_schema_1_snapshot_renders_as_it_did(tmp_path):
    # Notices published before 追责事件 / 隐患预警 store schema-1 snapshots: they must still re-derive
    # (the bytes were checked against the previous renderer when schema 2 came; here, the old wording).
    path = tmp_path / "legacy.pdf"
    body = render_notice_pdf(legacy_snapshot())
    path.write_bytes(body)
    assert render_notice_pdf(legacy_snapshot()) == body
    flat = re.sub(r"\s+", "", run("pdftotext", str(path), "-"))
    assert "本月溯源供电瓶颈事件3起，逾期未完成整改事项1项。" in flat
    assert "本月共溯源供电瓶颈事件3起，其中发展2起、运检1起。各责任单位须在整改期限前完成整改并报送整改说明。" in flat
    assert "隐患预警" not in flat and "追责事件" not in flat

def test_it_notes_the_kpis_scored_by_the_missing_data_rule_and_an_unloaded_calendar(tmp_path, text):
    snap = sample_snapshot()
    snap["scorecard"]["calendar_complete"] = False
    units = snap["scorecard"]["units"]
    units[1]["scored_by_rule"] = [{"kpi": "satisfaction_rate", "band": "E", "reason": "no_data"}]
    depts = snap["scorecard"]["departments"]
    depts[0]["scored_by_rule"] = [{"kpi": "ack_rate", "band": "E", "reason": "no_data"}]
    depts[1].update(complaints=0, scored_by_rule=[{"kpi": "repeat_rate", "band": "A", "reason": "nothing_to_rate"}])
    path = tmp_path / "rule.pdf"
    path.write_bytes(render_notice_pdf(snap))
    flat = re.sub(r"\s+", "", run("pdftotext", str(path), "-"))
    assert f"缺少数据，按最低档计：{unit_name(CITIES[1])}（回访满意率）" in flat
    assert f"缺少数据，按最低档计：{unit_name(CITIES[0])}·营销（2小时接单率）" in flat
    assert "当月无投诉的1个单位各项指标按满分计" in flat
    assert "2018年节假日安排尚未载入" in flat
    assert flat.count("按规则计分") == 2  # one note under each ranking
    # Without such rows and with a complete calendar (the sample's own PDF), no note.
    assert "按规则计分" not in re.sub(r"\s+", "", text) and "节假日安排" not in re.sub(r"\s+", "", text)
