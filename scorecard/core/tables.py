"""Table pieces every app's django-tables2 tables share: the figure column (one number format per kind,
``core.numbers``) and the header line-break points (issue #14: headers wrap between words, never inside
one, so a wide ranking fits 1366 px without 「责任部/门」)."""
import re

import django_tables2 as tables
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from scorecard.core.numbers import COUNT, HOURS, PER_10K, RATE, SCORE, display

__all__ = ["COUNT", "HOURS", "PER_10K", "RATE", "SCORE", "FigureColumn", "HEADER_BREAKS", "header_html", "NUM"]

# Right-aligned tabular figures (app.css: td.num).
NUM = {"td": {"class": "num"}}

# A header may break *before* these words (the measure after the subject: 「考核口径|投诉量」,
# 「按时|办结率%」) and before an opening bracket (「平均办结时长|(h)」). Chinese has no spaces, so
# without these points the browser breaks anywhere once the column is narrow (app.css: keep-all).
HEADER_BREAKS = ("投诉量", "投诉率", "办结率", "接单率", "按期率", "满意率", "客户数", "用户数", "时长", "中位数",
                 "得分", "扣分", "变化", "排名", "的指标", "（", "(")
_BREAK = re.compile("(" + "|".join(re.escape(w) for w in sorted(HEADER_BREAKS, key=len, reverse=True)) + ")")


def header_html(header) -> str:
    """The header text, escaped, with ``<wbr>`` before each break word that is not at its start."""
    text = str(conditional_escape(header))
    return mark_safe(_BREAK.sub(lambda m: ("<wbr>" if m.start() else "") + m.group(1), text))


class FigureColumn(tables.Column):
    """A figure printed the one way of its kind (core.numbers.display); exports get the number."""

    kind = SCORE

    def __init__(self, *args, kind: str | None = None, **kwargs):
        self.kind = kind or self.kind
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return display(value, self.kind)

    def value(self, value):
        return value
