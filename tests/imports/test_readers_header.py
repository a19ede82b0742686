"""The header row is found among the first 10 rows: title and blank rows above it are skipped and reported."""
import pytest

from scorecard.imports.importers.base import header_finder
from scorecard.imports.importers.readers import TableReader
from scorecard.imports.importers.workorders import WorkOrderImporter
from scorecard.imports.services import import_file

from tests.fixtures.import_files import WO_HEADER, sample_orders, write_table

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]
TITLE = "95598工单明细（2026年3月）"


@pytest.mark.parametrize("name", ["o.csv", "o.xlsx"])
def test_title_rows_above_the_header_are_skipped_and_reported(tmp_path, name):
    path = write_table(tmp_path / name, WO_HEADER, sample_orders(), above=[[TITLE], ["", "导出时间：2026-04-01"]])
    result = import_file(kind="workorders", path=path)
    assert result.ok and result.created == 5
    assert result.header_row == 3
    assert result.skipped_rows == [(1, TITLE), (2, "导出时间：2026-04-01")]


def test_blank_rows_are_reported_too(tmp_path):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders(), above=[[TITLE], [], []])
    result = import_file(kind="workorders", path=path)
    assert result.ok and result.header_row == 4 and result.skipped_rows == [(1, TITLE), (2, ""), (3, "")]
    assert result.note_lines()[0] == f"表头在第 4 行，已跳过其上方的 3 行：第 1 行「{TITLE}」、第 2 行（空行）、第 3 行（空行）"


def test_a_header_below_row_10_is_not_found(tmp_path):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders(), above=[[f"说明第 {i} 行"] for i in range(10)])
    result = import_file(kind="workorders", path=path)
    assert [(e.row, e.reason[:12]) for e in result.errors] == [(1, "前 10 行中没有表头：")]
    # At row 10 it still is.
    path = write_table(tmp_path / "p.csv", WO_HEADER, sample_orders(), above=[[f"说明第 {i} 行"] for i in range(9)])
    assert import_file(kind="workorders", path=path).header_row == 10


def test_without_a_finder_the_first_non_empty_row_is_the_header(tmp_path):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders()[:1], above=[[], [TITLE]])
    with TableReader(path) as table:
        assert (table.header_row, table.header, table.skipped) == (2, [TITLE], [])
    with TableReader(path, is_header=header_finder(WorkOrderImporter.columns)) as table:
        assert (table.header_row, table.header[:2], table.skipped) == (3, WO_HEADER[:2], [(1, ""), (2, TITLE)])
        assert [n for n, _ in table.rows()] == [4]
