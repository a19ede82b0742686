"""The notice PDF of schema 1 and 2 snapshots (before the official-document layout of #14), frozen.

Notices published with these schemas must re-derive byte for byte from their stored snapshot, so
this module is never changed: ``renderer.render_notice_pdf`` sends schema < 3 here. What follows
is the module's original description.

The notice PDF: a pure function from a month's snapshot (a JSON-able dict) to bytes.

No database, no clock, no randomness: ReportLab runs in invariant mode and the
PDF's dates come from the snapshot (``issued_on``), so the same snapshot gives
a byte-identical file on any machine with the same font file — an auditor can
re-derive the published SHA-256 from the snapshot kept with the notice.

Every piece of text (paragraphs, tables, chart labels, page footers) uses one
embedded TrueType CJK font, so no standard-14 font (Helvetica, Times) is ever
referenced and the file renders the same without any installed font.
"""
from __future__ import annotations

import datetime as dt
import io
import time
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak, Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

FONT = "NoticeCJK"
# Debian's fonts-wqy-zenhei first (it has the arrows ↑↓ the rank movement uses), then Droid.
DEFAULT_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
RED = colors.HexColor("#C00000")
GRID = colors.HexColor("#808080")
HEAD_BG = colors.HexColor("#E8EEF7")
ZEBRA = colors.HexColor("#F7F7F7")
PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 22 * mm, 20 * mm, 20 * mm
TEXT_W = PAGE_W - 2 * MARGIN_X

KIND_LABELS = {"frequent_outage": "频繁停电", "overload": "过载", "heavy_load": "重载",
               "low_voltage": "低电压", "over_voltage": "过电压"}
RECT_STATUS = {"open": "待整改", "in_progress": "整改中", "done": "已完成"}
KPI_NAMES = {"complaints": "投诉量", "per_10k": "万户投诉量", "repeat_rate": "重复投诉率", "on_time_rate": "按时办结率",
             "avg_resolution_hours": "平均办结时长", "median_resolution_hours": "办结时长中位数",
             "satisfaction_rate": "回访满意率", "ack_rate": "2小时接单率",
             "rectification_on_time_rate": "整改按期完成率"}
HOTSPOT_TITLES = [
    ("multi_customer_districts", "多客户投诉台区（同一台区2户及以上客户投诉）"),
    ("consecutive_month_districts", "连续两月投诉台区（本月与上月均有投诉）"),
    ("same_month_last_year_districts", "同比重复投诉台区（本月与去年同月均有投诉）"),
]


class FontMissing(RuntimeError):
    pass


def find_font(path: str | None = None, candidates=DEFAULT_FONT_CANDIDATES) -> str:
    """The CJK font file to embed: an explicit path, or the first candidate that exists."""
    options = [path] if path else list(candidates)
    for option in options:
        if option and Path(option).is_file():
            return option
    raise FontMissing(
        "找不到通报使用的中文 TrueType 字体：" + "、".join(str(o) for o in options)
        + "（安装 fonts-wqy-zenhei，或设置 NOTICE_FONT_PATH）")


@lru_cache(maxsize=4)
def register_font(path: str) -> str:
    """Register the font once per process; a .ttc collection uses its first face."""
    kwargs = {"subfontIndex": 0} if path.lower().endswith((".ttc", ".otc")) else {}
    pdfmetrics.registerFont(TTFont(FONT, path, **kwargs))
    # Bold / italic map to the same face: a fake family keeps <b> in paragraphs
    # from falling back to Helvetica-Bold.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT


def _has_glyph(char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(FONT).face.charToGlyph


# --- styles -----------------------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", alignment=TA_JUSTIFY,
                          firstLineIndent=0)
    return {
        "issuer": ParagraphStyle("issuer", parent=base, fontSize=22, leading=30, textColor=RED, alignment=TA_CENTER,
                                 wordWrap="CJK"),
        "number": ParagraphStyle("number", parent=base, fontSize=11, leading=16, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=26, alignment=TA_CENTER,
                                spaceBefore=6, spaceAfter=8),
        "date": ParagraphStyle("date", parent=base, alignment=TA_RIGHT, fontSize=10),
        "h1": ParagraphStyle("h1", parent=base, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4,
                             alignment=TA_LEFT),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=17, spaceBefore=6, spaceAfter=3,
                             alignment=TA_LEFT),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=21),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#404040")),
        "correction": ParagraphStyle("correction", parent=base, fontSize=10, leading=15, textColor=RED,
                                     borderColor=RED, borderWidth=0.6, borderPadding=5, spaceBefore=4,
                                     spaceAfter=8),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, alignment=TA_LEFT),
        "cell_c": ParagraphStyle("cell_c", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER),
    }


# --- formatting helpers ----------------------------------------------------------------------------

def _esc(text) -> str:
    return (str(text) if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _num(value, places: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{places}f}"


def _pct(value) -> str:
    return "—" if value is None else f"{float(value):.2f}%"


def _change(pct, previous: int, what: str) -> str:
    if not previous:
        return f"{what}无可比数据"
    if pct is None or float(pct) == 0:
        return f"{what}持平（{previous:,}件）"
    direction = "上升" if float(pct) > 0 else "下降"
    return f"{what}{direction}{abs(float(pct)):.2f}%（{previous:,}件）"


def _movement(change) -> str:
    up, down = ("↑", "↓") if _has_glyph("↑") and _has_glyph("↓") else ("升", "降")
    if change is None:
        return "新"
    if change > 0:
        return f"{up}{change}"
    if change < 0:
        return f"{down}{-change}"
    return "—"


def _cn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


# --- tables -----------------------------------------------------------------------------------------

def _table(header: list[str], rows: list[list], widths: list[float], st: dict, *, align: list[str] | None = None,
           highlight: list[int] | None = None) -> Table:
    """A ruled table whose cells are paragraphs (so long CJK names wrap inside their column)."""
    align = align or ["c"] * len(header)
    data = [[Paragraph(_esc(h), st["head"]) for h in header]]
    for row in rows:
        data.append([Paragraph(_esc(v), st["cell_c"] if a == "c" else st["cell"]) for v, a in zip(row, align)])
    scale = TEXT_W / sum(widths)
    table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, hAlign="CENTER")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for i in range(1, len(data)):
        if i % 2 == 0:
            style.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
    for i in highlight or []:
        style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#FDECEC")))
    table.setStyle(TableStyle(style))
    return table


def _empty(st: dict, text: str = "本月无。") -> Paragraph:
    return Paragraph(text, st["note"])


# --- chart ------------------------------------------------------------------------------------------

def _hourly_chart(hourly: list[int], peaks: list[int]) -> Drawing:
    """24 bars, the three peak hours in red; every label in the embedded font."""
    width, height = TEXT_W, 62 * mm
    drawing = Drawing(width, height, initialFontName=FONT, initialFontSize=8)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 28
    chart.width, chart.height = width - 44, height - 48
    chart.data = [list(hourly)]
    chart.strokeColor = None
    chart.barWidth = 6
    chart.groupSpacing = 4
    chart.bars[0].fillColor = colors.HexColor("#4F81BD")
    chart.bars[0].strokeColor = None
    for hour in peaks[:3]:
        chart.bars[(0, hour)].fillColor = RED
    top = max(hourly) if hourly and max(hourly) > 0 else 1
    step = _nice_step(top)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * (int(top / step) + 1)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.gridStrokeColor = colors.HexColor("#D9D9D9")
    chart.valueAxis.visibleGrid = True
    chart.categoryAxis.categoryNames = [str(h) for h in range(24)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.dy = -2
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 5
    drawing.add(chart)
    drawing.add(String(width / 2, 4, "受理时段（时）　红色为投诉最多的三个时段", fontName=FONT, fontSize=8,
                       textAnchor="middle", fillColor=colors.HexColor("#404040")))
    drawing.add(String(2, height - 10, "件数", fontName=FONT, fontSize=7, fillColor=colors.HexColor("#404040")))
    return drawing


def _nice_step(top: float) -> int:
    raw = top / 5
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return max(1, m * magnitude)
    return max(1, 10 * magnitude)


# --- page furniture ---------------------------------------------------------------------------------

# On every page of a draft (snapshot["draft"]), never on the published file.
DRAFT_MARK = "征求意见稿（草稿）"

def _canvas_class(snapshot: dict):
    footer_left = f"{snapshot['number']}　{snapshot['title']}"
    if snapshot.get("version", 1) > 1:
        footer_left += f"（第{snapshot['version']}版）"
    draft = bool(snapshot.get("draft"))
    issued = dt.date.fromisoformat(snapshot["issued_on"])
    # The PDF's CreationDate/ModDate: the issue date at 00:00 UTC+8, from the snapshot, never the clock.
    epoch = int(dt.datetime(issued.year, issued.month, issued.day, tzinfo=dt.timezone(dt.timedelta(hours=8)))
                .timestamp())

    class NumberedCanvas(rl_canvas.Canvas):
        """Two passes over the pages: the total page count is known only at the end."""

        def __init__(self, *args, **kwargs):
            kwargs.update(invariant=1, initialFontName=FONT, initialFontSize=10)
            super().__init__(*args, **kwargs)
            stamp = TimeStamp(1)
            stamp.t, stamp.lt = epoch, time.gmtime(epoch + 8 * 3600)
            stamp.YMDhms, stamp.dhh, stamp.dmm, stamp.tzname = tuple(stamp.lt)[:6], 8, 0, "UTC+8"
            self._doc._timeStamp = stamp
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            if draft:
                self._draft_mark()
            self.saveState()
            self.setStrokeColor(GRID)
            self.setLineWidth(0.4)
            self.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, PAGE_W - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#404040"))
            self.drawString(MARGIN_X, MARGIN_BOTTOM - 10 * mm, footer_left)
            self.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM - 10 * mm, f"第 {number} 页 共 {total} 页")
            self.restoreState()

        def _draft_mark(self) -> None:
            # Drawn as text, not an image: pdftotext (and a reader's search) finds it on every
            # page, and a printed copy of a draft can never pass for the published notice.
            self.saveState()
            self.setFillColor(colors.HexColor("#c00000"))
            self.setFont(FONT, 11)
            self.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 12 * mm, DRAFT_MARK)
            self.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.12))
            self.setFont(FONT, 64)
            self.translate(PAGE_W / 2, PAGE_H / 2)
            self.rotate(35)
            self.drawCentredString(0, -20, DRAFT_MARK)
            self.restoreState()

    return NumberedCanvas


class RedRule(Flowable):
    """The red double rule under the issuer of an official notice."""

    def __init__(self, width: float):
        super().__init__()
        self.width, self.height = width, 5

    def draw(self):
        c = self.canv
        c.setStrokeColor(RED)
        c.setLineWidth(1.6)
        c.line(0, 3.5, self.width, 3.5)
        c.setLineWidth(0.5)
        c.line(0, 0.5, self.width, 0.5)


# --- the document -----------------------------------------------------------------------------------

def render_notice_pdf(snapshot: dict, *, font_path: str | None = None) -> bytes:
    """The notice as PDF bytes. ``snapshot`` is what ``selectors.build_snapshot`` returns."""
    register_font(find_font(font_path))
    st = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{snapshot['number']} {snapshot['title']}", author=snapshot["issuer"],
        subject=f"{snapshot['month']} 95598客户投诉管控通报 第{snapshot.get('version', 1)}版",
        creator="Scorecard", producer="Scorecard (ReportLab)", keywords=f"95598,{snapshot['month']}",
        invariant=1, lang="zh-CN",
    )
    story: list = []
    story += _header(snapshot, st)
    story += _summary(snapshot, st)
    story += _categories(snapshot, st)
    story += _hourly(snapshot, st)
    story += _unit_ranking(snapshot, st)
    story += _department_ranking(snapshot, st)
    story += _hotspots(snapshot, st)
    story += _incidents(snapshot, st)
    story += _overdue(snapshot, st)
    doc.build(story, canvasmaker=_canvas_class(snapshot))
    return out.getvalue()


def _header(s: dict, st: dict) -> list:
    parts = [
        Paragraph(_esc(s["issuer"]), st["issuer"]),
        Spacer(1, 2 * mm),
        Paragraph(_esc(s["number"]) + (f"　第{s['version']}版" if s.get("version", 1) > 1 else ""), st["number"]),
        Spacer(1, 1 * mm),
        RedRule(TEXT_W),
        Spacer(1, 3 * mm),
        Paragraph(_esc(s["title"]), st["title"]),
        Paragraph((f"{DRAFT_MARK}　初稿日期：" if s.get("draft") else "发布日期：") + _cn_date(s["issued_on"]),
                  st["date"]),
    ]
    if s.get("correction"):
        c = s["correction"]
        parts.append(Paragraph(
            f"更正说明：本版（第{s['version']}版）更正{_esc(s['number'])}第{c['corrects_version']}版"
            f"（SHA-256 {_esc(c['corrects_sha256'][:16])}…），原版本作废。{_esc(c['note'])}", st["correction"]))
        if c.get("late"):
            parts.append(Paragraph("纳入的补录数据：" + "；".join(
                f"{_esc(x['source'] or x['kind'])}（{_cn_date(x['imported_on'])}导入，新增投诉{x['new']:,}件、"
                f"变更{x['changed']:,}件）" for x in c["late"]) + "。", st["correction"]))
        if c.get("changes"):
            parts.append(Paragraph("更正内容：" + "；".join(
                f"{_esc(x['figure'])}由{_esc(x['before'])}改为{_esc(x['after'])}" for x in c["changes"]) + "。",
                st["correction"]))
        elif "changes" in c:
            parts.append(Paragraph("本版各项统计数字与原版相同。", st["correction"]))
    return parts


def _summary(s: dict, st: dict) -> list:
    p = s["profile"]
    month = dt.date.fromisoformat(s["month"] + "-01")
    total = p["total"]
    text = (f"{month.year}年{month.month}月，全省共受理95598客户投诉{total:,}件，"
            f"{_change(p.get('mom_change_pct'), p.get('previous_month_total') or 0, '环比')}，"
            f"{_change(p.get('yoy_change_pct'), p.get('last_year_total') or 0, '同比')}。")
    cats = [c for c in p["categories"] if c["count"]]
    if cats:
        text += "从投诉分类看，" + "，".join(f"{_esc(c['name'])}类{c['count']:,}件、占{_pct(c['share'])}"
                                        for c in cats) + "。"
    subs = p["subcategories"][:3]
    if subs:
        text += "投诉最集中的二级分类为" + "、".join(f"{_esc(x['name'])}（{_pct(x['share'])}）" for x in subs) + "。"
    vc = p.get("voltage_customers") or {}
    if any(vc.values()):
        text += f"电压质量长时间异常涉及过电压客户{vc.get('过电压', 0)}户、低电压客户{vc.get('低电压', 0)}户。"
    peaks = p.get("peak_hours") or []
    if peaks:
        text += "投诉高峰时段为" + "、".join(f"{h}时" for h in peaks[:3]) + "，与用电负荷高峰基本吻合。"
    hs = s["hotspots"]
    text += (f"同一台区2户及以上客户投诉的台区{hs['multi_customer_districts']['count']}个，"
             f"连续两月投诉台区{hs['consecutive_month_districts']['count']}个，"
             f"同比重复投诉台区{hs['same_month_last_year_districts']['count']}个。")
    units = s["scorecard"]["units"]
    if units:
        best, worst = units[0], units[-1]
        text += (f"地市公司综合得分{_esc(best['unit'])}最高（{_num(best['score'])}分），"
                 f"{_esc(worst['unit'])}最低（{_num(worst['score'])}分）。")
    if _schema(s) >= 2:
        text += _incident_summary(s["incidents"], s["overdue"]["count"])
    else:
        n_inc, n_overdue = len(s["incidents"]["rows"]), s["overdue"]["count"]
        text += f"本月溯源供电瓶颈事件{s['incidents']['count']}起，逾期未完成整改事项{n_overdue}项。" if (
            n_inc or n_overdue) else ""
    return [Paragraph("一、总体情况", st["h1"]), Paragraph(text, st["body"])]


def _schema(s: dict) -> int:
    """Schema 1 snapshots (before 追责事件 / 隐患预警) render exactly as they did: their PDFs re-derive."""
    return s.get("schema", 1)


def _incident_summary(block: dict, n_overdue: int) -> str:
    if not (block["count"] or n_overdue):
        return ""
    text = f"本月溯源供电瓶颈事件{block['count']}起"
    if block["count"]:
        text += f"，其中追责事件{block['accountable']}起、隐患预警{block['hazards']}起"
    return text + f"；逾期未完成整改事项{n_overdue}项。"


def _categories(s: dict, st: dict) -> list:
    p = s["profile"]
    out = [Paragraph("二、投诉分类情况", st["h1"])]
    rows = [[c["name"], _num(c["count"]), _pct(c["share"])] for c in p["categories"]]
    rows.append(["合计", _num(p["total"]), _pct(100 if p["total"] else None)])
    out.append(Paragraph("（一）一级分类", st["h2"]))
    out.append(_table(["一级分类", "投诉件数", "占比"], rows, [3, 2, 2], st))
    out.append(Paragraph("（二）二级分类", st["h2"]))
    subs = p["subcategories"]
    if subs:
        out.append(_table(["序号", "一级分类", "二级分类", "投诉件数", "占比"],
                          [[i, x["category"], x["name"], _num(x["count"]), _pct(x["share"])]
                           for i, x in enumerate(subs, start=1)], [1, 2.5, 3.5, 2, 2], st))
    else:
        out.append(_empty(st))
    return out


def _hourly(s: dict, st: dict) -> list:
    p = s["profile"]
    peaks = p.get("peak_hours") or []
    caption = ("投诉最多的时段：" + "、".join(f"{h}时（{p['hourly'][h]:,}件）" for h in peaks[:3]) + "。"
               if peaks else "本月无投诉。")
    return [KeepTogether([Paragraph("三、投诉时段分布", st["h1"]), _hourly_chart(p["hourly"], peaks),
                          Paragraph(caption, st["note"])])]


def _unit_ranking(s: dict, st: dict) -> list:
    units = s["scorecard"]["units"]
    out = [CondPageBreak(60 * mm), Paragraph("四、地市公司排名", st["h1"])]
    if not units:
        return out + [_empty(st)]
    rows = [[u["rank"], u["unit"], _num(u["complaints"]), _num(u.get("per_10k"), 4), _pct(u.get("on_time_rate")),
             _pct(u.get("satisfaction_rate")), _num(u["score"]), _movement(u.get("rank_change"))] for u in units]
    out.append(_table(["排名", "地市公司", "投诉件数", "每万户投诉", "办结及时率", "满意率", "综合得分", "排名变化"],
                      rows, [1.1, 4.2, 1.6, 1.8, 1.8, 1.6, 1.6, 1.6], st, align=list("clcccccc")))
    out.append(Paragraph("注：排名按综合得分由高到低，得分相同者并列；排名变化为与上月相比（↑上升、↓下降、—持平、"
                         "新为上月无排名）。", st["note"]))
    out += _scored_by_rule_note(units, lambda u: u["unit"], st)
    if not s["scorecard"].get("calendar_complete", True):
        out.append(Paragraph(f"注：{s['month'][:4]}年节假日安排尚未载入，按时办结率按周一至周五计算，可能不准确。",
                             st["note"]))
    return out


def _rule_text(reason: str, band: str) -> str:
    if reason == "nothing_to_rate":
        return "无可考核数据，按满分计" if band == "A" else f"无可考核数据，按{band}档计"
    return "缺少数据，按最低档计" if band == "E" else f"缺少数据，按{band}档计"


def _scored_by_rule_note(rows: list[dict], name, st: dict) -> list:
    """Which rows had KPIs scored by the missing-data rule. Missing data is named row by row;
    rows with no complaints at all (every KPI unrated) are only counted, to keep the note short."""
    named: dict[str, list[str]] = {}
    idle: dict[str, int] = {}
    for r in rows:
        entries = r.get("scored_by_rule") or []
        if not entries:
            continue
        if not r.get("complaints") and all(e["reason"] == "nothing_to_rate" for e in entries):
            text = _rule_text("nothing_to_rate", entries[0]["band"])
            idle[text] = idle.get(text, 0) + 1
            continue
        groups: dict[str, list[str]] = {}
        for e in entries:
            groups.setdefault(_rule_text(e["reason"], e["band"]), []).append(KPI_NAMES.get(e["kpi"], e["kpi"]))
        for text, kpis in groups.items():
            named.setdefault(text, []).append(f"{_esc(name(r))}（{'、'.join(kpis)}）")
    if not named and not idle:
        return []
    parts = [f"{text}：{'；'.join(items)}" for text, items in named.items()]
    parts += [f"当月无投诉的{n}个单位各项指标{text.split('，')[1]}" for text, n in idle.items()]
    return [Paragraph("注：以下指标无数据，按规则计分（权重不再分摊）——" + "。".join(parts) + "。", st["note"])]


def _department_ranking(s: dict, st: dict) -> list:
    depts = s["scorecard"]["departments"]
    out: list = [CondPageBreak(60 * mm)]
    # The section heading travels with the first department's table (no orphaned heading).
    lead = [Paragraph("五、责任单位排名", st["h1"]), Paragraph("责任单位为地市公司的专业部门，按专业分别排名。",
                                                         st["note"])]
    order: list[str] = []
    for d in depts:
        if d["department"] not in order:
            order.append(d["department"])
    cn = "一二三四五六七八九十"
    for i, name in enumerate(order):
        rows = [[d["rank"], f"{d['unit']}·{d['department']}", _num(d["complaints"]), _pct(d.get("repeat_rate")),
                 _pct(d.get("on_time_rate")), _pct(d.get("satisfaction_rate")), _num(d["score"]),
                 _movement(d.get("rank_change"))] for d in depts if d["department"] == name]
        out.append(KeepTogether(([*lead] if i == 0 else []) + [
            Paragraph(f"（{cn[i] if i < len(cn) else i + 1}）{_esc(name)}", st["h2"]),
            _table(["排名", "责任单位", "投诉件数", "重复投诉率", "办结及时率", "满意率", "综合得分", "排名变化"],
                   rows, [1.1, 4.6, 1.6, 1.8, 1.8, 1.6, 1.6, 1.6], st, align=list("clcccccc")),
        ]))
    if not order:
        out += lead + [_empty(st)]
    else:
        out += _scored_by_rule_note(depts, lambda d: f"{d['unit']}·{d['department']}", st)
    return out


def _hotspots(s: dict, st: dict) -> list:
    out = [CondPageBreak(50 * mm), Paragraph("六、投诉热点台区", st["h1"])]
    cn = "一二三"
    for i, (key, title) in enumerate(HOTSPOT_TITLES):
        block = s["hotspots"][key]
        heading = f"（{cn[i]}）{title}：共{block['count']}个"
        if block["count"] > len(block["rows"]):
            heading += f"，按投诉件数列出前{len(block['rows'])}个"
        out.append(Paragraph(heading, st["h2"]))
        if block["rows"]:
            out.append(_table(["台区编号", "台区名称", "地市公司", "县公司", "投诉件数", "投诉客户数"],
                              [[r["code"], r["name"], r["city"], r["county"] or "—", _num(r["complaints"]),
                                _num(r["customers"])] for r in block["rows"]],
                              [2.4, 3.2, 2.6, 2.4, 1.4, 1.4], st, align=list("lllccc")))
        else:
            out.append(_empty(st))
    return out


def _departments(counts) -> str:
    return "、".join(f"{_esc(k)}{v}起" for k, v in counts)


def _incidents(s: dict, st: dict) -> list:
    if _schema(s) >= 2:
        return _incidents_v2(s, st)
    block = s["incidents"]
    out = [CondPageBreak(50 * mm), Paragraph("七、供电瓶颈溯源追责", st["h1"])]
    intro = f"本月共溯源供电瓶颈事件{block['count']}起"
    if block["by_department"]:
        intro += "，其中" + "、".join(f"{_esc(k)}{v}起" for k, v in block["by_department"])
    intro += "。各责任单位须在整改期限前完成整改并报送整改说明。"
    if block["count"] > len(block["rows"]):
        intro += f"下表按关联投诉件数列出前{len(block['rows'])}起。"
    out.append(Paragraph(intro, st["body"]))
    if block["rows"]:
        out.append(_table(["台区编号", "台区名称", "瓶颈类型", "地市公司", "责任部门", "关联投诉", "整改期限",
                           "整改状态"],
                          [[r["district"], r["district_name"] or "—", KIND_LABELS.get(r["kind"], r["kind"]),
                            r["unit"], r["department"], _num(r["complaints"]), r["due_on"] or "—",
                            RECT_STATUS.get(r["status"], r["status"] or "—")] for r in block["rows"]],
                          [2.5, 2.4, 1.3, 2.8, 1.2, 1.2, 1.8, 1.3], st, align=list("llcllccc")))
    return out


INCIDENT_HEADER = ["台区编号", "台区名称", "瓶颈类型", "地市公司", "责任部门", "关联投诉", "整改期限", "整改状态"]


def _incidents_v2(s: dict, st: dict) -> list:
    """追责事件 listed with their items; 隐患预警 counted by department, not listed, not held to account."""
    block = s["incidents"]
    out = [CondPageBreak(50 * mm), Paragraph("七、供电瓶颈溯源追责", st["h1"])]
    if not block["count"]:
        return out + [Paragraph("本月未溯源出供电瓶颈事件。", st["body"])]
    out.append(Paragraph(f"本月共溯源供电瓶颈事件{block['count']}起，其中追责事件{block['accountable']}起"
                         f"（有关联投诉）、隐患预警{block['hazards']}起（无关联投诉）。", st["body"]))
    if block["accountable"]:
        intro = f"（一）追责事件{block['accountable']}起：{_departments(block['accountable_by_department'])}。"
        with_items = sum(1 for r in block["rows"] if r["due_on"])
        if with_items:
            intro += "各责任单位须在整改期限前完成整改并报送整改说明。"
        if block["accountable"] > len(block["rows"]):
            intro += f"下表按关联投诉件数列出前{len(block['rows'])}起。"
        out.append(Paragraph(intro, st["body"]))
        out.append(_table(INCIDENT_HEADER,
                          [[r["district"], r["district_name"] or "—", KIND_LABELS.get(r["kind"], r["kind"]),
                            r["unit"], r["department"], _num(r["complaints"]), r["due_on"] or "—",
                            RECT_STATUS.get(r["status"], r["status"] or "—")] for r in block["rows"]],
                          [2.5, 2.4, 1.3, 2.8, 1.2, 1.2, 1.8, 1.3], st, align=list("llcllccc")))
    else:
        out.append(Paragraph("（一）本月无追责事件。", st["body"]))
    if block["hazards"]:
        text = (f"（二）隐患预警{block['hazards']}起：{_departments(block['hazards_by_department'])}。"
                "隐患预警无关联投诉，不追责，请责任部门关注")
        rectified = block.get("hazards_rectified") or 0
        text += f"；其中{rectified}起已生成整改项。" if rectified else "，不生成整改项。"
        out.append(Paragraph(text, st["body"]))
    else:
        out.append(Paragraph("（二）本月无隐患预警。", st["body"]))
    return out


def _overdue(s: dict, st: dict) -> list:
    block = s["overdue"]
    out = [CondPageBreak(40 * mm), Paragraph("八、逾期未完成整改事项", st["h1"]),
           Paragraph(f"截至{_cn_date(s['issued_on'])}，以往月份溯源事件中超过整改期限仍未完成整改的事项"
                     f"共{block['count']}项" + ("，请相关责任单位限期完成。" if block["count"] else "。"), st["body"])]
    if block["rows"]:
        out.append(_table(["事件月份", "台区", "瓶颈类型", "地市公司", "责任部门", "整改期限", "逾期天数", "状态"],
                          [[r["month"], r["district"], KIND_LABELS.get(r["kind"], r["kind"]), r["unit"],
                            r["department"], r["due_on"], r["days_overdue"], RECT_STATUS.get(r["status"], r["status"])]
                           for r in block["rows"]],
                          [1.6, 2.6, 1.3, 2.6, 1.3, 1.9, 1.3, 1.3], st, align=list("clcllccc")))
    return out
