"""Benchmark: the work-order importer's per-row cost (read + parse, no writes), this tree against another.

Usage:

    python bench/parse.py [--orders 200000] [--repeats 7] [--baseline /path/to/other/checkout]

The part of an import that per-row changes (aliases, more columns, value parsers) can slow is
reading and parsing each row; the database's share does not move with them. This times exactly
that part — ``TableReader`` + ``WorkOrderImporter.parse`` over the demo province's work-order file,
the import profile loaded — in process CPU seconds, in child processes that alternate between this
tree and ``--baseline`` (a checkout of an earlier commit, e.g. a ``git worktree add --detach``), each
on its own SQLite database holding the file's 台区 and org units (migrated and loaded once per tree).
Prints the median, mean and best of each tree and the ratio of the medians (this tree : baseline);
``--json`` adds one JSON line. Without ``--baseline`` it times this tree alone.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_setup(db: str, districts: str) -> None:
    """Migrate the tree's database and load the 台区 (with their org units) the orders name."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from scorecard.imports.services import import_file

    result = import_file(kind="districts", path=districts)
    if not result.ok:
        sys.exit(f"districts: {result.errors[:3]}")


def child_time(db: str, orders: str) -> None:
    """Read and parse every row of ``orders`` once; print the CPU seconds and the rows parsed."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()
    from scorecard.imports.importers.base import (
        HEADER_SEARCH_ROWS,
        ErrorList,
        TableReader,
        header_finder,
        resolve_header,
    )
    from scorecard.imports.importers.workorders import WorkOrderImporter
    from scorecard.imports.profiles import load_profile

    profile = load_profile("workorders")
    started = time.process_time()
    rows = parsed = 0
    with TableReader(orders, is_header=header_finder(WorkOrderImporter.columns, profile),
                     search_rows=HEADER_SEARCH_ROWS) as table:
        index, headers, header_errors = resolve_header(table.header, WorkOrderImporter.columns, profile,
                                                       header_row=table.header_row)
        assert not header_errors, header_errors
        errors = ErrorList()
        importer = WorkOrderImporter(index=index, headers=headers, errors=errors,
                                     value_aliases=profile.value_aliases(WorkOrderImporter.columns))
        importer.prepare()
        for number, cells in table.rows():
            rows += 1
            if importer.parse(number, cells) is not None:
                parsed += 1
        importer.lane.close()
    print(json.dumps({"cpu": time.process_time() - started, "rows": rows, "parsed": parsed}))


def run(tree: Path, *args: str) -> dict | None:
    """This script as a child that imports ``scorecard`` from ``tree`` (PARSE_TREE): the same timing
    code for both trees, only the code under test differs."""
    env = {**os.environ, "PARSE_TREE": str(tree)}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=tree, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[-1]) if out and out[-1].startswith("{") else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with (timed by this script)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-setup", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-time", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if os.environ.get("PARSE_TREE"):
        sys.path.insert(0, os.environ["PARSE_TREE"])
    if args.child_setup:
        return child_setup(*args.child_setup)
    if args.child_time:
        return child_time(*args.child_time)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        tmp = Path(tmp)
        from scorecard.demo.generator import write_demo_csvs  # the same file for both trees

        paths = write_demo_csvs(tmp / "csv", orders=args.orders)
        trees = {"this": ROOT}
        if args.baseline:
            trees["baseline"] = args.baseline.resolve()
        for name, tree in trees.items():
            run(tree, "--child-setup", str(tmp / f"{name}.sqlite3"), str(paths["districts"]))
        for name, tree in trees.items():  # a warm-up run per tree (page cache, .pyc files), not counted
            run(tree, "--child-time", str(tmp / f"{name}.sqlite3"), str(paths["workorders"]))
        times: dict[str, list[float]] = {name: [] for name in trees}
        rows = {}
        for _ in range(args.repeats):
            for name, tree in trees.items():  # alternating, so that load from elsewhere hits both alike
                figures = run(tree, "--child-time", str(tmp / f"{name}.sqlite3"), str(paths["workorders"]))
                times[name].append(figures["cpu"])
                rows[name] = (figures["rows"], figures["parsed"])
    print(f"parse-only CPU, {args.orders:,} work orders, median of {args.repeats} after one warm-up run per tree "
          f"(load average at end {os.getloadavg()[0]:.1f})")
    for name, values in times.items():
        print(f"  {name:8s} median {statistics.median(values):.2f} s  mean {statistics.mean(values):.2f} s  "
              f"best {min(values):.2f} s  rows {rows[name][0]:,} parsed {rows[name][1]:,}  ({trees[name]})")
    result = {name: statistics.median(values) for name, values in times.items()}
    if "baseline" in result:
        ratio = result["this"] / result["baseline"]
        print(f"  ratio this : baseline = {ratio:.3f} ({(ratio - 1) * 100:+.1f} %)")
        result["ratio"] = ratio
    if args.json:
        print(json.dumps({"bench": "parse", "orders": args.orders, "repeats": args.repeats, **result}))


if __name__ == "__main__":
    main()
