"""Row errors as the analyst reads them: one line per distinct cause, and the full list as a file.

215 rows with the same unknown 三级分类 are one cause: ``第 3101、3102、3103、3104、3105… 行（共 215 行），
三级分类：…``. A cause of a single row keeps the ``row N, <column>: <reason>`` form of
interfaces.md, which is also every line of the full list (``import_data --errors FILE``); the
job page offers the full list as CSV (行号, 列, 原因).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .importers.base import RowError

# The first rows of a cause shown on its line; the rest are in the full list.
FIRST_ROWS = 5


@dataclass
class ErrorGroup:
    column: str
    reason: str
    rows: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def first_rows(self) -> str:
        """``3101、3102、3103、3104、3105…``: the first rows of the cause, an ellipsis if there are more."""
        return "、".join(str(r) for r in self.rows[:FIRST_ROWS]) + ("…" if self.count > FIRST_ROWS else "")

    @property
    def rows_text(self) -> str:
        """``3101、3102、3103、3104、3105…（共 215 行）``, or the row alone."""
        return self.first_rows if self.count == 1 else f"{self.first_rows}（共 {self.count} 行）"

    def __str__(self) -> str:
        if self.count == 1:
            return str(RowError(self.rows[0], self.column, self.reason))
        where = f"，{self.column}" if self.column else ""
        return f"第 {self.first_rows} 行（共 {self.count} 行）{where}：{self.reason}"


def _parts(error) -> tuple[int, str, str]:
    if isinstance(error, dict):  # as an ImportJob stores them
        return error["row"], error.get("column", ""), error["reason"]
    return error.row, error.column, error.reason


def group_errors(errors) -> list[ErrorGroup]:
    """RowErrors (or their dicts) grouped by (column, reason), in the order each cause first appears."""
    groups: dict[tuple[str, str], ErrorGroup] = {}
    for error in errors:
        row, column, reason = _parts(error)
        group = groups.get((column, reason))
        if group is None:
            group = groups[(column, reason)] = ErrorGroup(column, reason)
        group.rows.append(row)
    return list(groups.values())


def error_lines(errors) -> list[str]:
    """Every error as ``row N, <column>: <reason>``, one per line (the full list)."""
    return [str(RowError(*_parts(e))) for e in errors]


def error_rows(errors) -> list[dict]:
    """Every error as {row, column, reason} (the job page's CSV: ``tables.ImportErrorTable``)."""
    return [dict(zip(("row", "column", "reason"), _parts(e))) for e in errors]
