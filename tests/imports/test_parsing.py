"""The value parsers' COPY form of a time (scorecard.imports.importers.parsing.copy_text)."""
import datetime as dt

import pytest

from scorecard.complaints.models import WorkOrder
from scorecard.core.months import LOCAL_TZ
from scorecard.imports.importers.parsing import copy_text, parse_date_only, parse_datetime
from scorecard.imports.services import import_file

from tests.fixtures.import_files import WO_HEADER, wo, write_table


@pytest.mark.parametrize("cell", ["2026-03-01 09:05:00", "2026-03-01 09:05", "1992-01-01 00:00:00"])
def test_a_canonical_cell_is_sent_as_it_is_with_its_offset(cell):
    assert copy_text(cell, parse_datetime(cell)) == cell + "+08:00"


@pytest.mark.parametrize("cell", [
    "2026/03/01 09:05:00",  # slashes: PostgreSQL could misread them under another DateStyle
    "2026-3-1 09:05:00",
    "2026-03-01 9:05:00",
    "2026-03-01T09:05:00",
    "2026-03-01 09:05:00.5",
    "1990-07-01 12:00:00",  # summer time (UTC+9): only zoneinfo knows, never a fixed +08:00
    dt.datetime(2026, 3, 1, 9, 5),  # an Excel date cell
])
def test_any_other_cell_is_sent_as_the_parsed_moment(cell):
    value = parse_datetime(cell)
    assert copy_text(cell, value) is value


@pytest.mark.django_db
@pytest.mark.usefixtures("units")
def test_every_form_of_a_time_is_stored_as_the_moment_it_parses_to(tmp_path):
    cells = ["2026-03-01 09:05:00", "2026-03-01 09:05", "2026/03/02 10:06:07", "2026-3-3 8:00",
             "1990-07-01 12:00:00", "2026-03-04"]
    rows = [wo(f"WO{i}", accepted=cell, dispatched=cell, acknowledged=cell, closed=cell)
            for i, cell in enumerate(cells)]
    result = import_file(kind="workorders", path=write_table(tmp_path / "t.csv", WO_HEADER, rows))
    assert result.ok, [str(e) for e in result.errors]
    for i, cell in enumerate(cells):
        order = WorkOrder.objects.get(order_no=f"WO{i}")
        try:
            accepted = closing = parse_datetime(cell)
        except ValueError:  # a date alone: the start of the day, the end of it for the later steps
            accepted, closing = parse_date_only(cell), parse_date_only(cell, end_of_day=True)
        assert order.accepted_at == accepted, cell
        assert (order.dispatched_at, order.acknowledged_at, order.closed_at) == (closing,) * 3, cell
    # 1990's summer time really was an hour ahead of +08:00: the test would see a fixed offset.
    assert WorkOrder.objects.get(order_no="WO4").accepted_at == dt.datetime(1990, 7, 1, 3, tzinfo=dt.timezone.utc)
    assert LOCAL_TZ.utcoffset(dt.datetime(1990, 7, 1, 12)) == dt.timedelta(hours=9)
