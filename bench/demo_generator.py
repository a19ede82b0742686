"""Benchmark: generating the demo province's CSVs, against writing the same number of
constant rows with csv.writer (the floor: file I/O and CSV quoting, no generation).

Usage:

    python bench/demo_generator.py [--orders 1000000] [--months 12]

Prints seconds, rows/s, the ratio generator : baseline and the peak RSS (the
generator streams, so memory must stay flat as --orders grows).
Target: 1,000,000 work orders in well under a minute, peak RSS well under 200 MB.
"""
from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scorecard.demo import HEADERS, write_demo_csvs  # noqa: E402


def baseline(path: Path, rows: int) -> float:
    row = ["GD202610000001", "2026-10-01 08:00:00", "投诉", "供电质量", "频繁停电", "", "7300000001", "张伟",
           "13800000000", "国网长沙供电公司", "芙蓉区供电公司", "城关供电所", "TQ4301000001", "金桥村1号台区",
           "10kV金桥线", "", "2026-10-01 08:10:00", "2026-10-01 08:30:00", "2026-10-02 10:00:00", "满意",
           "客户反映金桥村1号台区近期多次停电，影响正常生产生活，要求查明原因尽快解决。"]
    t, c = time.perf_counter(), time.process_time()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS["workorders"])
        for _ in range(rows):
            writer.writerow(row)
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--json", action="store_true", help="also print one JSON line with the figures (make bench)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        counts: dict[str, int] = {}
        t, c = time.perf_counter(), time.process_time()
        write_demo_csvs(Path(tmp) / "demo", orders=args.orders, months=args.months, end_month="2026-10",
                        counts=counts)
        gen, gen_cpu = time.perf_counter() - t, time.process_time() - c
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        base, base_cpu = baseline(Path(tmp) / "baseline.csv", args.orders)
    total_rows = sum(counts.values())
    # CPU seconds as well as wall time: on a shared machine the wall clock mostly measures the neighbours.
    print(f"generator: {args.orders} work orders, {total_rows} rows in 5 files: {gen:.1f} s wall, "
          f"{gen_cpu:.1f} s CPU ({total_rows / gen_cpu:,.0f} rows per CPU second), peak RSS {rss_mb:.0f} MB")
    print(f"baseline:  {args.orders} constant work-order rows with csv.writer: {base:.1f} s wall, "
          f"{base_cpu:.1f} s CPU")
    print(f"ratio generator : baseline (CPU) = {gen_cpu / base_cpu:.1f}x")
    if args.json:
        import json

        print(json.dumps({"bench": "demo_generator", "orders": args.orders, "rows": total_rows, "seconds": gen,
                          "cpu_s": gen_cpu, "baseline_s": base, "baseline_cpu_s": base_cpu,
                          "ratio": gen_cpu / base_cpu, "peak_rss_mb": rss_mb}))


if __name__ == "__main__":
    main()
