"""The notice PDF: a pure function from a month's snapshot (a JSON-able dict) to bytes.

Schema 3 snapshots are laid out as an official document after GB/T 9704-2012 (党政机关公文格式)
as far as a service notice uses it: 发文机关标志 in red, 发文字号, the red separator, title, 主送,
body, 工作要求, 附件说明, 落款 (issuer and date), 附注 (contact), the 附件 (how the score is made)
and the 版记 (抄送, 印发机关 and 印发日期). Faces as near as free TrueType fonts go: a 明/宋 serif
(AR PL UMing) for the title and body, 黑体 (WenQuanYi Zen Hei) for first-level headings and table
headers, 楷体 (AR PL UKai) for second-level headings. Snapshots of schema 1 and 2 (notices
published before) go to ``renderer_v2`` unchanged, so their files still re-derive.

No database, no clock, no randomness: ReportLab runs in invariant mode and every date comes from
the snapshot, so the same snapshot gives the same bytes on any machine with the same font files.
Every sentence is derived from the snapshot's figures; text the analyst or the administrator
wrote (主送, 工作要求, contact...) comes from its ``document`` block. Sections are small functions
of a :class:`Ctx` listed in :data:`SECTIONS`, so one can be added without touching the others.
"""
from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
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
    CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from scorecard.core.numbers import COUNT, PER_10K, RATE, SCORE, display, kind_of

from .renderer_v2 import FontMissing
from .renderer_v2 import render_notice_pdf as render_v2

__all__ = ["FontMissing", "render_notice_pdf", "FONT_FILES"]

SERIF, SANS, KAI = "NoticeSerif", "NoticeSans", "NoticeKai"
# name → (default file, face in the collection, Debian package, setting that overrides the file).
FONT_FILES = {
    SERIF: ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming", "NOTICE_SERIF_FONT_PATH"),
    SANS: ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "fonts-wqy-zenhei", "NOTICE_FONT_PATH"),
    KAI: ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "fonts-arphic-ukai", "NOTICE_KAI_FONT_PATH"),
}

RED = colors.HexColor("#D40000")
INK = colors.HexColor("#000000")
GREY = colors.HexColor("#404040")
GRID = colors.HexColor("#808080")
HEAD_BG = colors.HexColor("#EDEDED")
BLUE = colors.HexColor("#3C6EA5")
PALETTE = [colors.HexColor(c) for c in ("#3C6EA5", "#D9822B", "#5B9A57", "#B6453F", "#7D5BA6", "#8C8C8C",
                                          "#C9A227", "#4BA3B5")]
PAGE_W, PAGE_H = A4
# GB/T 9704-2012 §5.2.1: top 37 mm, left 28 mm, text block 156 × 225 mm.
MARGIN_LEFT, MARGIN_TOP = 28 * mm, 37 * mm
TEXT_W, TEXT_H = 156 * mm, 225 * mm
MARGIN_RIGHT, MARGIN_BOTTOM = PAGE_W - MARGIN_LEFT - TEXT_W, PAGE_H - MARGIN_TOP - TEXT_H
BODY = 12  # pt; a data notice with tables keeps 3号 (16 pt) for the title block only
INDENT = 2 * BODY  # the two-character first-line indent

DRAFT_MARK = "征求意见稿（草稿）"
CN_NUM = "一二三四五六七八九十"
KIND_LABELS = {"frequent_outage": "频繁停电", "overload": "过载", "heavy_load": "重载",
               "low_voltage": "低电压", "over_voltage": "过电压"}
RECT_STATUS = {"open": "待整改", "in_progress": "整改中", "done": "已完成"}
KPI_NAMES = {"complaints": "投诉量", "per_10k": "万户投诉量", "repeat_rate": "重复投诉率", "on_time_rate": "按时办结率",
             "avg_resolution_hours": "平均办结时长", "median_resolution_hours": "办结时长中位数",
             "satisfaction_rate": "回访满意率", "ack_rate": "2小时接单率",
             "rectification_on_time_rate": "整改按期完成率"}
# Where a KPI's name may break in a narrow column header: between words, never inside one.
KPI_HEADS = {"complaints": "投诉量", "per_10k": "万户\n投诉量", "repeat_rate": "重复\n投诉率",
             "on_time_rate": "按时\n办结率", "avg_resolution_hours": "平均\n办结时长",
             "median_resolution_hours": "办结时长\n中位数", "satisfaction_rate": "回访\n满意率",
             "ack_rate": "2小时\n接单率", "rectification_on_time_rate": "整改按期\n完成率"}
EXCLUDED_LABELS = (("not_valid", "不属实"), ("not_at_fault", "无责"), ("downgraded", "降级为意见"))
HOTSPOT_TITLES = [
    ("multi_customer_districts", "多客户投诉台区（同一台区2户及以上客户投诉）"),
    ("consecutive_month_districts", "连续两月投诉台区（本月与上月均有投诉）"),
    ("same_month_last_year_districts", "同比重复投诉台区（本月与去年同月均有投诉）"),
]
# Complaint peak hours "coincide" with the load peak when most of them are hours whose load is
# at least this share of the day's maximum (only said when hourly load data is in the snapshot).
LOAD_PEAK_SHARE = 0.9


# --- fonts ------------------------------------------------------------------------------------------

def font_file(name: str, path: str | None = None) -> str:
    """The file of one of the three faces: ``path`` if given, else the Debian default."""
    default, _index, package, setting = FONT_FILES[name]
    chosen = path or default
    if not Path(chosen).is_file():
        raise FontMissing(f"找不到通报使用的字体文件：{chosen}（安装 Debian 软件包 {package}，或设置 {setting}）")
    return chosen


@lru_cache(maxsize=16)
def register_font(name: str, path: str) -> str:
    """Register a face once per process; a .ttc collection uses the face FONT_FILES names (the
    simplified-Chinese one), any other .ttc its first. Bold and italic map to the same face, so
    no markup ever falls back to a standard-14 font."""
    default, index, _package, _setting = FONT_FILES[name]
    kwargs = {}
    if path.lower().endswith((".ttc", ".otc")):
        kwargs["subfontIndex"] = index if path == default else 0
    pdfmetrics.registerFont(TTFont(name, path, **kwargs))
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    return name


def _has_glyph(font: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font).face.charToGlyph


def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


# --- styles -----------------------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=SERIF, fontSize=BODY, leading=21, wordWrap="CJK", alignment=TA_JUSTIFY)
    return {
        "number": ParagraphStyle("number", parent=base, fontSize=14, leading=20, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=30, alignment=TA_CENTER, spaceBefore=4,
                                spaceAfter=14),
        "recipients": ParagraphStyle("recipients", parent=base, alignment=TA_LEFT, spaceAfter=4),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=INDENT),
        "h1": ParagraphStyle("h1", parent=base, fontName=SANS, fontSize=BODY + 0.5, leading=22, spaceBefore=8,
                             spaceAfter=2, firstLineIndent=INDENT, alignment=TA_LEFT),
        "h2": ParagraphStyle("h2", parent=base, fontName=KAI, fontSize=BODY, leading=21, spaceBefore=4, spaceAfter=2,
                             firstLineIndent=INDENT, alignment=TA_LEFT),
        "note": ParagraphStyle("note", parent=base, fontSize=9.5, leading=14, textColor=GREY),
        "caption": ParagraphStyle("caption", parent=base, fontName=KAI, fontSize=10, leading=14, alignment=TA_CENTER,
                                  spaceAfter=6),
        "correction": ParagraphStyle("correction", parent=base, fontSize=10.5, leading=16, textColor=RED,
                                     borderColor=RED, borderWidth=0.6, borderPadding=5, spaceBefore=4, spaceAfter=8),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT),
        "annex_label": ParagraphStyle("annex_label", parent=base, fontName=SANS, fontSize=14, leading=20,
                                      alignment=TA_LEFT),
        "annex_title": ParagraphStyle("annex_title", parent=base, fontSize=18, leading=28, alignment=TA_CENTER,
                                      spaceBefore=6, spaceAfter=10),
        "colophon": ParagraphStyle("colophon", parent=base, fontSize=11, leading=16, alignment=TA_LEFT),
        "draft_note": ParagraphStyle("draft_note", parent=base, textColor=RED, firstLineIndent=INDENT),
    }


# --- formatting -------------------------------------------------------------------------------------
# The product's one number format (scorecard.core.numbers.display): counts with thousands
# separators, rates, scores, hours and per-10k half-up to 2 decimals, "—" for no value.

def _esc(text) -> str:
    return (str(text) if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _num(value, kind: str = SCORE) -> str:
    return display(value, COUNT if isinstance(value, int) and kind == SCORE else kind)


def _pct(value) -> str:
    return display(value, RATE, unit="%")


def _cn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _month_cn(label: str) -> str:
    return f"{int(label[:4])}年{int(label[5:7])}月"


def short_unit(name: str) -> str:
    """国网长沙供电公司 → 长沙 (chart labels and the appendix's narrow tables)."""
    out = name.removeprefix("国网")
    for suffix in ("供电分公司", "供电公司", "电力公司", "公司"):
        if out.endswith(suffix) and len(out) > len(suffix):
            return out[: -len(suffix)]
    return out


def _movement(change) -> str:
    if change is None:
        return "新"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


# --- sentences derived from the figures -------------------------------------------------------------

def change_clause(total: int, previous: int | None, pct, *, what: str, before: str) -> str:
    """「较上月增加588件，上月120件，环比上升490.00%」: the change, last period's figure, the rate."""
    if not previous:
        return f"{before}无投诉，{what}无可比数据"
    diff = total - previous
    if diff == 0:
        return f"与{before}持平（{before}{previous:,}件）"
    verb, trend = ("增加", "上升") if diff > 0 else ("减少", "下降")
    rate = f"，{what}{trend}{display(abs(float(pct)), RATE, unit='%')}" if pct is not None else ""
    return f"较{before}{verb}{abs(diff):,}件，{before}{previous:,}件{rate}"


def peak_hours_of(hourly: list[int], peaks: list[int] | None = None, n: int = 3) -> list[int]:
    """The ``n`` hours with the most complaints (never an hour without any), most first."""
    order = peaks if peaks else sorted(range(len(hourly)), key=lambda h: (-hourly[h], h))
    return [h for h in order if hourly[h] > 0][:n]


def load_peak_hours(load_hourly: list | None) -> list[int]:
    """Hours whose load is at least LOAD_PEAK_SHARE of the day's maximum; [] without load data."""
    values = [float(v) for v in (load_hourly or []) if v is not None]
    if len(values) != 24 or max(values) <= 0:
        return []
    top = max(values)
    return [h for h, v in enumerate(values) if v >= LOAD_PEAK_SHARE * top]


def peak_sentence(hourly: list[int], peaks: list[int] | None, load_hourly: list | None) -> str:
    """The peak hours; 「与用电负荷高峰基本吻合」 only when hourly load data says so."""
    hours = peak_hours_of(hourly, peaks)
    if not hours:
        return ""
    text = "投诉高峰时段为" + "、".join(f"{h}时" for h in hours)
    load_peaks = load_peak_hours(load_hourly)
    if not load_peaks:
        return text + "。"
    named = "、".join(f"{h}时" for h in load_peaks)
    if sum(1 for h in hours if h in load_peaks) * 2 > len(hours):
        return text + f"，与用电负荷高峰（{named}）基本吻合。"
    return text + f"；用电负荷高峰为{named}，与投诉高峰不一致。"


def _names(rows: list[dict], key: str = "unit") -> str:
    return "、".join(_esc(r[key]) for r in rows)


def extremes_sentence(units: list[dict]) -> str:
    """Highest and lowest score, every unit of a tie named."""
    if not units:
        return ""
    top, bottom = units[0]["score"], units[-1]["score"]
    best = [u for u in units if u["score"] == top]
    worst = [u for u in units if u["score"] == bottom]
    if top == bottom:
        return f"各地市公司综合得分均为{_num(top)}分。"
    tie = lambda rows: "并列" if len(rows) > 1 else ""  # noqa: E731
    return (f"地市公司综合得分{_names(best)}{tie(best)}最高（{_num(top)}分），"
            f"{_names(worst)}{tie(worst)}最低（{_num(bottom)}分）。")


def is_idle(row: dict) -> bool:
    """A row with nothing to rate: no complaints, every KPI scored by the nothing-to-rate rule."""
    entries = row.get("scored_by_rule") or []
    return bool(entries) and not row.get("complaints") and all(e["reason"] == "nothing_to_rate" for e in entries)


def idle_note(rows: list[dict]) -> str:
    """The footnote for rows with nothing to rate, from their scored_by_rule bands."""
    bands = sorted({e["band"] for r in rows for e in r.get("scored_by_rule") or []})
    how = "计满分（A档）" if bands == ["A"] else "计" + "、".join(f"{b}档" for b in bands)
    return f"当月无投诉，无数值的指标按无可考核数据规则{how}"


def _rule_text(reason: str, band: str) -> str:
    if reason == "nothing_to_rate":
        return "无可考核数据，按满分计" if band == "A" else f"无可考核数据，按{band}档计"
    return "缺少数据，按最低档计" if band == "E" else f"缺少数据，按{band}档计"


# --- tables -----------------------------------------------------------------------------------------

@dataclass
class Col:
    """A column: ``head`` may hold "\\n" where the header may break (between words only);
    ``flex`` > 0 takes a share of the width left over by the fixed columns."""

    head: str
    align: str = "c"
    flex: float = 0


PAD = 3
CELL_FONT = 9


NAME_MAX = 14  # a flexible column whose cells are at most this long holds names: kept on one line


def _plain_text(value) -> str:
    return value.getPlainText() if isinstance(value, Paragraph) else str(value)


def column_widths(cols: list[Col], rows: list[list], size: float = CELL_FONT, total: float = TEXT_W, *,
                  names_whole: bool = True) -> list[float]:
    """Widths in which every header line fits on one line and every fixed column's cells too;
    flexible columns share the rest, and (``names_whole``) a flexible column of names is at least as
    wide as its longest name. Raises ValueError when that does not fit the text block."""
    need, floor = [], []
    for i, c in enumerate(cols):
        head = max(_width(line, SANS, size) for line in c.head.split("\n"))
        texts = [_plain_text(r[i]) for r in rows]
        cells = max([_width(t, SERIF, size) for t in texts] or [0])
        need.append(max(head, 0 if c.flex else cells) + 2 * PAD + 1.5)
        names = c.flex and names_whole and all(len(t) <= NAME_MAX for t in texts)
        floor.append(max(head, cells if names else 0) + 2 * PAD + 1.5)
    fixed = sum(w for w, c in zip(need, cols) if not c.flex)
    flex_total = sum(c.flex for c in cols)
    left = total - fixed
    if flex_total == 0:
        if left < 0:
            raise ValueError("columns too wide")
        return [w + left / len(cols) for w in need]
    out = [w if not c.flex else left * c.flex / flex_total for w, c in zip(need, cols)]
    lacking = sum(floor[i] - out[i] for i, c in enumerate(cols) if c.flex and out[i] < floor[i])
    if lacking > 0:
        # The narrow flexible columns take what they need from the other flexible columns' surplus.
        surplus = sum(out[i] - floor[i] for i, c in enumerate(cols) if c.flex and out[i] > floor[i])
        if surplus < lacking:
            raise ValueError("columns too wide")
        share = lacking / surplus
        out = [out[i] if not c.flex else floor[i] if out[i] <= floor[i] else out[i] - (out[i] - floor[i]) * share
               for i, c in enumerate(cols)]
    return out


def _table(st: dict, cols: list[Col], rows: list[list], *, size: float = CELL_FONT,
           highlight: list[int] | None = None) -> Table:
    """A ruled table of paragraphs: headers in 黑体 that never wrap inside a word, cells in the serif.
    The font shrinks (to 7.5 pt) until names fit on one line too; failing that names may wrap,
    headers never (down to 7 pt)."""
    widths = None
    for names_whole, smallest in ((True, 7.5), (False, 7)):
        trial = size
        while widths is None and trial >= smallest:
            try:
                widths = column_widths(cols, rows, trial, names_whole=names_whole)
                size = trial
            except ValueError:
                trial -= 0.5
        if widths is not None:
            break
    if widths is None:
        raise ValueError("the table's headers do not fit the text block")
    head = ParagraphStyle("th", fontName=SANS, fontSize=size, leading=size + 3, alignment=TA_CENTER, wordWrap="CJK")
    cell = {a: ParagraphStyle(f"td{a}", fontName=SERIF, fontSize=size, leading=size + 3, wordWrap="CJK",
                              alignment={"c": TA_CENTER, "l": TA_LEFT, "r": TA_RIGHT}[a]) for a in "clr"}
    data = [[Paragraph(_esc(c.head).replace("\n", "<br/>"), head) for c in cols]]
    for row in rows:
        data.append([_resized(v, cell[c.align]) if isinstance(v, Paragraph) else
                     Paragraph(_esc(v).replace("\n", "<br/>"), cell[c.align]) for v, c in zip(row, cols)])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    style = [
        ("FONT", (0, 0), (-1, -1), SERIF, size),  # else the table names Helvetica in the file
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
    ]
    for i in highlight or []:
        style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#FDECEC")))
    table.setStyle(TableStyle(style))
    return table


def _resized(p: Paragraph, style: ParagraphStyle) -> Paragraph:
    """A pre-built cell (a name with its footnote mark) in the table's cell style."""
    return Paragraph(p.text, style)


def _marked(text: str, mark: bool, st_align: str = "l") -> Paragraph | str:
    """A cell with the footnote mark (＊) after its text."""
    if not mark:
        return text
    style = ParagraphStyle("mk", fontName=SERIF, fontSize=CELL_FONT, leading=CELL_FONT + 3, wordWrap="CJK",
                           alignment=TA_LEFT if st_align == "l" else TA_CENTER)
    return Paragraph(f"{_esc(text)}<font color='#D40000'>＊</font>", style)


# --- charts (ReportLab graphics, every label in an embedded face) -----------------------------------

def _nice_step(top: float) -> float:
    raw = max(top, 1e-9) / 5
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 10 ** -len(str(int(1 / raw)))
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _axis(axis, top: float) -> None:
    step = _nice_step(top or 1)
    if step >= 1:
        step = max(1, int(step))
    axis.valueMin = 0
    axis.valueMax = step * (int(top / step) + 1)
    axis.valueStep = step
    axis.labels.fontName = SANS
    axis.labels.fontSize = 7
    axis.gridStrokeColor = colors.HexColor("#D9D9D9")
    axis.visibleGrid = True
    axis.strokeColor = GRID


def _frame(height: float, note: str, unit: str) -> Drawing:
    drawing = Drawing(TEXT_W, height, initialFontName=SANS, initialFontSize=8)
    drawing.add(String(TEXT_W / 2, 3, note, fontName=SANS, fontSize=8, textAnchor="middle", fillColor=GREY))
    if unit:
        drawing.add(String(2, height - 9, unit, fontName=SANS, fontSize=7, fillColor=GREY))
    return drawing


def hourly_chart(hourly: list[int], peaks: list[int]) -> Drawing:
    """24 bars, the peak hours in red."""
    drawing = _frame(60 * mm, "受理时段（时）　红色为投诉最多的三个时段", "件数")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 26, TEXT_W - 40, 60 * mm - 44
    chart.data = [list(hourly)]
    chart.strokeColor = None
    chart.bars[0].fillColor, chart.bars[0].strokeColor = BLUE, None
    for hour in peaks[:3]:
        chart.bars[(0, hour)].fillColor = RED
    _axis(chart.valueAxis, max(hourly) if hourly else 0)
    chart.categoryAxis.categoryNames = [str(h) for h in range(24)]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = SANS, 7
    chart.categoryAxis.strokeColor = GRID
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = SANS, 6, 5
    chart.barLabelFormat = "%d"
    drawing.add(chart)
    return drawing


def trend_chart(trend: list[dict]) -> Drawing:
    """The last 12 months' complaints (受理口径), the notice's month in red."""
    first, last = trend[0]["month"], trend[-1]["month"]
    drawing = _frame(58 * mm, f"{_month_cn(first)}至{_month_cn(last)}各月受理投诉件数", "件数")
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 34, 26, TEXT_W - 48, 58 * mm - 44
    values = [t["total"] for t in trend]
    chart.data = [values]
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = BLUE, 1.4
    chart.lines[0].symbol = makeMarker("FilledCircle", size=3.5, fillColor=BLUE, strokeColor=BLUE)
    chart.joinedLines = 1
    _axis(chart.valueAxis, max(values))
    chart.categoryAxis.categoryNames = [f"{int(t['month'][5:7])}月" for t in trend]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = SANS, 7
    chart.categoryAxis.strokeColor = GRID
    chart.lineLabelFormat = "%d"
    chart.lineLabels.fontName, chart.lineLabels.fontSize, chart.lineLabels.dy = SANS, 6.5, 6
    drawing.add(chart)
    # The notice's own month stands out.
    step = chart.width / len(values)
    x = chart.x + step * (len(values) - 0.5)
    y = chart.y + chart.height * values[-1] / chart.valueAxis.valueMax
    drawing.add(Rect(x - 2.5, y - 2.5, 5, 5, fillColor=RED, strokeColor=RED))
    return drawing


def category_chart(categories: list[dict]) -> Drawing:
    """The category split: a pie with a legend of count and share."""
    cats = [c for c in categories if c["count"]]
    height = max(50 * mm, (len(cats) * 14 + 30))
    drawing = _frame(height, "各一级分类投诉件数及占比", "")
    pie = Pie()
    size = height - 30
    pie.x, pie.y, pie.width, pie.height = 40, 20, size, size
    pie.data = [c["count"] for c in cats]
    pie.labels = None
    pie.startAngle, pie.direction = 90, "clockwise"
    pie.slices.strokeColor, pie.slices.strokeWidth = colors.white, 0.8
    for i in range(len(cats)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    x0, y = 40 + size + 40, 20 + size - 12
    for i, c in enumerate(cats):
        drawing.add(Rect(x0, y, 9, 9, fillColor=PALETTE[i % len(PALETTE)], strokeColor=None))
        drawing.add(String(x0 + 14, y + 1, f"{c['name']}　{display(c['count'], COUNT)}件　{_pct(c['share'])}",
                           fontName=SANS, fontSize=9, fillColor=INK))
        y -= 14
    return drawing


def city_chart(units: list[dict]) -> Drawing:
    """Per-10k complaints of each city company, highest first (counts when no unit has 用户数)."""
    use_rate = any(u.get("per_10k") is not None for u in units)
    key = "per_10k" if use_rate else "complaints"
    rows = sorted(units, key=lambda u: (-(u.get(key) or 0), u["unit"]))
    note = "各地市公司万户投诉量（由高到低）" if use_rate else "各地市公司投诉件数（由高到低）"
    drawing = _frame(62 * mm, note, "件/万户" if use_rate else "件数")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 30, TEXT_W - 44, 62 * mm - 50
    values = [float(u.get(key) or 0) for u in rows]
    chart.data = [values]
    chart.strokeColor = None
    chart.bars[0].fillColor, chart.bars[0].strokeColor = BLUE, None
    _axis(chart.valueAxis, max(values) if values else 0)
    if use_rate:
        chart.valueAxis.labelTextFormat = "%.2f"
    chart.categoryAxis.categoryNames = [short_unit(u["unit"]) for u in rows]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = SANS, 7.5
    chart.categoryAxis.strokeColor = GRID
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = SANS, 6.5, 5
    chart.barLabelFormat = "%.2f" if use_rate else "%d"
    drawing.add(chart)
    return drawing


# --- flowables of the document's frame --------------------------------------------------------------

class IssuerMark(Flowable):
    """发文机关标志: red, centred, as large as fits the text block (at most 30 pt), drawn with a
    thin outline so the light serif reads as the 小标宋 the standard asks for."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.size = 30.0
        while self.size > 14 and _width(text, SERIF, self.size) > TEXT_W:
            self.size -= 1
        self.width, self.height = TEXT_W, self.size * 1.35

    def draw(self):
        c = self.canv
        c.saveState()
        c.setFillColor(RED)
        c.setStrokeColor(RED)
        c.setLineWidth(0.6)
        text = c.beginText()
        text.setTextRenderMode(2)  # fill and stroke
        text.setFont(SERIF, self.size)
        text.setTextOrigin((self.width - _width(self.text, SERIF, self.size)) / 2, self.size * 0.3)
        text.textOut(self.text)
        c.drawText(text)
        c.restoreState()


class Rule(Flowable):
    """A horizontal rule across the text block (the red separator, the 版记's lines)."""

    def __init__(self, width: float = 1.0, color=RED, space: float = 4):
        super().__init__()
        self.line, self.color = width, color
        self.width, self.height = TEXT_W, space

    def draw(self):
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.line)
        self.canv.line(0, self.height / 2, self.width, self.height / 2)


class AtPageBottom(Flowable):
    """Content pushed to the bottom of the page it lands on (the 版记 closes the last page)."""

    def __init__(self, flowables: list):
        super().__init__()
        self.flowables = flowables

    def wrap(self, aw, ah):
        self._sizes = [f.wrap(aw, ah) for f in self.flowables]
        self._inner = sum(h for _w, h in self._sizes)
        self.width = aw
        self.height = max(ah - 1, self._inner)
        return aw, self.height

    def draw(self):
        y = self._inner
        for f, (_w, h) in zip(self.flowables, self._sizes):
            y -= h
            f.drawOn(self.canv, 0, y)


# --- the context the sections share -----------------------------------------------------------------

@dataclass
class Ctx:
    s: dict
    st: dict
    h1_count: int = 0
    notes: dict = field(default_factory=dict)

    @property
    def doc(self) -> dict:
        return self.s.get("document") or {}

    @property
    def draft(self) -> bool:
        return bool(self.s.get("draft"))

    @property
    def issuer(self) -> str:
        return self.doc.get("issuer") or self.s["issuer"]

    def h1(self, title: str) -> Paragraph:
        n = self.h1_count
        self.h1_count += 1
        return Paragraph(f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}、{_esc(title)}", self.st["h1"])

    def h2(self, index: int, title: str) -> Paragraph:
        return Paragraph(f"（{CN_NUM[index] if index < len(CN_NUM) else index + 1}）{title}", self.st["h2"])

    def p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.st[style])


def _schema(s: dict) -> int:
    return s.get("schema", 1)


def _has(rows: list[dict], key: str) -> bool:
    return any(r.get(key) is not None for r in rows)


# --- sections ---------------------------------------------------------------------------------------

def head(ctx: Ctx) -> list:
    """版头 and 主送: 发文机关标志, 发文字号, the red separator, title, 主送机关."""
    s, st = ctx.s, ctx.st
    number = _esc(s["number"]) + (f"　第{s['version']}版" if s.get("version", 1) > 1 else "")
    out = [Spacer(1, 6 * mm), IssuerMark(ctx.doc.get("mark") or ctx.issuer), Spacer(1, 8 * mm),
           Paragraph(number, st["number"]), Spacer(1, 1.5 * mm), Rule(1.2, RED, 6), Spacer(1, 6 * mm),
           Paragraph(_esc(s["title"]), st["title"])]
    out += correction(ctx)
    recipients = (ctx.doc.get("recipients") or "").strip()
    if recipients:
        out.append(Paragraph(_esc(recipients.rstrip("：:")) + "：", st["recipients"]))
    return out


def correction(ctx: Ctx) -> list:
    s, st = ctx.s, ctx.st
    c = s.get("correction")
    if not c:
        return []
    parts = [Paragraph(
        f"更正说明：本版（第{s['version']}版）更正{_esc(s['number'])}第{c['corrects_version']}版"
        f"（SHA-256 {_esc(c['corrects_sha256'][:16])}…），原版本作废。{_esc(c['note'])}", st["correction"])]
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


def _assessed_sentence(units: list[dict]) -> str:
    """考核口径 against 受理口径, when the scorecard carries both (#13)."""
    if not any("accepted_complaints" in u for u in units):
        return ""
    accepted = sum(u.get("accepted_complaints") or 0 for u in units)
    assessed = sum(u.get("complaints") or 0 for u in units)
    excluded = {k: sum((u.get("excluded") or {}).get(k, 0) for u in units) for k, _l in EXCLUDED_LABELS}
    parts = [f"{label}{excluded[k]:,}件" for k, label in EXCLUDED_LABELS if excluded[k]]
    text = f"纳入考核的投诉（考核口径）{assessed:,}件"
    if not parts:
        return text + "，本月无经核实不属实、无责或降级为意见而剔除的投诉。"
    return text + "，剔除" + "、".join(parts) + f"（地市公司受理口径合计{accepted:,}件）。"


def summary(ctx: Ctx) -> list:
    """一、总体情况: every sentence from the figures; the 12-month trend chart."""
    s = ctx.s
    p = s["profile"]
    total = p["total"]
    units = s["scorecard"]["units"]
    both = any("accepted_complaints" in u for u in units)
    text = (f"{_month_cn(s['month'])}，全省共受理95598客户投诉{total:,}件{'（受理口径）' if both else ''}，"
            f"{change_clause(total, p.get('previous_month_total'), p.get('mom_change_pct'), what='环比', before='上月')}；"
            f"{change_clause(total, p.get('last_year_total'), p.get('yoy_change_pct'), what='同比', before='去年同月')}。")
    text += _assessed_sentence(units)
    cats = [c for c in p["categories"] if c["count"]]
    if cats:
        text += "从投诉分类看，" + "，".join(f"{_esc(c['name'])}类{c['count']:,}件、占{_pct(c['share'])}"
                                        for c in cats) + "。"
    subs = p["subcategories"][:3]
    if subs:
        text += "投诉最集中的二级分类为" + "、".join(f"{_esc(x['name'])}（{_pct(x['share'])}）" for x in subs) + "。"
    vc = p.get("voltage_customers") or {}
    if any(vc.values()):
        text += f"电压质量长时间异常涉及过电压客户{vc.get('过电压', 0):,}户、低电压客户{vc.get('低电压', 0):,}户。"
    text += peak_sentence(p["hourly"], p.get("peak_hours"), (s.get("load_profile") or {}).get("hourly"))
    hs = s["hotspots"]
    text += (f"同一台区2户及以上客户投诉的台区{hs['multi_customer_districts']['count']}个，"
             f"连续两月投诉台区{hs['consecutive_month_districts']['count']}个，"
             f"同比重复投诉台区{hs['same_month_last_year_districts']['count']}个。")
    text += extremes_sentence(units)
    block, n_overdue = s["incidents"], s["overdue"]["count"]
    if block["count"] or n_overdue:
        text += f"本月溯源供电瓶颈事件{block['count']}起"
        if block["count"]:
            text += f"，其中追责事件{block['accountable']}起、隐患预警{block['hazards']}起"
        text += f"；逾期未完成整改事项{n_overdue}项。"
    out = [ctx.h1("总体情况"), ctx.p(text)]
    trend = s.get("trend") or []
    if len(trend) >= 2:
        out.append(KeepTogether([trend_chart(trend), ctx.p("图1　近12个月受理投诉件数", "caption")]))
    return out


def categories(ctx: Ctx) -> list:
    p = ctx.s["profile"]
    out = [ctx.h1("投诉分类情况"), ctx.h2(0, "一级分类")]
    rows = [[c["name"], _num(c["count"]), _pct(c["share"])] for c in p["categories"]]
    rows.append(["合计", _num(p["total"]), _pct(100 if p["total"] else None)])
    out.append(_table(ctx.st, [Col("一级分类", "l", 2), Col("投诉件数", flex=1), Col("占比", flex=1)], rows))
    if p["total"]:
        out.append(KeepTogether([Spacer(1, 2 * mm), category_chart(p["categories"]),
                                 ctx.p("图2　投诉分类构成", "caption")]))
    out.append(ctx.h2(1, "二级分类"))
    subs = p["subcategories"]
    if subs:
        out.append(_table(ctx.st, [Col("序号"), Col("一级分类", "l", 1), Col("二级分类", "l", 1.6), Col("投诉件数"),
                                   Col("占比")],
                          [[i, x["category"], x["name"], _num(x["count"]), _pct(x["share"])]
                           for i, x in enumerate(subs, start=1)]))
    else:
        out.append(ctx.p("本月无。", "note"))
    return out


def hourly(ctx: Ctx) -> list:
    p = ctx.s["profile"]
    peaks = peak_hours_of(p["hourly"], p.get("peak_hours"))
    caption = ("投诉最多的时段：" + "、".join(f"{h}时（{p['hourly'][h]:,}件）" for h in peaks) + "。"
               if peaks else "本月无投诉。")
    return [KeepTogether([ctx.h1("投诉时段分布"), hourly_chart(p["hourly"], peaks),
                          ctx.p("图3　各时段受理投诉件数", "caption"), ctx.p(caption, "note")])]


def _deduction_col(rows: list[dict]) -> bool:
    return _has(rows, "deduction_points")


NAMED_MAX = 12  # a footnote names at most this many units; more are counted


def _rule_notes(ctx: Ctx, rows: list[dict], name) -> list:
    """The footnotes under a ranking: ＊ rows with nothing to rate (why they score what they do) and,
    KPI by KPI, the other rows whose value is missing and was scored by rule (all of them named
    as 「各单位」 when the KPI is missing everywhere, e.g. no rectification item due this month)."""
    out = []
    idle = [r for r in rows if is_idle(r)]
    if idle:
        out.append(ctx.p(f"＊ {idle_note(idle)}：" + "、".join(_esc(name(r)) for r in idle) + "。", "note"))
    rated = [r for r in rows if not is_idle(r)]
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rated:
        for e in r.get("scored_by_rule") or []:
            groups.setdefault((e["kpi"], _rule_text(e["reason"], e["band"])), []).append(_esc(name(r)))
    if groups:
        def who(names: list[str]) -> str:
            if len(names) == len(rated):
                return "其余各单位" if idle else "各单位"
            if len(names) > NAMED_MAX:  # the appendix names them row by row («—» in its tables)
                return f"{len(names)}个单位（见附件）"
            return "、".join(names)

        parts = [f"{KPI_NAMES.get(kpi, kpi)}{text}：{who(names)}" for (kpi, text), names in groups.items()]
        out.append(ctx.p("注：以下指标无数值，按规则计分（权重不再分摊）——" + "；".join(parts) + "。", "note"))
    return out


def unit_ranking(ctx: Ctx) -> list:
    s = ctx.s
    units = s["scorecard"]["units"]
    out = [CondPageBreak(70 * mm), ctx.h1("地市公司排名")]
    if not units:
        return out + [ctx.p("本月无。", "note")]
    deduct = _deduction_col(units)
    cols = [Col("排名"), Col("地市公司", "l", 1), Col("投诉件数"), Col("万户投诉量"), Col("办结及时率"), Col("满意率")]
    cols += [Col("考核扣分")] if deduct else []
    cols += [Col("综合得分"), Col("排名变化")]
    rows = []
    for u in units:
        row = [u["rank"], _marked(u["unit"], is_idle(u)), _num(u["complaints"]), _num(u.get("per_10k"), PER_10K),
               _pct(u.get("on_time_rate")), _pct(u.get("satisfaction_rate"))]
        row += [_num(u.get("deduction_points"))] if deduct else []
        row += [_num(u["score"]), _movement(u.get("rank_change"))]
        rows.append(row)
    out.append(_table(ctx.st, cols, rows))
    out.append(ctx.p("注：排名按综合得分由高到低，得分相同者并列、其后名次顺延；排名变化为与上月相比（↑上升、↓下降、"
                     "—持平、新为上月无排名）；万户投诉量为每万户客户的投诉件数。评分方法见附件。", "note"))
    out += _rule_notes(ctx, units, lambda u: u["unit"])
    if not s["scorecard"].get("calendar_complete", True):
        out.append(ctx.p(f"注：{s['month'][:4]}年节假日安排尚未载入，按时办结率按周一至周五计算，可能不准确。", "note"))
    out.append(KeepTogether([Spacer(1, 2 * mm), city_chart(units), ctx.p("图4　地市公司对比", "caption")]))
    out += assessed_basis(ctx, units)
    return out


def assessed_basis(ctx: Ctx, units: list[dict]) -> list:
    """受理口径 and 考核口径 per city, what was excluded and why (when the card has them)."""
    if not any("accepted_complaints" in u for u in units):
        return []
    rows = [[u["unit"], _num(u.get("accepted_complaints")),
             *[_num((u.get("excluded") or {}).get(k, 0)) for k, _l in EXCLUDED_LABELS], _num(u["complaints"])]
            for u in units]
    return [KeepTogether([
        ctx.p("受理口径为本月受理的全部投诉；考核口径剔除经核实不属实、无责及降级为意见的投诉，排名按考核口径计算。",
              "body"),
        _table(ctx.st, [Col("地市公司", "l", 1), Col("受理口径"), *[Col(label) for _k, label in EXCLUDED_LABELS],
                        Col("考核口径")], rows)])]


def department_ranking(ctx: Ctx) -> list:
    depts = ctx.s["scorecard"]["departments"]
    out: list = [CondPageBreak(70 * mm)]
    lead = [ctx.h1("责任单位排名"), ctx.p("责任单位为地市公司的专业部门，按专业分别排名。", "note")]
    order: list[str] = []
    for d in depts:
        if d["department"] not in order:
            order.append(d["department"])
    deduct = _deduction_col(depts)
    cols = [Col("排名"), Col("地市公司", "l", 1), Col("投诉件数"), Col("万户投诉量"), Col("重复投诉率"),
            Col("办结及时率"), Col("满意率")]
    cols += [Col("考核扣分")] if deduct else []
    cols += [Col("综合得分"), Col("排名变化")]
    for i, name in enumerate(order):
        rows = []
        for d in (d for d in depts if d["department"] == name):
            row = [d["rank"], _marked(d["unit"], is_idle(d)), _num(d["complaints"]), _num(d.get("per_10k"), PER_10K),
                   _pct(d.get("repeat_rate")), _pct(d.get("on_time_rate")), _pct(d.get("satisfaction_rate"))]
            row += [_num(d.get("deduction_points"))] if deduct else []
            row += [_num(d["score"]), _movement(d.get("rank_change"))]
            rows.append(row)
        out.append(KeepTogether(([*lead] if i == 0 else []) + [ctx.h2(i, _esc(name)), _table(ctx.st, cols, rows)]))
    if not order:
        return out + lead + [ctx.p("本月无。", "note")]
    return out + _rule_notes(ctx, depts, lambda d: f"{short_unit(d['unit'])}·{d['department']}")


def hotspots(ctx: Ctx) -> list:
    out = [CondPageBreak(50 * mm), ctx.h1("投诉热点台区")]
    for i, (key, title) in enumerate(HOTSPOT_TITLES):
        block = ctx.s["hotspots"][key]
        heading = f"{title}：共{block['count']}个"
        if block["count"] > len(block["rows"]):
            heading += f"，按投诉件数列出前{len(block['rows'])}个"
        out.append(ctx.h2(i, heading))
        if block["rows"]:
            out.append(_table(ctx.st, [Col("台区编号", "l"), Col("台区名称", "l", 1.4), Col("地市公司", "l", 1),
                                       Col("县公司", "l", 1), Col("投诉件数"), Col("投诉客户数")],
                              [[r["code"], r["name"], r["city"], r["county"] or "—", _num(r["complaints"]),
                                _num(r["customers"])] for r in block["rows"]]))
        else:
            out.append(ctx.p("本月无。", "note"))
    return out


def _departments(counts) -> str:
    return "、".join(f"{_esc(k)}{v}起" for k, v in counts)


INCIDENT_COLS = [Col("台区编号", "l"), Col("台区名称", "l", 1.2), Col("瓶颈类型"), Col("地市公司", "l", 1),
                 Col("责任部门"), Col("关联投诉"), Col("整改期限"), Col("整改状态")]


def incidents(ctx: Ctx) -> list:
    """追责事件 listed with their items; 隐患预警 counted by department, not listed, not held to account."""
    block = ctx.s["incidents"]
    out = [CondPageBreak(50 * mm), ctx.h1("供电瓶颈溯源追责")]
    if not block["count"]:
        return out + [ctx.p("本月未溯源出供电瓶颈事件。")]
    out.append(ctx.p(f"本月共溯源供电瓶颈事件{block['count']}起，其中追责事件{block['accountable']}起"
                     f"（有关联投诉）、隐患预警{block['hazards']}起（无关联投诉）。"))
    if block["accountable"]:
        intro = f"（一）追责事件{block['accountable']}起：{_departments(block['accountable_by_department'])}。"
        if any(r["due_on"] for r in block["rows"]):
            intro += "各责任单位须在整改期限前完成整改并报送整改说明。"
        if block["accountable"] > len(block["rows"]):
            intro += f"下表按关联投诉件数列出前{len(block['rows'])}起。"
        out.append(ctx.p(intro))
        out.append(_table(ctx.st, INCIDENT_COLS,
                          [[r["district"], r["district_name"] or "—", KIND_LABELS.get(r["kind"], r["kind"]),
                            r["unit"], r["department"], _num(r["complaints"]), r["due_on"] or "—",
                            RECT_STATUS.get(r["status"], r["status"] or "—")] for r in block["rows"]]))
    else:
        out.append(ctx.p("（一）本月无追责事件。"))
    if block["hazards"]:
        text = (f"（二）隐患预警{block['hazards']}起：{_departments(block['hazards_by_department'])}。"
                "隐患预警无关联投诉，不追责，请责任部门关注")
        rectified = block.get("hazards_rectified") or 0
        text += f"；其中{rectified}起已生成整改项。" if rectified else "，不生成整改项。"
        out.append(ctx.p(text))
    else:
        out.append(ctx.p("（二）本月无隐患预警。"))
    return out


def overdue(ctx: Ctx) -> list:
    s = ctx.s
    block = s["overdue"]
    out = [CondPageBreak(40 * mm), ctx.h1("逾期未完成整改事项"),
           ctx.p(f"截至{_cn_date(s['issued_on'])}，以往月份溯源事件中超过整改期限仍未完成整改的事项"
                 f"共{block['count']}项" + ("，请相关责任单位限期完成。" if block["count"] else "。"))]
    if block["rows"]:
        out.append(_table(ctx.st, [Col("事件月份"), Col("台区", "l", 1), Col("瓶颈类型"), Col("地市公司", "l", 1),
                                   Col("责任部门"), Col("整改期限"), Col("逾期天数"), Col("状态")],
                          [[r["month"], r["district"], KIND_LABELS.get(r["kind"], r["kind"]), r["unit"],
                            r["department"], r["due_on"], r["days_overdue"], RECT_STATUS.get(r["status"], r["status"])]
                           for r in block["rows"]]))
    return out


def deductions(ctx: Ctx) -> list:
    """考核扣分 itemised (only when the scorecard carries deductions, #13)."""
    card = ctx.s["scorecard"]
    items, seen = [], set()

    def key(unit: str, d: dict):
        return unit, d.get("event_no") or (d.get("date"), d.get("kind"), d.get("points"), d.get("reason"))

    # Each event once: with its department; a city company's row repeats its departments' events
    # (it answers for all of them), so only an event no department row has is listed from it.
    for r in card["departments"]:
        for d in r.get("deductions") or []:
            items.append((r["unit"], r["department"], d))
            seen.add(key(r["unit"], d))
    for u in card["units"]:
        for d in u.get("deductions") or []:
            if key(u["unit"], d) not in seen:
                items.append((u["unit"], "—", d))
                seen.add(key(u["unit"], d))
    if not items:
        return []
    total = sum(float(d.get("points") or 0) for _u, _d, d in items)
    items.sort(key=lambda x: (x[2].get("date") or "", x[0], x[1]))
    return [CondPageBreak(40 * mm), ctx.h1("考核扣分"),
            ctx.p(f"本月考核扣分事项{len(items)}项，合计扣{_num(total)}分，已从相应单位综合得分中扣减（扣减后最低为0分）。"),
            _table(ctx.st, [Col("日期"), Col("地市公司", "l", 1), Col("专业部门"), Col("扣分类别", "l", 0.8),
                            Col("扣分"), Col("事由", "l", 1.6)],
                   [[d.get("date") or "—", unit, dept, d.get("label") or d.get("kind") or "—", _num(d.get("points")),
                     d.get("reason") or "—"] for unit, dept, d in items])]


WARNING_ACTION_LABELS = {"patrol": "巡视", "load": "负荷调整", "retrofit": "改造申请", "visit": "客户走访"}
RISK_MODEL_LABELS = {"logistic_regression": "逻辑回归", "gradient_boosting": "梯度提升"}


def _warning_sentences(block: dict) -> list[str]:
    """（一）: the month's 预警工单, every clause from a count of the snapshot (none without orders)."""
    if not block["count"]:
        return ["（一）本月无预警工单。"]
    text = (f"（一）本月共发出预警工单{_num(block['count'], COUNT)}张，已确认{_num(block['acknowledged'], COUNT)}张、"
            f"已办结{_num(block['done'], COUNT)}张")
    if block["escalated"]:
        text += f"，逾期升级至责任部门负责人{_num(block['escalated'], COUNT)}张"
    if block["actions"]:
        kinds = "、".join(f"{WARNING_ACTION_LABELS.get(k['kind'], k['kind'])}{_num(k['count'], COUNT)}项"
                          for k in block["actions_by_kind"])
        text += (f"；{_num(block['acted'], COUNT)}张工单记录了处理措施{_num(block['actions'], COUNT)}项"
                 f"（{kinds}）。")
    else:
        text += "；尚无工单记录处理措施。"
    if block["judged"]:
        text += (f"按本月实际投诉判定（同一台区{block['threshold']}户及以上客户投诉即为投诉热点），"
                 f"{_num(block['judged'], COUNT)}张工单中台区成为投诉热点（命中）{_num(block['hits'], COUNT)}张、"
                 f"未成为投诉热点{_num(block['misses'], COUNT)}张。")
    else:
        text += "本月投诉数据尚未齐全，暂不判定预警是否命中。"
    return [text]


def proactive(ctx: Ctx) -> list:
    """预警与主动服务 (issue #18): the notice month's 预警工单 and the top risks of the month the notice is
    issued in, from the stored risk list. Snapshots made before the section existed have neither block
    and render as they did."""
    s = ctx.s
    if "warnings" not in s or "risks" not in s:
        return []
    risks = s["risks"]
    out = [CondPageBreak(40 * mm), ctx.h1("预警与主动服务"), *[ctx.p(t) for t in _warning_sentences(s["warnings"])]]
    month = _month_cn(risks["month"])
    if not risks["stored"]:
        return out + [ctx.p(f"（二）{month}投诉风险清单尚未生成。")]
    if not risks["cities"]:
        return out + [ctx.p(f"（二）{month}投诉风险清单中无台区。")]
    per_city = max(len(c["rows"]) for c in risks["cities"])
    model = RISK_MODEL_LABELS.get(risks["model"], risks["model"])
    out.append(ctx.p(f"（二）{month}投诉风险较高的台区：按{month}投诉风险清单（{model}模型，仅用此前各月数据计算），"
                     f"{len(risks['cities'])}家地市公司各列出风险最高的前{per_city}个台区，"
                     "请各单位提前组织供电所和台区经理开展主动服务。"))
    rows = [[short_unit(c["city"]), r["code"], r["name"] or "—", r["station"] or "—", _num(r["rank"], COUNT),
             _pct(r["probability"] * 100), "；".join(r["reasons"]) or "—"]
            for c in risks["cities"] for r in c["rows"]]
    out.append(_table(ctx.st, [Col("地市公司"), Col("台区编号", "l"), Col("台区名称", "l", 1), Col("供电所", "l", 0.8),
                               Col("风险排名"), Col("概率"), Col("主要原因", "l", 1.8)], rows))
    return out


def requirements(ctx: Ctx) -> list:
    """工作要求: the analyst's paragraphs. A draft without them says so; a published notice
    without them has no such section (publication warns, see services.publish_notice)."""
    text = (ctx.doc.get("requirements") or "").strip()
    if not text:
        if not ctx.draft:
            return []
        return [CondPageBreak(30 * mm), ctx.h1("工作要求"), ctx.p("（工作要求尚未填写，发布前由分析员在通报页面填写。）",
                                                                "draft_note")]
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return [CondPageBreak(30 * mm), ctx.h1("工作要求"), *[ctx.p(_esc(line)) for line in paragraphs]]


def signature(ctx: Ctx) -> list:
    """附件说明, 落款 (issuer over the date, the date four characters from the right) and 附注 (contact)."""
    s, st = ctx.s, ctx.st
    date = _cn_date(s["issued_on"])
    date_line = f"{date}（征求意见稿，未发布）" if ctx.draft else date
    w_issuer, w_date = _width(ctx.issuer, SERIF, BODY), _width(date_line, SERIF, BODY)
    right = 2 * BODY
    issuer_style = ParagraphStyle("signer", parent=st["sign"], rightIndent=max(0, right + (w_date - w_issuer) / 2))
    date_style = ParagraphStyle("signdate", parent=st["sign"], rightIndent=right)
    block = [Spacer(1, 3 * mm), ctx.p("附件：考核评分说明"), Spacer(1, 10 * mm),
             Paragraph(_esc(ctx.issuer), issuer_style), Paragraph(_esc(date_line), date_style)]
    contact = (ctx.doc.get("contact") or "").strip()
    if contact:
        block.append(ctx.p(f"（{_esc(contact.strip('（）()'))}）"))
    return block


def closing(ctx: Ctx) -> list:
    """工作要求 and the 落款: the signature never stands alone on a page (GB/T 9704 §7.3.5), the
    body's last paragraph goes over with it."""
    body, sign = requirements(ctx), signature(ctx)
    if body and isinstance(body[-1], Paragraph):
        return body[:-1] + [KeepTogether([body[-1], *sign])]
    return body + [KeepTogether(sign)]


# --- the appendix: how the score is made ------------------------------------------------------------

def _definitions(ctx: Ctx, level: str) -> list[dict]:
    return ((ctx.s.get("score_rules") or {}).get("definitions") or {}).get(level) or []


def _cut(d: dict, letter: str) -> str:
    lower = d["polarity"] == "lower"
    if letter == "E":
        return (">" if lower else "<") + _num(float(d["band_d"]))
    return ("≤" if lower else "≥") + _num(float(d[f"band_{letter.lower()}"]))


def _points(ctx: Ctx) -> dict:
    return (ctx.s.get("score_rules") or {}).get("band_points") or {"A": 100, "B": 80, "C": 60, "D": 40, "E": 20}


def _kpi_value(code: str, value) -> str:
    return display(value, kind_of(code))


def explanation(row: dict, defs: list[dict], points: dict) -> dict:
    """One row's score: value → band → points × weight per KPI, the weighted total, deductions.

    The seam for kpis' own explanation (another part of #14 builds one for the department page):
    when it lands, the snapshot builder can store its output per row and this function read it."""
    items, total_w, total_p = [], 0.0, 0.0
    bands = row.get("bands") or {}
    rule = {e["kpi"]: e for e in row.get("scored_by_rule") or []}
    for d in defs:
        band = bands.get(d["code"])
        if band is None:
            continue
        w = float(d["weight"])
        items.append({"code": d["code"], "name": d["name"], "value": row.get(d["code"]), "band": band,
                      "points": points[band], "weight": w, "by_rule": d["code"] in rule})
        total_w += w
        total_p += w * points[band]
    kpi_score = row.get("kpi_score", row.get("score"))
    return {"items": items, "weight": total_w, "weighted": total_p, "kpi_score": kpi_score,
            "deduction_points": row.get("deduction_points"), "score": row.get("score")}


def _stored_example(ctx: Ctx, row: dict) -> dict | None:
    """kpis' explanation of this row, when the snapshot stored one (selectors.score_rules_block)."""
    e = ((ctx.s.get("score_rules") or {}).get("examples") or {}).get("unit")
    if not e or e.get("unit") != row.get("unit"):
        return None
    return {"items": [{**line, "value": line["value"]} for line in e["lines"]], "weight": e["total_weight"],
            "weighted": e["weighted_sum"], "kpi_score": e["kpi_score"], "deduction_points": e["deduction_points"],
            "score": e["score"], "definitions_changed": e.get("definitions_changed")}


def _example(ctx: Ctx, row: dict, defs: list[dict], name: str) -> Paragraph:
    e = _stored_example(ctx, row) or explanation(row, defs, _points(ctx))
    terms = "＋".join(f"{KPI_NAMES.get(i['code'], i['name'])}{_kpi_value(i['code'], i['value'])}"
                     f"（{i['band']}档{'，按规则' if i['by_rule'] else ''}，{i['points']}分×权重{_num(float(i['weight']))}）"
                     for i in e["items"])
    text = (f"计算示例（{_esc(name)}）：{terms}，加权合计{_num(float(e['weighted']))}÷权重合计{_num(float(e['weight']))}"
            f"＝指标得分{_num(e['kpi_score'])}分")
    if e["deduction_points"] is not None:
        text += f"；考核扣分{_num(float(e['deduction_points']))}分，综合得分{_num(e['score'])}分"
    text += "。"
    if e.get("definitions_changed"):
        text += "（考核指标设置在本月得分计算后有调整，表列得分以计算时的设置为准。）"
    return ctx.p(text)


def _matrix(ctx: Ctx, rows: list[dict], defs: list[dict], name) -> Table:
    deduct = _deduction_col(rows)
    cols = [Col("单位", "l", 1)] + [Col(KPI_HEADS.get(d["code"], d["name"].split("(")[0])) for d in defs]
    cols += [Col("指标\n得分")] + ([Col("考核\n扣分")] if deduct else []) + [Col("综合\n得分"), Col("排名")]
    data = []
    for r in rows:
        bands = r.get("bands") or {}
        line = [_marked(name(r), is_idle(r))]
        line += [f"{_kpi_value(d['code'], r.get(d['code']))} {bands.get(d['code'], '—')}" for d in defs]
        line += [_num(r.get("kpi_score", r.get("score")))] + ([_num(r.get("deduction_points"))] if deduct else [])
        line += [_num(r["score"]), r["rank"]]
        data.append(line)
    return _table(ctx.st, cols, data, size=8)


def _ties(rows: list[dict], name) -> str:
    groups: dict[int, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["rank"], []).append(r)
    tied = [(rank, g) for rank, g in sorted(groups.items()) if len(g) > 1]
    return "；".join(f"{'、'.join(_esc(name(r)) for r in g)}得分均为{_num(g[0]['score'])}分，并列第{rank}名"
                    for rank, g in tied)


def appendix(ctx: Ctx) -> list:
    """附件 考核评分说明: the rules, each level's cut-offs, every row's bands and a worked example."""
    s = ctx.s
    card = s["scorecard"]
    rules = s.get("score_rules") or {}
    points = _points(ctx)
    unit_defs, dept_defs = _definitions(ctx, "unit"), _definitions(ctx, "department")
    pts = "、".join(f"{k}档{v}分" for k, v in points.items())
    out = [PageBreak(), Paragraph("附件", ctx.st["annex_label"]), Paragraph("考核评分说明", ctx.st["annex_title"])]
    sub = Ctx(s=s, st=ctx.st)  # the appendix numbers its own headings
    out.append(sub.h1("计分方法"))
    text = (f"每项考核指标按其数值落入的档位计分（{pts}）；指标得分＝Σ（档位分值×权重）÷Σ权重，"
            "全部启用指标均参与计算，权重不因缺少数据而重新分摊。")
    if rules.get("nothing_to_rate_band"):
        text += (f"当月无可考核数据（无投诉，或整改按期完成率无到期整改事项）的指标按{rules['nothing_to_rate_band']}档计；"
                 f"有投诉但缺少评价所需数据（无回访、无用户数、无接单时间等）的指标按{rules['missing_data_band']}档计。")
    if _deduction_col(card["units"]) or _deduction_col(card["departments"]):
        text += "综合得分＝指标得分－考核扣分，最低为0分。"
    else:
        text += "综合得分即指标得分。"
    text += "得分相同者并列同一名次，其后名次顺延（如1、2、2、4）；排名变化为上月名次减本月名次。"
    out.append(ctx.p(text))
    for i, (level, defs) in enumerate((("地市公司", unit_defs), ("责任单位（地市公司×专业部门）", dept_defs))):
        if not defs:
            continue
        out.append(sub.h2(i, f"{level}考核指标及档位界值"))
        out.append(_table(ctx.st, [Col("指标", "l", 1), Col("方向"), Col("权重"),
                                   *[Col(f"{b}档（{points[b]}分）") for b in "ABCDE"]],
                          [[d["name"], "越低越好" if d["polarity"] == "lower" else "越高越好", _num(float(d["weight"])),
                            *[_cut(d, b) for b in "ABCDE"]] for d in defs], size=8.5))
    units = card["units"]
    if units and unit_defs:
        out += [CondPageBreak(60 * mm), sub.h1("地市公司得分明细"),
                ctx.p("表中每格为指标数值及所落档位；“—”为无数值（按规则计分，见计分方法）。", "note"),
                _matrix(ctx, units, unit_defs, lambda r: short_unit(r["unit"]))]
        best = units[0]
        out.append(_example(ctx, best, unit_defs, best["unit"]))
        ties = _ties(units, lambda r: short_unit(r["unit"]))
        if ties:
            out.append(ctx.p(f"并列情况：{ties}。"))
    depts = card["departments"]
    if depts and dept_defs:
        heading = [CondPageBreak(60 * mm), sub.h1("责任单位得分明细")]
        order: list[str] = []
        for d in depts:
            if d["department"] not in order:
                order.append(d["department"])
        for i, name in enumerate(order):
            rows = [d for d in depts if d["department"] == name]
            # The section heading travels with the first department's table (no orphaned heading).
            lead = heading[1:] if i == 0 else []
            out += heading[:1] if i == 0 else []
            out.append(KeepTogether([*lead, sub.h2(i, _esc(name)),
                                     _matrix(ctx, rows, dept_defs, lambda r: short_unit(r["unit"]))]))
            ties = _ties(rows, lambda r: short_unit(r["unit"]))
            if ties:
                out.append(ctx.p(f"并列情况：{ties}。", "note"))
    return out


def colophon(ctx: Ctx) -> list:
    """版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期 between rules."""
    st = ctx.st
    copy_to = (ctx.doc.get("copy_to") or "").strip()
    distributor = ctx.doc.get("distributor") or ctx.issuer
    when = "征求意见稿，未印发" if ctx.draft else f"{_cn_date(ctx.s['issued_on'])}印发"
    line = Table([[Paragraph(_esc(distributor), st["colophon"]),
                   Paragraph(_esc(when), ParagraphStyle("cr", parent=st["colophon"], alignment=TA_RIGHT))]],
                 colWidths=[TEXT_W * 0.62, TEXT_W * 0.38])
    line.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), SERIF, 11), ("LEFTPADDING", (0, 0), (-1, -1), BODY), ("RIGHTPADDING", (0, 0), (-1, -1), BODY),
                              ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    parts: list = [Rule(1.0, INK, 3)]
    if copy_to:
        parts += [Table([[Paragraph(f"抄送：{_esc(copy_to.rstrip('。'))}。", st["colophon"])]], colWidths=[TEXT_W],
                        style=[("FONT", (0, 0), (-1, -1), SERIF, 11), ("LEFTPADDING", (0, 0), (-1, -1), BODY), ("RIGHTPADDING", (0, 0), (-1, -1), BODY)]),
                  Rule(0.5, INK, 3)]
    parts += [line, Rule(1.0, INK, 3)]
    return [AtPageBottom(parts)]


SECTIONS = [head, summary, categories, hourly, unit_ranking, department_ranking, hotspots, incidents, overdue,
            deductions, proactive, closing, appendix, colophon]


# --- page furniture ---------------------------------------------------------------------------------

def _canvas_class(snapshot: dict):
    draft = bool(snapshot.get("draft"))
    issued = dt.date.fromisoformat(snapshot["issued_on"])
    # The PDF's CreationDate/ModDate: the issue date at 00:00 UTC+8, from the snapshot, never the clock.
    epoch = int(dt.datetime(issued.year, issued.month, issued.day, tzinfo=dt.timezone(dt.timedelta(hours=8)))
                .timestamp())

    class NoticeCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.update(invariant=1, initialFontName=SERIF, initialFontSize=BODY)
            super().__init__(*args, **kwargs)
            stamp = TimeStamp(1)
            stamp.t, stamp.lt = epoch, time.gmtime(epoch + 8 * 3600)
            stamp.YMDhms, stamp.dhh, stamp.dmm, stamp.tzname = tuple(stamp.lt)[:6], 8, 0, "UTC+8"
            self._doc._timeStamp = stamp

        def showPage(self):
            self._furniture(self.getPageNumber())
            super().showPage()

        def _furniture(self, number: int) -> None:
            # GB/T 9704 §7.5: 「— 1 —」 under the text block, odd pages right, even pages left.
            self.saveState()
            self.setFont(SERIF, 12)
            self.setFillColor(INK)
            y = MARGIN_BOTTOM - 12 * mm
            text = f"— {number} —"
            if number % 2:
                self.drawRightString(PAGE_W - MARGIN_RIGHT - BODY, y, text)
            else:
                self.drawString(MARGIN_LEFT + BODY, y, text)
            self.restoreState()
            if draft:
                self._draft_mark()

        def _draft_mark(self) -> None:
            # Text, not an image: pdftotext (and a reader's search) finds it on every page, and a
            # printed draft can never pass for the published notice.
            self.saveState()
            self.setFillColor(RED)
            self.setFont(SANS, 11)
            self.drawRightString(PAGE_W - MARGIN_RIGHT, PAGE_H - 15 * mm, DRAFT_MARK)
            self.setFillColor(colors.Color(0.83, 0, 0, alpha=0.10))
            self.setFont(SANS, 60)
            self.translate(PAGE_W / 2, PAGE_H / 2)
            self.rotate(35)
            self.drawCentredString(0, -20, DRAFT_MARK)
            self.restoreState()

    return NoticeCanvas


# --- the document -----------------------------------------------------------------------------------

def render_notice_pdf(snapshot: dict, *, font_path: str | None = None, serif_path: str | None = None,
                      kai_path: str | None = None) -> bytes:
    """The notice as PDF bytes. ``snapshot`` is what ``selectors.build_snapshot`` returns.

    ``font_path`` is the sans (黑体) face — for a schema 1/2 snapshot the only face, as before;
    ``serif_path`` and ``kai_path`` the 明/宋 and 楷 faces (the Debian files when not given)."""
    if _schema(snapshot) < 3:
        return render_v2(snapshot, font_path=font_path)
    register_font(SERIF, font_file(SERIF, serif_path))
    register_font(SANS, font_file(SANS, font_path))
    register_font(KAI, font_file(KAI, kai_path))
    ctx = Ctx(s=snapshot, st=_styles())
    out = io.BytesIO()
    issuer = ctx.issuer
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{snapshot['number']} {snapshot['title']}", author=issuer,
        subject=f"{snapshot['month']} 95598客户投诉管控通报 第{snapshot.get('version', 1)}版",
        creator="Scorecard", producer="Scorecard (ReportLab)", keywords=f"95598,{snapshot['month']}",
        invariant=1, lang="zh-CN",
    )
    story: list = []
    for section in SECTIONS:
        story += section(ctx)
    doc.build(story, canvasmaker=_canvas_class(snapshot))
    return out.getvalue()
