"""Benchmark: importing work orders on PostgreSQL, against a raw COPY of the same file.

Usage:

    DATABASE_URL=postgres://user:pw@host/db python bench/import.py [--orders 1000000] [--in-place] [--keep] \
        [--increment [--increment-repeat 3]]

Steps, all in one run:
1. generate the demo province's CSVs (``scorecard.demo.generator.write_demo_csvs``;
   a small built-in generator if that module is missing) with N work orders;
2. in a scratch database created next to DATABASE_URL's (dropped afterwards;
   ``--in-place`` uses DATABASE_URL's database itself), migrate, then import the
   districts file and then the work-order file with ``import_file``, each in a
   child process so that its peak RSS (ru_maxrss) is the import's own;
3. COPY the same work-order file into a bare table (text columns, no indexes or
   constraints) with psycopg's ``cursor.copy``: the floor any import can reach;
4. re-insert the imported rows with one INSERT ... SELECT into the real table
   (rolled back): the floor the table's indexes and foreign keys impose on any
   row-by-row importer, to tell the importer's overhead from the schema's;
   and the same the bulk way (drop the secondary indexes and foreign keys,
   insert, rebuild, ANALYZE), which a large file into a small table takes;
5. print rows/s, the ratios import : COPY and import : floor, and the peak memory.

With ``--increment`` (scratch database only), the monthly increment into that table:

6. generate the month after the demo's last one with the same generator, seed and 台区
   (``write_demo_csvs(months=1, end_month=<next month>, districts=<the main file's>)``):
   8 % of N new work orders (GD<next month>… numbers, customers drawn from the same pools);
7. time ``import_file`` of it in a child process: one warm-up and ``--increment-repeat``
   timed runs, each inside a transaction that is rolled back and followed by an untimed
   VACUUM, so that every run meets the same 1M-order table (its indexes and foreign keys,
   no dead tuples of the previous run). Rolled back rather than re-created: re-creating the
   1M table between runs costs minutes, and deleting the increment afterwards would leave
   its new customers behind for the next run. What a rollback leaves out: the COMMIT (one
   WAL flush) and the ``data_imported`` listeners, which only enqueue tasks. The child then
   imports the file once more and commits it (printed, not in the median) to get its rows;
8. the row-by-row floor of those same rows: the increment's orders and the customers it
   created are dumped as text (COPY TO) and deleted (committed, VACUUM); then, in rolled-back
   transactions (one warm-up, median of 5): COPY the text into a staging table of text
   columns and insert it with one INSERT ... SELECT (casts to the real types) into
   ``complaints_customer`` and ``complaints_workorder``, with all their indexes and foreign
   keys checked row by row (SET CONSTRAINTS ALL IMMEDIATE). No Python, no parsing of the
   export's formats, no code → id look-ups: a floor, not an importer. The ratio is
   increment : INSERT ... SELECT (the stricter one), with the COPY shown beside it;
   the raw COPY of the increment CSV itself is printed too.

Targets: within 3x of raw COPY, peak RSS well under 1 GB for 1,000,000 rows; the
increment within 1.5x of its row-by-row floor (issue #16).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --- child: one import in its own process ------------------------------------------

def child(kind: str, path: str, reimport: bool, increment_repeat: int = 0) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()
    if increment_repeat:
        increment_child(kind, path, increment_repeat)
        return
    out = {}
    for label in (["first", "again"] if reimport else ["first"]):
        out[label] = timed_import(kind, path)
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def timed_import(kind: str, path: str) -> dict:
    """One ``import_file`` and its figures; a refused file ends the child with its first errors."""
    from scorecard.imports.services import import_file

    started = time.perf_counter()
    result = import_file(kind=kind, path=path)
    seconds = time.perf_counter() - started
    if not result.ok:
        print(json.dumps({"error": [str(e) for e in result.errors[:20]]}, ensure_ascii=False))
        sys.exit(1)
    return {"rows": result.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "seconds": seconds}


def increment_child(kind: str, path: str, repeat: int) -> None:
    """One warm-up and ``repeat`` timed imports, each rolled back (then VACUUM); one committed import last."""
    from django.db import connection, transaction

    from bench.timing import DEFAULT_WARMUP, summary

    def once(commit: bool) -> dict:
        with transaction.atomic():
            figures = timed_import(kind, path)
            if not commit:
                transaction.set_rollback(True)
        if not commit:
            # The next run meets the table as this one did: no dead tuples in its heap or indexes.
            with connection.cursor() as cur:
                cur.execute("VACUUM complaints_workorder, complaints_customer")
        return figures

    for _ in range(DEFAULT_WARMUP):
        once(commit=False)
    runs = [once(commit=False) for _ in range(repeat)]
    out = {"runs": runs, "timing": {**summary([r["seconds"] for r in runs]), "warmup": DEFAULT_WARMUP},
           "committed": once(commit=True),
           "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    print(json.dumps(out))


def run_child(kind: str, path: Path, env: dict, reimport: bool = False, increment_repeat: int = 0) -> dict:
    extra = (["--reimport"] if reimport else []) + (
        ["--increment-repeat", str(increment_repeat), "--increment"] if increment_repeat else [])
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(path)] + extra,
                          env=env, capture_output=True, text=True)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    data = json.loads(last)
    if proc.returncode != 0 or "error" in data:
        sys.exit(f"import of {kind} failed:\n{proc.stderr[-3000:]}\n{data}")
    return data


# --- files ----------------------------------------------------------------------------

def generate(outdir: Path, orders: int) -> tuple[dict[str, Path], str]:
    try:
        from scorecard.demo.generator import write_demo_csvs
    except ImportError:
        return _fallback_generate(outdir, orders), "bench/import.py built-in generator"
    return write_demo_csvs(outdir, orders=orders), "scorecard.demo.generator.write_demo_csvs"


def _fallback_generate(outdir: Path, orders: int) -> dict[str, Path]:
    """20,000 台区 in 14 cities and N varied work orders, with the interfaces.md headers."""
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {"districts": outdir / "districts.csv", "workorders": outdir / "workorders.csv"}
    with open(paths["districts"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["台区编号", "台区名称", "地市单位", "县级单位", "供电所", "线路名称", "配变容量", "用户数"])
        for i in range(20_000):
            city = i % 14
            w.writerow([f"TQ{i:06d}", f"台区{i}", f"国网第{city}供电公司", f"第{city}县{i % 5}供电公司",
                        f"第{i % 40}供电所", f"10kV{i % 3000}线", 400, 50 + i % 300])
    subs = [("供电质量", "频繁停电", ""), ("供电质量", "电压质量长时间异常", "低电压"), ("营业", "电费电价", ""),
            ("服务", "服务不规范", ""), ("停送电", "故障抢修", "抢修超时限")]
    start = dt.datetime(2026, 1, 1)
    with open(paths["workorders"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "受理时间", "业务类型", "一级分类", "二级分类", "三级分类", "客户编号", "客户名称",
                    "联系电话", "地市单位", "县级单位", "供电所", "台区编号", "台区名称", "线路名称", "责任部门",
                    "派单时间", "接单时间", "办结时间", "回访满意度", "受理内容"])
        for i in range(orders):
            d = i % 20_000
            acc = start + dt.timedelta(seconds=i * 37 % (365 * 86400))
            complaint = i % 3 != 2
            cat, sub, det = subs[i % len(subs)] if complaint else ("", "", "")
            w.writerow([f"WO{i:010d}", f"{acc:%Y-%m-%d %H:%M:%S}", "投诉" if complaint else "咨询", cat, sub, det,
                        f"C{i % 400_000:09d}", f"客户{i % 400_000}", f"138{i % 100_000_000:08d}",
                        f"国网第{d % 14}供电公司", f"第{d % 14}县{d % 5}供电公司", f"第{d % 40}供电所",
                        f"TQ{d:06d}", f"台区{d}", f"10kV{d % 3000}线", "",
                        f"{acc + dt.timedelta(minutes=5):%Y-%m-%d %H:%M:%S}", "",
                        f"{acc + dt.timedelta(hours=30):%Y-%m-%d %H:%M:%S}", "满意" if i % 4 else "",
                        "客户反映近期多次停电，要求尽快处理"])
    return paths


INCREMENT_SHARE = 0.08  # a month of a 13-month demo province, as the monthly export brings it


def generate_increment(outdir: Path, orders: int) -> tuple[Path, str]:
    """The month after the demo's last: (its work-order CSV, the order-number prefix of its orders).

    The same generator, seed and 台区 as the main file (the grid depends on the seed and the
    number of 台区 only), one month, 8 % of N orders; its other files are not imported.
    """
    try:
        from scorecard.demo.generator import default_districts, default_end_month, write_demo_csvs
    except ImportError:
        sys.exit("--increment needs scorecard.demo.generator (the built-in generator has no months)")
    from scorecard.core.months import parse_month, shift

    month = shift(parse_month(default_end_month()), 1)
    paths = write_demo_csvs(outdir / "increment", orders=round(orders * INCREMENT_SHARE), months=1,
                            end_month=f"{month:%Y-%m}", districts=default_districts(orders))
    return paths["workorders"], f"GD{month:%Y%m}"


def count_rows(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


# --- database -----------------------------------------------------------------------------

def with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def psycopg_connect(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(host=parts.hostname or "localhost", port=parts.port or 5432, user=parts.username,
                           password=parts.password, dbname=parts.path.lstrip("/"), autocommit=True)


def raw_copy(url: str, path: Path) -> tuple[int, float]:
    """COPY the CSV as it is into a bare table of text columns; (rows, seconds)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        ncols = len(next(csv.reader(fh)))
    cols = ", ".join(f"c{i} text" for i in range(ncols))
    with psycopg_connect(url) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cur.execute(f"CREATE TABLE bench_raw_copy ({cols})")
        started = time.perf_counter()
        with conn.transaction():
            with cur.copy("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, \
                    open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
        seconds = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM bench_raw_copy")
        rows = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_raw_copy")
    return rows, seconds


def schema_floor(url: str) -> tuple[int, float]:
    """Re-insert the imported orders with one INSERT ... SELECT (no Python, no parsing).

    The cost the work-order table itself imposes (its indexes and foreign-key
    checks) on any importer; run in a transaction that is rolled back. Scratch
    database only: it truncates the table inside that transaction.
    """
    with psycopg_connect(url) as conn, conn.cursor() as cur:
        conn.autocommit = False
        cur.execute("CREATE TEMP TABLE floor_src AS SELECT * FROM complaints_workorder")
        cur.execute("TRUNCATE complaints_workorder CASCADE")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # count the FK checks inside the timing
        started = time.perf_counter()
        cur.execute("INSERT INTO complaints_workorder SELECT * FROM floor_src")
        seconds = time.perf_counter() - started
        rows = cur.rowcount
        conn.rollback()
    return rows, seconds


def floor_breakdown(url: str) -> dict[str, float]:
    """Where the schema floor goes: the same INSERT ... SELECT into clones of the table.

    ``LIKE ... INCLUDING ALL`` copies the columns, checks and indexes but not the
    foreign keys; the second clone keeps only the primary key and the unique
    ``order_no`` (what any upsert by order number needs). Rolled back.
    """
    with psycopg_connect(url) as conn, conn.cursor() as cur:
        conn.autocommit = False
        cur.execute("CREATE TEMP TABLE floor_src AS SELECT * FROM complaints_workorder")
        timings = {}
        for label in ("no_fk", "keys_only"):
            cur.execute(f"CREATE TABLE floor_{label} (LIKE complaints_workorder INCLUDING ALL)")
            if label == "keys_only":
                cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'floor_keys_only' "
                            "AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'")
                for (name,) in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
            started = time.perf_counter()
            cur.execute(f"INSERT INTO floor_{label} SELECT * FROM floor_src")
            timings[label] = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'complaints_workorder' "
                    "AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'")
        timings["secondary_indexes"] = cur.fetchone()[0]
        conn.rollback()
    return timings


def bulk_floor(url: str, tables: tuple[str, ...] = ("complaints_workorder",)) -> dict[str, float]:
    """The floor of the bulk way (scorecard/imports/importers/bulk.py), no Python.

    In one rolled-back transaction: drop the secondary indexes and foreign keys of
    ``tables``, INSERT ... SELECT their imported rows, rebuild both and ANALYZE, as a
    large import into an empty table does. By default the work-order table alone (its
    customers already there: the floor the target is set against); with
    ``("complaints_customer", "complaints_workorder")`` also the customers the file
    names, which a province's first load creates as well (828,069 for the 1M demo).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()  # the importers' package imports the models; no Django connection is used here
    from scorecard.imports.importers.bulk import table_definitions

    with psycopg_connect(url) as conn, conn.cursor() as cur:
        conn.autocommit = False
        dropped = []
        for table in tables:
            cur.execute(f"CREATE TEMP TABLE floor_src_{table} AS SELECT * FROM {table}")
            dropped.append(table_definitions(conn, table))  # what the importer's bulk way drops
        for table in tables:
            cur.execute(f"TRUNCATE {table} CASCADE")
        for defs in dropped:
            for name, _, _ in defs.foreign_keys:
                cur.execute(f'ALTER TABLE {defs.name} DROP CONSTRAINT "{name}"')
            for name, _ in defs.indexes:
                cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        timings = {}
        started = time.perf_counter()
        for table in tables:  # in the order given: parents first
            cur.execute(f"INSERT INTO {table} SELECT * FROM floor_src_{table}")
        timings["insert"] = time.perf_counter() - started
        mark = time.perf_counter()
        for defs in dropped:
            for _, statement in defs.indexes:
                cur.execute(statement)
        timings["indexes"] = time.perf_counter() - mark
        mark = time.perf_counter()
        for defs in dropped:
            for name, definition, _ in defs.foreign_keys:
                cur.execute(f'ALTER TABLE {defs.name} ADD CONSTRAINT "{name}" {definition}')
        timings["foreign_keys"] = time.perf_counter() - mark
        mark = time.perf_counter()
        cur.execute(f"ANALYZE {', '.join(tables)}")
        timings["analyze"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        conn.rollback()
    return timings


def _columns(cur, table: str) -> list[tuple[str, str]]:
    cur.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (table,))
    return cur.fetchall()


def increment_floor(url: str, prefix: str, repeat: int = 5) -> dict:
    """The row-by-row floor of the committed increment (orders numbered ``prefix``…): see step 8.

    Leaves the table without the increment (scratch database only). Returns the row counts and
    the timings (bench/timing.py's rule) of the COPY into the text staging tables, of the
    INSERT ... SELECT, and of both.
    """
    from bench.timing import measure, summary

    like = prefix + "%"
    tables = {"complaints_customer": "SELECT c.* FROM complaints_customer c JOIN floor_new_customers n USING (customer_no)",
              "complaints_workorder": "SELECT * FROM complaints_workorder WHERE order_no LIKE %s"}
    with psycopg_connect(url) as conn, conn.cursor() as cur:
        dumps, columns = {}, {}
        with conn.transaction():
            # The customers the increment created: referenced by its orders and by no other.
            cur.execute("CREATE TEMP TABLE floor_new_customers AS SELECT DISTINCT customer_no FROM complaints_workorder w "
                        "WHERE order_no LIKE %s AND customer_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                        "complaints_workorder o WHERE o.customer_no = w.customer_no AND o.order_no NOT LIKE %s)",
                        (like, like))
            for table, query in tables.items():
                columns[table] = _columns(cur, table)
                # COPY takes no server-side parameters: bind them into the query text.
                sql = psycopg_sql_literal(cur, f"COPY ({query}) TO STDOUT", (like,) if "%s" in query else ())
                buf = bytearray()
                with cur.copy(sql) as copy:
                    for block in copy:
                        buf += block
                dumps[table] = bytes(buf)
            # Orders first: they reference the customers.
            cur.execute("DELETE FROM complaints_workorder WHERE order_no LIKE %s", (like,))
            cur.execute("DELETE FROM complaints_customer WHERE customer_no IN (SELECT customer_no FROM floor_new_customers)")
            cur.execute("DROP TABLE floor_new_customers")
        cur.execute("VACUUM ANALYZE complaints_workorder, complaints_customer")

        copy_runs, insert_runs = [], []

        def vacuum() -> None:
            # Every run meets the table as the first did: no dead tuples of the previous rollback.
            cur.execute("VACUUM complaints_workorder, complaints_customer")

        def one_run() -> None:
            conn.autocommit = False
            try:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # count the FK checks inside the timing
                started = time.perf_counter()
                for table in tables:  # customers first: the orders reference them
                    text_cols = ", ".join(f'"{name}" text' for name, _ in columns[table])
                    cur.execute(f"CREATE TEMP TABLE staging_{table} ({text_cols}) ON COMMIT DROP")
                    with cur.copy(f"COPY staging_{table} FROM STDIN") as copy:
                        copy.write(dumps[table])
                copied = time.perf_counter()
                for table in tables:
                    names = ", ".join(f'"{name}"' for name, _ in columns[table])
                    casts = ", ".join(f'"{name}"::{kind}' for name, kind in columns[table])
                    cur.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM staging_{table}")
                inserted = time.perf_counter()
            finally:
                conn.rollback()
                conn.autocommit = True
            copy_runs.append(copied - started)
            insert_runs.append(inserted - copied)

        total = measure(one_run, repeat=repeat, before=vacuum)
    warm = total["warmup"]  # measure() keeps the warm-up out of its figures; so do these
    return {"orders": dumps["complaints_workorder"].count(b"\n"), "customers": dumps["complaints_customer"].count(b"\n"),
            "copy": {**summary(copy_runs[warm:]), "warmup": warm},
            "insert": {**summary(insert_runs[warm:]), "warmup": warm}, "total": total}


def psycopg_sql_literal(cur, query: str, params: tuple) -> str:
    from psycopg import sql

    return sql.SQL(query.replace("%s", "{}")).format(*(sql.Literal(p) for p in params)).as_string(cur)


def increment(target: str, workdir: Path, orders: int, env: dict, repeat: int) -> dict:
    """Steps 6-8: generate, import (median of ``repeat``) and floor the monthly increment; print and return figures."""
    from bench.timing import fmt

    started = time.perf_counter()
    path, prefix = generate_increment(workdir, orders)
    gen_seconds = time.perf_counter() - started
    print(f"increment: generated {count_rows(path):,} work orders ({prefix}…, "
          f"{path.stat().st_size / 1e6:.1f} MB) in {gen_seconds:.1f} s")
    inc = run_child("workorders", path, env, increment_repeat=repeat)
    t, last = inc["timing"], inc["runs"][-1]
    rows = last["rows"]
    print(f"increment import_file: {rows:,} rows, {fmt(t)} — each run rolled back, then VACUUM; "
          f"{rows / t['median_s']:,.0f} rows/s (created {last['created']:,}, updated {last['updated']:,}, "
          f"unchanged {last['unchanged']:,}); committed once more: {inc['committed']['seconds']:.2f} s; "
          f"peak RSS {inc['maxrss_kb'] / 1024:,.0f} MB")
    copy_rows, copy_seconds = raw_copy(target, path)
    print(f"increment raw COPY of the CSV: {copy_rows:,} rows in {copy_seconds:.2f} s (once)")
    floor = increment_floor(target, prefix)
    if floor["orders"] != rows:
        sys.exit(f"increment floor: {floor['orders']:,} orders dumped, the import wrote {rows:,}")
    ins, cp = floor["insert"], floor["copy"]
    ratio = t["median_s"] / ins["median_s"]
    print(f"increment row-by-row floor: {floor['orders']:,} orders + the {floor['customers']:,} customers they "
          f"created, INSERT ... SELECT from text staging into the imported tables (indexes + FK checks): "
          f"{fmt(ins)}, {floor['orders'] / ins['median_s']:,.0f} rows/s; the COPY into the staging tables "
          f"{fmt(cp)}; both {fmt(floor['total'])}")
    print(f"ratio increment : row-by-row floor = {ratio:.2f}x (target <= 1.5x); "
          f"with the staging COPY in the floor {t['median_s'] / floor['total']['median_s']:.2f}x")
    return {"rows": rows, "seconds": t["median_s"], "runs_s": t["runs_s"], "n": t["n"], "warmup": t["warmup"],
            "rows_per_s": rows / t["median_s"], "committed_s": inc["committed"]["seconds"],
            "generate_s": gen_seconds, "copy_s": copy_seconds, "customers_created": floor["customers"],
            "floor_s": ins["median_s"], "floor_runs_s": ins["runs_s"], "floor_n": ins["n"],
            "floor_copy_s": cp["median_s"], "floor_with_copy_s": floor["total"]["median_s"],
            "ratio_floor": ratio, "ratio_floor_with_copy": t["median_s"] / floor["total"]["median_s"],
            "peak_rss_mb": inc["maxrss_kb"] / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="work orders to generate (default 1,000,000)")
    parser.add_argument("--in-place", action="store_true", help="import into DATABASE_URL's database itself")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and the CSV files")
    parser.add_argument("--reimport", action="store_true", help="also time a second, unchanged import")
    parser.add_argument("--json", action="store_true", help="also print one JSON line with the figures (make bench)")
    parser.add_argument("--increment", action="store_true",
                        help="then time a monthly increment (8%% of N new orders) against its row-by-row floor")
    parser.add_argument("--increment-repeat", type=int, default=3, metavar="N",
                        help="timed increment imports after one warm-up, each rolled back (default 3)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, reimport=args.reimport, increment_repeat=args.increment_repeat if args.increment else 0)
        return
    if args.increment and args.in_place:
        sys.exit("--increment needs the scratch database (its floor deletes and re-inserts the increment)")

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/import.py needs DATABASE_URL=postgres://... (the COPY baseline is PostgreSQL's)")
    scratch = None
    if args.in_place:
        target = url
    else:
        scratch = f"bench_import_{os.getpid()}"
        with psycopg_connect(url) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        target = with_dbname(url, scratch)
    env = {**os.environ, "DATABASE_URL": target, "DJANGO_SETTINGS_MODULE": "scorecard.settings",
           "PYTHONPATH": str(ROOT)}
    workdir = Path(tempfile.mkdtemp(prefix="bench_import_"))
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        paths, source = generate(workdir, args.orders)
        gen_seconds = time.perf_counter() - started
        wo_path = paths["workorders"]
        size_mb = wo_path.stat().st_size / 1e6
        print(f"generated with {source} in {gen_seconds:.1f} s: {count_rows(wo_path):,} work orders, "
              f"{size_mb:.1f} MB ({workdir})")

        districts = run_child("districts", paths["districts"], env)
        d = districts["first"]
        print(f"districts:   {d['rows']:>9,} rows in {d['seconds']:6.2f} s  {d['rows'] / d['seconds']:>9,.0f} rows/s")

        orders = run_child("workorders", wo_path, env, reimport=args.reimport)
        o = orders["first"]
        import_rate = o["rows"] / o["seconds"]
        print(f"import_file: {o['rows']:>9,} rows in {o['seconds']:6.2f} s  {import_rate:>9,.0f} rows/s "
              f"(created {o['created']:,}, updated {o['updated']:,}, unchanged {o['unchanged']:,})")
        if "again" in orders:
            a = orders["again"]
            print(f"re-import:   {a['rows']:>9,} rows in {a['seconds']:6.2f} s  "
                  f"{a['rows'] / a['seconds']:>9,.0f} rows/s "
                  f"(unchanged {a['unchanged']:,})")

        copy_rows, copy_seconds = raw_copy(target, wo_path)
        copy_rate = copy_rows / copy_seconds
        print(f"raw COPY:    {copy_rows:>9,} rows in {copy_seconds:6.2f} s  {copy_rate:>9,.0f} rows/s")
        print(f"ratio import_file : raw COPY = {o['seconds'] / copy_seconds:.2f}x (target <= 3x)")
        if scratch:
            floor_rows, floor_seconds = schema_floor(target)
            print(f"schema floor: {floor_rows:>8,} rows in {floor_seconds:6.2f} s  "
                  f"{floor_rows / floor_seconds:>9,.0f} rows/s "
                  f"(INSERT...SELECT into complaints_workorder: its indexes + FK checks, no Python)")
            print(f"ratio schema floor : raw COPY = {floor_seconds / copy_seconds:.2f}x; "
                  f"import_file : schema floor = {o['seconds'] / floor_seconds:.2f}x")
            parts = floor_breakdown(target)
            print(f"  of which foreign-key checks: {floor_seconds - parts['no_fk']:6.2f} s; "
                  f"the {parts['secondary_indexes']} secondary indexes: {parts['no_fk'] - parts['keys_only']:6.2f} s; "
                  f"the table with only its primary and unique keys: {parts['keys_only']:6.2f} s "
                  f"= {parts['keys_only'] / copy_seconds:.2f}x raw COPY")
            bulk = bulk_floor(target)
            print(f"bulk-way floor: {bulk['total']:6.2f} s = {bulk['total'] / copy_seconds:.2f}x raw COPY "
                  f"(drop, INSERT...SELECT {bulk['insert']:.2f} s, rebuild the indexes {bulk['indexes']:.2f} s "
                  f"and foreign keys {bulk['foreign_keys']:.2f} s, ANALYZE {bulk['analyze']:.2f} s; no Python); "
                  f"import_file : bulk-way floor = {o['seconds'] / bulk['total']:.2f}x")
            # The import also creates the customers its orders name; the floor above finds them there.
            both = bulk_floor(target, ("complaints_customer", "complaints_workorder"))
            print(f"  the same with the customers the file creates: {both['total']:6.2f} s (INSERT...SELECT "
                  f"{both['insert']:.2f} s, indexes {both['indexes']:.2f} s, foreign keys {both['foreign_keys']:.2f} s, "
                  f"ANALYZE {both['analyze']:.2f} s); import_file : this floor = {o['seconds'] / both['total']:.2f}x "
                  f"(shown, not the target's floor)")
        if args.increment:
            inc_figures = increment(target, workdir, args.orders, env, args.increment_repeat)
        peak = orders["maxrss_kb"] / 1024
        print(f"peak RSS of the work-order import process: {peak:,.0f} MB (target < 1024 MB); "
              f"districts import: {districts['maxrss_kb'] / 1024:,.0f} MB")
        if args.json:
            figures = {"bench": "import", "rows": o["rows"], "seconds": o["seconds"], "rows_per_s": import_rate,
                       "copy_s": copy_seconds, "copy_rows_per_s": copy_rate, "ratio": o["seconds"] / copy_seconds,
                       "generate_s": gen_seconds, "csv_mb": size_mb, "peak_rss_mb": peak}
            if scratch:
                figures.update(floor_s=floor_seconds, ratio_floor=o["seconds"] / floor_seconds,
                               floor_fk_s=floor_seconds - parts["no_fk"],
                               floor_indexes_s=parts["no_fk"] - parts["keys_only"], floor_keys_s=parts["keys_only"],
                               bulk_floor_s=bulk["total"], ratio_bulk_floor=o["seconds"] / bulk["total"],
                               bulk_floor_customers_s=both["total"],
                               ratio_bulk_floor_customers=o["seconds"] / both["total"])
            if args.increment:
                figures["increment"] = inc_figures
            print(json.dumps(figures))
    finally:
        if scratch and not args.keep:
            with psycopg_connect(url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        if not args.keep:
            shutil.rmtree(workdir)
        elif scratch:
            print(f"kept database {scratch} and files in {workdir}")


if __name__ == "__main__":
    main()
