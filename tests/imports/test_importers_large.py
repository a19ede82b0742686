"""A 50 MB work-order export imports completely."""
import datetime as dt

import pytest

from scorecard.complaints.models import Customer, WorkOrder
from scorecard.imports.services import import_file
from scorecard.grid.models import District

from tests.fixtures.import_files import WO_HEADER, create_units

SUBS = [("供电质量", "频繁停电", ""), ("供电质量", "电压质量长时间异常", "低电压"), ("营业", "电费电价", ""),
        ("服务", "服务不规范", ""), ("停送电", "故障抢修", "抢修超时限"), ("电网建设", "施工影响", "")]
CONTENT = ("客户来电反映所在小区近期多次停电，影响正常生活，要求尽快查明原因并处理，请相关单位核实后回复客户。"
           "客户情绪较为激动，已告知将尽快安排人员现场核查。")


def write_big_orders(path, rows: int) -> int:
    """Stream ``rows`` varied work orders (~250 bytes each) into a UTF-8 CSV; return its size."""
    start = dt.datetime(2026, 1, 1, 0, 0)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(WO_HEADER) + "\r\n")
        for i in range(rows):
            accepted = start + dt.timedelta(minutes=i % 100_000, seconds=i % 60)
            closed = accepted + dt.timedelta(hours=1 + i % 90)
            complaint = i % 3 != 2
            cat, sub, det = SUBS[i % len(SUBS)] if complaint else ("", "", "")
            city = i % 14
            fh.write(
                f"WO{i:09d},{accepted:%Y-%m-%d %H:%M:%S},{'投诉' if complaint else '咨询'},{cat},{sub},{det},"
                f"C{i % 150_000:08d},客户{i % 150_000},1380000{i % 10_000:04d},国网第{city}供电公司,"
                f"第{city}县{i % 5}供电公司,,TQ{i % 20_000:06d},台区{i % 20_000},10kV{i % 3_000}线,,,,"
                f"{closed:%Y-%m-%d %H:%M:%S},{'满意' if i % 4 else ''},{CONTENT}\r\n")
    return path.stat().st_size


@pytest.mark.slow
@pytest.mark.django_db
def test_fifty_megabyte_file_imports_completely(tmp_path):
    path = tmp_path / "big.csv"
    rows = 200_000
    size = write_big_orders(path, rows)
    create_units([(f"国网第{c}供电公司", f"第{c}县{k}供电公司", "") for c in range(14) for k in range(5)])
    assert size >= 50 * 1024 * 1024
    progress = []
    result = import_file(kind="workorders", path=path, progress=progress.append)
    assert result.ok, result.errors[:5]
    assert (result.rows, result.created, result.updated, result.unchanged) == (rows, rows, 0, 0)
    assert progress[-1] == rows and len(progress) >= rows // 5_000
    assert WorkOrder.objects.count() == rows
    assert WorkOrder.objects.filter(is_complaint=True).count() == rows - rows // 3
    assert Customer.objects.count() == 150_000
    assert District.objects.count() == 20_000
    last = WorkOrder.objects.get(order_no=f"WO{rows - 1:09d}")
    assert last.customer_id == f"C{(rows - 1) % 150_000:08d}" and last.content == CONTENT
    # Re-importing is covered on small files (test_readers); not repeated here to keep the suite quick.
