"""Bad input: every error names its row and column, and a file with any error imports nothing."""
import pytest

from scorecard.complaints.models import Customer, WorkOrder
from scorecard.imports.services import import_file
from scorecard.grid.models import District, Feeder, OrgUnit

from tests.fixtures.import_files import WO_HEADER, sample_orders, wo, write_table

# Units are master data: the work-order files name units that must exist already.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


def _errors(tmp_path, rows, header=WO_HEADER, kind="workorders", name="bad.csv"):
    result = import_file(kind=kind, path=write_table(tmp_path / name, header, rows))
    assert not result.ok
    return [(e.row, e.column, e.reason) for e in result.errors]


def _nothing_written():
    assert WorkOrder.objects.count() == 0
    assert Customer.objects.count() == 0
    assert District.objects.count() == 0
    assert Feeder.objects.count() == 0
    assert OrgUnit.objects.count() == 5  # the sample's province, 2 cities, county, station: nothing new


def test_one_bad_row_among_good_ones_imports_nothing(tmp_path):
    rows = sample_orders()
    rows[2][1] = "2026-02-30 10:00"  # row 4 of the sheet (header is row 1)
    errors = _errors(tmp_path, rows)
    assert len(errors) == 1
    row, column, reason = errors[0]
    assert (row, column) == (4, "受理时间")
    assert "2026-02-30 10:00" in reason
    _nothing_written()


def test_errors_after_a_full_chunk_still_roll_back_everything(tmp_path, monkeypatch):
    # Chunks before the bad row were already written inside the transaction.
    monkeypatch.setattr("scorecard.imports.importers.base.CHUNK_ROWS", 2)
    rows = sample_orders()
    rows[4][2] = "投拆"
    assert _errors(tmp_path, rows)[0][:2] == (6, "业务类型")
    _nothing_written()


def test_every_bad_row_is_reported(tmp_path):
    rows = sample_orders()
    rows[0][2] = "投拆"  # unknown business type
    rows[1][3] = "供电"  # unknown category
    rows[3][4] = "频繁停电"  # subcategory of 供电质量, not of 服务
    rows[4][1] = "明天上午"  # not a date
    errors = _errors(tmp_path, rows)
    assert [(r, c) for r, c, _ in errors] == [(2, "业务类型"), (3, "一级分类"), (5, "二级分类"), (6, "受理时间")]
    assert "投拆" in errors[0][2]
    assert "供电" in errors[1][2]
    assert "频繁停电" in errors[2][2] and "服务" in errors[2][2]
    _nothing_written()


@pytest.mark.parametrize(("change", "column", "needle"), [
    ({2: "投拆"}, "业务类型", "未知的业务类型"),
    ({3: "不存在的分类"}, "一级分类", "未知的一级分类"),
    ({4: "服务态度"}, "二级分类", "不属于一级分类"),  # 服务态度 belongs to 服务, not 供电质量
    ({5: "过电压"}, "三级分类", "不属于二级分类"),  # 频繁停电 has no 过电压
    ({3: ""}, "一级分类", "投诉工单必须填写一级分类"),
    ({6: ""}, "客户编号", "投诉工单必须填写客户编号"),
    ({2: "咨询", 3: "", 4: "频繁停电"}, "二级分类", "一级分类为空"),
    ({1: "2026-03-01 25:00"}, "受理时间", "不是有效的时间"),
    ({1: "3/1/2026 10:00"}, "受理时间", "不是有效的时间"),
    ({1: ""}, "受理时间", "不能为空"),
    ({0: ""}, "工单编号", "不能为空"),
    ({9: ""}, "地市单位", "不能为空"),
    ({18: "2026-03-01 09:00"}, "办结时间", "办结时间早于受理时间"),
    ({17: "yesterday"}, "接单时间", "不是有效的时间"),
    ({19: "很满意"}, "回访满意度", "满意/基本满意/不满意"),  # 非常满意 is a seeded alias of 满意
    ({15: "客服部"}, "责任部门", "营销/运检/发展/基建/调控"),
    ({0: "W" * 41}, "工单编号", "超过上限 40"),
])
def test_invalid_work_order_values(tmp_path, change, column, needle):
    row = wo(accepted="2026-03-01 10:00")
    for i, value in change.items():
        row[i] = value
    errors = _errors(tmp_path, [wo("OK1"), row])
    assert errors[0][:2] == (3, column), errors
    assert needle in errors[0][2], errors
    _nothing_written()


def test_non_complaints_need_no_category_or_customer(tmp_path):
    result = import_file(kind="workorders", path=write_table(tmp_path / "ok.csv", WO_HEADER, [
        wo("Q1", btype="咨询", cat="", sub="", customer="")]))
    assert result.ok and result.created == 1
    assert WorkOrder.objects.get(order_no="Q1").customer_id is None


def test_duplicate_keys_name_both_rows(tmp_path):
    rows = [wo("WO1"), wo("WO2"), wo("WO1", accepted="2026-03-09 10:00")]
    errors = _errors(tmp_path, rows)
    assert errors == [(4, "工单编号", "工单编号 WO1 在文件中重复：第 2 行已出现")]
    _nothing_written()


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = import_file(kind="workorders", path=path)
    assert not result.ok and result.errors[0].row == 1 and "文件为空" in result.errors[0].reason
    path.write_text("\n \n,,,\n", encoding="utf-8")  # blank lines only: still empty
    assert "文件为空" in import_file(kind="workorders", path=path).errors[0].reason


def test_header_only_file_has_no_data(tmp_path):
    result = import_file(kind="workorders", path=write_table(tmp_path / "h.csv", WO_HEADER, []))
    assert [(e.row, e.reason) for e in result.errors] == [(2, "文件只有表头，没有数据行")]


def test_file_without_header_row(tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("WO1,2026-03-01 09:00,投诉,供电质量\nWO2,2026-03-01 10:00,咨询,\n", encoding="utf-8")
    result = import_file(kind="workorders", path=path)
    assert len(result.errors) == 1
    assert result.errors[0].row == 1 and "前 10 行中没有表头" in result.errors[0].reason
    _nothing_written()


def test_missing_required_column_is_named(tmp_path):
    header = [h for h in WO_HEADER if h != "业务类型"]
    rows = [[v for h, v in zip(WO_HEADER, wo()) if h != "业务类型"]]
    errors = _errors(tmp_path, rows, header=header)
    assert errors == [(1, "业务类型", "缺少必需的列“业务类型”（或 business_type）")]
    _nothing_written()


def test_unreadable_files(tmp_path):
    bogus = tmp_path / "fake.xlsx"
    bogus.write_bytes(b"this is not a zip")
    assert "无法读取 XLSX" in import_file(kind="workorders", path=bogus).errors[0].reason
    other = tmp_path / "data.json"
    other.write_text("{}")
    assert "不支持的文件类型" in import_file(kind="workorders", path=other).errors[0].reason
    assert "文件不存在" in import_file(kind="workorders", path=tmp_path / "nope.csv").errors[0].reason
    with pytest.raises(ValueError):
        import_file(kind="orders", path=other)


def test_a_nul_character_names_its_row(tmp_path):
    # No database text column can hold NUL: it used to surface as the database's refusal, without a row.
    rows = sample_orders()
    rows[2][20] = "咨询\x00电价"  # row 4 of the sheet
    errors = _errors(tmp_path, rows)
    assert len(errors) == 1 and errors[0][0] == 4 and "NUL" in errors[0][2], errors
    _nothing_written()


def test_dry_run_writes_nothing_but_reports_what_would_happen(tmp_path):
    path = write_table(tmp_path / "o.csv", WO_HEADER, sample_orders())
    result = import_file(kind="workorders", path=path, dry_run=True)
    assert result.ok and result.dry_run
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    _nothing_written()
    import_file(kind="workorders", path=path)
    rows = sample_orders()
    rows[0][19] = "满意"
    before = list(WorkOrder.objects.order_by("order_no").values())
    result = import_file(kind="workorders", path=write_table(tmp_path / "p.csv", WO_HEADER, rows), dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    assert list(WorkOrder.objects.order_by("order_no").values()) == before
    bad = import_file(kind="workorders", path=write_table(tmp_path / "q.csv", WO_HEADER, [wo(btype="?")]),
                      dry_run=True)
    assert not bad.ok and bad.errors[0].column == "业务类型"


def test_progress_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr("scorecard.imports.importers.base.PROGRESS_EVERY", 2)
    seen = []
    import_file(kind="workorders", path=write_table(tmp_path / "o.csv", WO_HEADER, sample_orders()),
                progress=seen.append)
    assert seen == [2, 4, 5]


def test_error_list_is_capped_with_a_count_of_the_rest(tmp_path, settings):
    settings.IMPORT_MAX_STORED_ERRORS = 3
    rows = [wo(f"E{i}", btype="投拆") for i in range(5)]
    errors = _errors(tmp_path, rows)
    assert [e[0] for e in errors[:3]] == [2, 3, 4]
    # The rest counted per cause (issue #15), then in total.
    assert errors[3][0] == 1 and errors[3][2].endswith("（另有 2 行同样的错误未列出）") and errors[3][1] == errors[0][1]
    assert errors[4] == (1, "", "另有 2 处错误未列出（只列出前 3 处）") and len(errors) == 5
