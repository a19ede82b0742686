"""`make bench`: run every benchmark and print one table.

    DATABASE_URL=postgres://.../scorecard_bench python bench/run_all.py [--only import,profile,...]
        [--import-orders 1000000] [--with-load] [--with-faults] [--markdown]

Each bench runs as a subprocess with ``--json`` (its human-readable output is shown as it
goes, prefixed with its name) and the table is built from the JSON lines: step, time, rows/s,
baseline and ratio, peak RSS (the bench's own figure, else the subprocess's from wait4),
target and whether it is met. The database is expected to hold the 1,000,000-order demo
province (``manage.py seed_demo --orders 1000000``); bench/import.py works in a scratch
database of its own next to it. ``--with-load`` adds the locust run (bench/load.py, 2 min)
and ``--with-faults`` the fault drills (bench/faults.py, private servers).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

BENCHES = {
    "demo_generator": ["bench/demo_generator.py", "--orders", "1000000"],
    # With the monthly increment against its row-by-row floor in the same run (issue #16).
    "import": ["bench/import.py", "--increment"],
    "profile": ["bench/profile.py"],
    # N=9: the product and its baseline are within a few per cent, three rounds cannot tell them apart.
    "scorecard": ["bench/scorecard.py", "--repeat", "9"],
    "tracing": ["bench/tracing.py"],
    "notice": ["bench/notice.py"],
    # Publishing a month (re-trace, scorecard, the freezes), rolled back, against compute_scorecard.
    "publish": ["bench/publish.py"],
    "pandas": ["bench/pandas_baseline.py"],
    # The first visitor after a data change, with and without the warm-up, and six at once (issue #16).
    "first_visitor": ["bench/first_visitor.py", "--rounds", "3"],
    # Once (no warm-up): each run is 13 months' features, 13 fits and the backtest, ~30 s.
    "early_warning": ["bench/early_warning.py", "--repeat", "1", "--warmup", "0"],
    "load": ["bench/load.py"],
    "faults": ["bench/faults.py"],
}


def machine() -> dict:
    info = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
            "python": platform.python_version()}
    try:
        mem = dict(line.split(":", 1) for line in open("/proc/meminfo"))
        info["ram_gb"] = round(int(mem["MemTotal"].split()[0]) / 1024 / 1024, 1)
        cpu = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        info["cpu"] = cpu[0] if cpu else platform.processor()
        info["load_avg"] = " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        pass
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        try:
            import psycopg

            with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
                info["orders"] = conn.execute("SELECT count(*) FROM complaints_workorder").fetchone()[0]
        except Exception as exc:  # the table says what it could not find out
            info["postgresql"] = f"unknown ({exc.__class__.__name__})"
    return info


def run(name: str, args: list[str]) -> dict:
    print(f"\n== {name}: {' '.join(args)}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "scorecard.settings"}
    started = time.perf_counter()
    proc = subprocess.Popen([PY, *args, "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    figures: dict = {}
    for line in proc.stdout:
        if line.startswith("{") and '"bench"' in line:
            figures = json.loads(line)
        else:
            print(f"  [{name}] {line.rstrip()}", flush=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    figures.setdefault("peak_rss_mb", usage.ru_maxrss / 1024)
    figures["exit"] = proc.returncode
    figures["wall_s"] = time.perf_counter() - started
    return figures


def fmt_s(v):
    return "—" if v is None else (f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s")


def rows_for(name: str, f: dict, others: dict | None = None) -> list[list]:
    """Table rows: step, time, rows/s, baseline, ratio, peak RSS, target, met (``others``: every bench's figures)."""
    rss = f"{f.get('peak_rss_mb', 0):.0f} MB"
    if "bench" not in f:
        return [[name, "failed", "", "", "", rss, "", f"NO (exit {f['exit']})"]]
    if name == "demo_generator":
        return [["generate 1M-order province (CSV)", fmt_s(f["seconds"]), f"{f['rows'] / f['seconds']:,.0f}",
                 f"csv.writer {fmt_s(f['baseline_s'])}", f"{f['ratio']:.1f}x CPU", rss, "< 60 s",
                 "yes" if f["seconds"] < 60 else "NO"]]
    if name == "import":
        ok = f["ratio"] <= 3 and f["peak_rss_mb"] < 1024
        out = [["import 1M work orders", fmt_s(f["seconds"]), f"{f['rows_per_s']:,.0f}",
                f"raw COPY {fmt_s(f['copy_s'])}", f"{f['ratio']:.2f}x", rss, "≤ 3x COPY, < 1 GB",
                "yes" if ok else "NO"]]
        if "floor_s" in f:
            out.append(["  (row-by-row floor: INSERT…SELECT)", fmt_s(f["floor_s"]), f"{f['rows'] / f['floor_s']:,.0f}",
                        "", f"import {f['ratio_floor']:.2f}x floor", "", "", ""])
        if "floor_fk_s" in f:
            out.append(["  of which FK checks / secondary indexes / keys only",
                        " / ".join(fmt_s(f[k]) for k in ("floor_fk_s", "floor_indexes_s", "floor_keys_s")), "",
                        "", f"keys only {f['floor_keys_s'] / f['copy_s']:.2f}x COPY", "", "", ""])
        if "bulk_floor_s" in f:
            out.append(["  (bulk-way floor: drop, INSERT…SELECT, rebuild)", fmt_s(f["bulk_floor_s"]),
                         f"{f['rows'] / f['bulk_floor_s']:,.0f}", "",
                         f"{f['bulk_floor_s'] / f['copy_s']:.2f}x COPY; import {f['ratio_bulk_floor']:.2f}x",
                         "", "", ""])
        if "bulk_floor_customers_s" in f:  # shown beside it; the verdict stays on the floor above
            out.append(["  (the same, with the customers the file creates)", fmt_s(f["bulk_floor_customers_s"]),
                        "", "", f"import {f['ratio_bulk_floor_customers']:.2f}x", "", "", ""])
        if "increment" in f:
            i = f["increment"]
            out.append([f"monthly increment ({i['rows']:,} orders into the table)", fmt_s(i["seconds"]),
                        f"{i['rows_per_s']:,.0f}", f"row-by-row floor {fmt_s(i['floor_s'])}",
                        f"{i['ratio_floor']:.2f}x", f"{i['peak_rss_mb']:.0f} MB", "≤ 1.5x floor",
                        "yes" if i["ratio_floor"] <= 1.5 else "NO"])
        if "ratio_bulk_floor" in f:
            out.append(["  1M import against the bulk-way floor", "", "", "", f"{f['ratio_bulk_floor']:.2f}x", "",
                        "≤ 1.5x floor", "yes" if f["ratio_bulk_floor"] <= 1.5 else "NO"])
        return out
    if name == "first_visitor":
        out = []
        for page, p in f["pages"].items():
            worst = max(p["during_warm_up"]["median_s"], p["after_warm_up"]["median_s"])
            out.append([f"first visitor: {page} (during / after the warm-up)",
                        f"{fmt_s(p['during_warm_up']['median_s'])} / {fmt_s(p['after_warm_up']['median_s'])}", "",
                        f"cold {fmt_s(p['cold']['median_s'])}", "", "", "< 300 ms",
                        "yes" if worst < 0.3 else "NO"])
        six = f["six_at_once"]
        out.append(["six first visitors at once (p95)", fmt_s(six["during_warm_up"]["p95_s"]), "",
                    f"no warm-up {fmt_s(six['single_flight']['p95_s'])}, no lock {fmt_s(six['no_lock']['p95_s'])}",
                    "", rss, "< 500 ms", "yes" if f["target_six_met"] else "NO"])
        out.append(["  warm-up task", fmt_s(f["warm_up_s"]), "", "", "", "", "", ""])
        return out
    if name == "profile":
        # Both ratios of the same interleaved run (bench/timing.measure_pair): #16 asks ≤ 1.0x of both.
        worst = max(f["ratio"], f.get("ratio_median_of_rounds", f["ratio"]))
        ok = f["median_s"] < 1 and worst <= 1
        return [["complaint profile (1 month)", fmt_s(f["median_s"]), "", f"competent SQL {fmt_s(f['baseline_median_s'])}",
                 f"{f['ratio']:.2f}x (rounds {f.get('ratio_median_of_rounds', f['ratio']):.2f}x)", rss,
                 "< 1 s, ≤ 1.0x SQL (#16)", "yes" if ok else "NO"]]
    if name == "scorecard":
        return [["bottleneck tracing (1 month)", fmt_s(f["trace_s"]), "", "", "", rss, "(read-out < 2 s)", ""],
                ["scorecard compute (1 month)", fmt_s(f["compute_s"]), "", f"SQL {fmt_s(f['baseline_s'])}",
                 f"{f['ratio']:.2f}x", "", "≤ 1.0x SQL (#16)", "yes" if f["ratio"] <= 1 else "NO"],
                ["scorecard read-out (trace + 2 months)", fmt_s(f["readout_s"]), "", "", "", "", "< 2 s",
                 "yes" if f["readout_s"] < 2 else "NO"],
                ["  same, last month published", fmt_s(f["readout_published_s"]), "", "", "", "", "< 2 s",
                 "yes" if f["readout_published_s"] < 2 else "NO"]]
    if name == "tracing":
        return [["tracing: detect (1 month)", fmt_s(f["detect_s"]), "", f"SQL {fmt_s(f['baseline_s'])}",
                 # A component of the scorecard read-out (whose < 2 s, ≤ 2x is the target).
                 f"{f['ratio']:.2f}x", rss, "— (component)", ""],
                ["tracing: trace_month (detect + write + link)", fmt_s(f["trace_s"]), "", "", "", "", "", ""]]
    if name == "publish":
        return [[f"publish a month ({f['attributions']:,} complaints, {f['frozen_complaints']:,} frozen rows)",
                 fmt_s(f["publish_s"]), "", f"compute_scorecard {fmt_s(f['compute_s'])}", f"{f['ratio']:.1f}x",
                 rss, "(no target)", ""]]
    if name == "notice":
        return [["notice: cold snapshot + PDF render", fmt_s(f["total_s"]), "",
                 f"empty notice {fmt_s(f['baseline_s'])}", f"render {f['render_s'] / f['baseline_s']:.1f}x", rss,
                 "< 3 s", "yes" if f["total_s"] < 3 else "NO"]]
    if name == "pandas":
        out = [["analyst's way: COPY→CSV + pandas", fmt_s(f["total_s"]), f"{f['rows'] / f['total_s']:,.0f}",
                f"export {fmt_s(f['export_s'])}, read {fmt_s(f['read_s'])}, compute {fmt_s(f['compute_s'])}",
                f"profile equal: {'yes' if f['profile_equal'] else 'NO'}", rss,
                f"{f['in_memory_mb']:.0f} MB of DataFrames", ""]]
        # Like for like: the analyst pays the export every time; the product paid the import once. Its
        # profile beside the import of the same rows at the import bench's rate (this run's, if it ran).
        imp = (others or {}).get("import") or {}
        if imp.get("rows") and imp.get("seconds") and f.get("product_profile_s"):
            rate_s = imp["seconds"] / imp["rows"]
            out.append(["  product's way: import (once) + complaint_profile", fmt_s(f["product_profile_s"]), "",
                        f"import of these {f['rows']:,} orders ≈ {fmt_s(f['rows'] * rate_s)} at the 1M import's "
                        f"{imp['rows'] / imp['seconds']:,.0f} rows/s", "", "", "", ""])
        return out
    if name == "early_warning":
        # The verdict is the monthly run's (bench/early_warning.py: last month's list stored, 3 fits), so
        # that is the figure printed beside it; the cold run (every fold trained) has its own line and
        # its own verdict — a table must not print a figure over its target next to "yes".
        cold_ok = f["seconds"] < 30
        return [[f"risk list ({f['districts']:,} 台区, monthly run: training + backtest)", fmt_s(f["monthly_s"]), "",
                 f"persistence {fmt_s(f['baseline_s'])}", f"{f['monthly_s'] / f['baseline_s']:.0f}x", rss,
                 "< 30 s, < 1 GB", "yes" if f["met"] else "NO"],
                ["  cold: no list stored, every backtest fold trained", fmt_s(f["seconds"]), "", "",
                 f"{f['ratio']:.0f}x", "", "< 30 s", "yes" if cold_ok else "NO"]]
    if name == "load":
        t = f["total"]
        return [[f"load: {f['users']} users, {f['time']}", f"p95 {t['pages_p95']:.0f} ms",
                 f"{t['requests'] / f.get('measured_s', f['seconds']):.1f} req/s", f"p50 {t['pages_p50']:.0f} / p99 {t['pages_p99']:.0f} ms",
                 f"{t['failures']} failures", "", "p95 < 300 ms, 0 errors", "yes" if f["met"] else "NO"]]
    if name == "faults":
        passed = sum(1 for d in f["drills"] if d["result"] == "PASS")
        return [["fault drills", fmt_s(f["wall_s"]), "", "", f"{passed}/{len(f['drills'])} passed", "", "all pass",
                 "yes" if passed == len(f["drills"]) else "NO"]]
    return [[name, fmt_s(f.get("wall_s")), "", "", "", rss, "", ""]]


def table(rows: list[list], markdown: bool) -> str:
    head = ["step", "time", "rows/s", "baseline", "ratio", "peak RSS", "target", "met?"]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in [head, *rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated: " + ",".join(BENCHES))
    parser.add_argument("--import-orders", type=int, default=1_000_000)
    parser.add_argument("--with-load", action="store_true", help="also the locust load test (2 min)")
    parser.add_argument("--with-faults", action="store_true", help="also the fault drills")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("make bench measures PostgreSQL: set DATABASE_URL=postgres://... (a database seeded with "
                 "`manage.py seed_demo --orders 1000000`)")
    names = args.only.split(",") if args.only else [n for n in BENCHES if n not in ("load", "faults")]
    names += [n for n, flag in (("load", args.with_load), ("faults", args.with_faults)) if flag and n not in names]
    unknown = set(names) - set(BENCHES)
    if unknown:
        sys.exit(f"unknown bench {sorted(unknown)}; expected {','.join(BENCHES)}")
    info = machine()
    results = {}
    for name in names:
        cmd = list(BENCHES[name])
        if name == "import":
            cmd += ["--orders", str(args.import_orders)]
        results[name] = run(name, cmd)
    rows = [r for name in names for r in rows_for(name, results[name], results)]
    print(f"\nmake bench — {info['date']}; {info.get('nproc')} CPUs ({info.get('cpu', '?')}), {info.get('ram_gb')} GB RAM, "
          f"PostgreSQL {info.get('postgresql', '?')}, Python {info['python']}; {info.get('orders', 0):,} work orders; "
          f"load average at start {info.get('load_avg', '?')}")
    print(table(rows, args.markdown))
    Path(ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-results.json").write_text(json.dumps({"machine": info, "results": results},
                                                               ensure_ascii=False, indent=1, default=str))
    return 0 if all(r["exit"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
