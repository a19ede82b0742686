"""Load test: 50 logged-in users of mixed roles against gunicorn + PostgreSQL + Redis on loopback.

Usage (a database seeded with `manage.py seed_demo --orders 1000000`; read-only browsing):

    DATABASE_URL=postgres://.../scorecard_bench python bench/load.py [--users 50] [--time 2m] [--json]

Steps:
1. reads the ids to visit from the database (latest month, the demo accounts of each role,
   each role's own city / department / incidents / 台区) into a JSON file for the locustfile;
2. collectstatic (once) into var/load/ and starts gunicorn (gthread, --workers
   x --threads) on a free loopback port with DEBUG=0, SECURE_COOKIES=0,
   CACHE_URL=redis://127.0.0.1:6379/5 (the read-out cache shared by the workers) and
   CELERY_BROKER_URL=redis://127.0.0.1:6379/6;
3. warms up: one pass over every page per role (fills the shared read-out cache and
   PostgreSQL's buffers, as the first visitors of the morning would);
4. runs `locust --headless -u USERS -r 10` (bench/load/locustfile.py): every user logs in
   (the ramp-up) and waits for the others; the measured TIME (default 2m) starts when the
   last one is in; think time 5-15 s by default (--think 1,3 for brisk users);
5. prints requests, failures and p50/p95/p99 per endpoint over the measured window, the
   logins of the ramp-up apart, the p95 over pages (logins and exports apart) against the
   300 ms target, and the same for the whole run (ramp-up included); stops gunicorn.

The demo accounts (analyst, leader, depthead, auditor; password scorecard-demo) are shared by
the simulated users, each with its own session; nothing is written except sessions,
axes' login records and the audit log's login entries.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_P95_MS = 300
PAGE_EXCLUDE = ("login", "export")


def prepare(path: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()
    from scorecard.accounts.models import User
    from scorecard.complaints.models import Category, WorkOrder
    from scorecard.complaints.selectors import latest_month
    from scorecard.grid.models import Department, OrgUnit
    from scorecard.kpis.models import Incident
    from scorecard.core.months import bounds, label

    month = latest_month()
    start, end = bounds(month)
    users = {role: User.objects.filter(role=role, is_active=True).order_by("pk").values_list("username", flat=True)
             .first() for role in ("analyst", "leader", "dept_head", "auditor")}
    missing = [role for role, name in users.items() if not name]
    if missing:
        sys.exit(f"no user with role {missing}: run `manage.py seed_demo --users-only` first")
    head = User.objects.get(username=users["dept_head"])
    leader = User.objects.get(username=users["leader"])
    cities = list(OrgUnit.objects.filter(level="city").order_by("pk").values_list("pk", flat=True))
    depts = list(Department.objects.order_by("pk").values_list("code", flat=True))
    incidents = Incident.objects.filter(month=month)

    def districts(city_id=None):
        qs = WorkOrder.objects.filter(is_complaint=True, accepted_at__gte=start, accepted_at__lt=end,
                                      district__isnull=False)
        if city_id:
            qs = qs.filter(city_id=city_id)
        return list(qs.order_by().values_list("district_id", flat=True).distinct()[:200])

    every = {"units": [None] + cities[:3], "departments": [[c, d] for c in cities for d in depts],
             "incidents": list(incidents.values_list("pk", flat=True)[:200]), "districts": districts()}
    scope = {
        "analyst": every, "auditor": every,
        "leader": {"units": [leader.org_unit_id], "departments": [[leader.org_unit_id, d] for d in depts],
                   "incidents": list(incidents.filter(city_id=leader.org_unit_id).values_list("pk", flat=True)),
                   "districts": districts(leader.org_unit_id)},
        "dept_head": {"units": [head.org_unit_id], "departments": [[head.org_unit_id, head.department.code]],
                      "incidents": list(incidents.filter(city_id=head.org_unit_id, department_id=head.department_id)
                                        .values_list("pk", flat=True)),
                      "districts": districts(head.org_unit_id)},
    }
    params = {"month": label(month), "password": os.environ.get("LOAD_PASSWORD", "scorecard-demo"),
              "users": users, "scope": scope,
              "categories": list(Category.objects.values_list("pk", flat=True)),
              "orders": WorkOrder.objects.count()}
    path.write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    from django.db import connection

    connection.close()
    return params


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {timeout} s")
        time.sleep(0.5)


def warm(host: str, params: dict) -> float:
    """One pass over every page per role, as the first visitors would."""
    import re

    import requests

    started = time.perf_counter()
    m = params["month"]
    for role, username in params["users"].items():
        s = requests.Session()
        page = s.get(f"{host}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        s.post(f"{host}/accounts/login/", data={"username": username, "password": params["password"],
                                                "csrfmiddlewaretoken": token})
        mine = params["scope"][role]
        urls = ["/", f"/scorecard/?month={m}", f"/scorecard/incidents/?month={m}", "/scorecard/appeals/",
                "/notices/", f"/analysis/orders/?month={m}"]
        urls += [f"/analysis/?month={m}" + (f"&unit={u}" if u else "") for u in mine["units"]]
        urls += [f"/scorecard/unit/{c}/{d}/?month={m}" for c, d in mine["departments"][:10]]
        for url in urls:
            resp = s.get(host + url)
            if resp.status_code != 200:
                print(f"warm-up: {role} {url} -> {resp.status_code}")
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * len(values) + 0.5)) - 1))
    return values[k]


def _table(samples: list) -> tuple[list, dict]:
    by_name: dict[str, list] = {}
    for name, ms, ok in samples:
        by_name.setdefault(name, []).append((ms, ok))
    rows = []
    for name in sorted(by_name):
        times = [ms for ms, _ in by_name[name]]
        rows.append({"name": name, "requests": len(times), "failures": sum(1 for _, ok in by_name[name] if not ok),
                     "p50": percentile(times, 50), "p95": percentile(times, 95), "p99": percentile(times, 99),
                     "max": max(times)})
    every = [ms for name, ms, _ in samples]
    pages = [ms for name, ms, _ in samples if not name.startswith(PAGE_EXCLUDE)]
    return rows, {"requests": len(every), "failures": sum(1 for _, _, ok in samples if not ok),
                  "p50": percentile(every, 50), "p95": percentile(every, 95), "p99": percentile(every, 99),
                  "pages_requests": len(pages), "pages_p50": percentile(pages, 50),
                  "pages_p95": percentile(pages, 95), "pages_p99": percentile(pages, 99)}


def summarise(dump: dict, measured_s: float) -> dict:
    """The measured window (requests started once every user was logged in, for ``measured_s``)
    per endpoint, the ramp-up's logins apart, and the whole run for comparison."""
    samples, all_in = dump["samples"], dump["all_in"]
    whole_rows, whole = _table([(name, ms, ok) for name, ms, ok, start, end in samples])
    if all_in is None:
        return {"all_in": None, "endpoints": [], "total": {}, "whole": whole, "whole_endpoints": whole_rows}
    window = [(name, ms, ok) for name, ms, ok, start, end in samples if all_in <= start < all_in + measured_s]
    rows, total = _table(window)
    first = min(start for _, _, _, start, _ in samples)
    logins = [ms for name, ms, ok, start, end in samples if name == "login (POST)"]
    return {"all_in": all_in, "ramp_s": all_in - first, "endpoints": rows, "total": total, "whole": whole,
            "whole_endpoints": whole_rows,
            "logins": {"requests": len(logins), "p50": percentile(logins, 50), "p95": percentile(logins, 95),
                       "max": max(logins) if logins else 0}}


def seconds(value: str) -> float:
    """locust's run-time syntax: 120, 120s, 2m, 1h30m."""
    import re

    parts = re.findall(r"(\d+(?:\.\d+)?)([hms]?)", value)
    if not parts or "".join(n + u for n, u in parts) != value.replace(" ", ""):
        raise SystemExit(f"--time: cannot read {value!r} (e.g. 120s, 2m, 1h30m)")
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1, "": 1}[u] for n, u in parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", default="2m", help="measured time once every user is logged in (default 2m)")
    parser.add_argument("--ramp-limit", type=float, default=180,
                        help="seconds allowed for every user to log in before the measured time (default 180)")
    parser.add_argument("--think", default="5,15",
                        help="think time between pages, min,max seconds (default 5,15: a usual pace; 1,3 is brisk)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (default 2)")
    parser.add_argument("--cache-url", default=os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/5"))
    parser.add_argument("--broker-url", default=os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--collectstatic", action="store_true", help="collect static files again")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (gunicorn log, locust CSVs)")
    parser.add_argument("--json", action="store_true", help="print one JSON line with the figures at the end")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("bench/load.py needs DATABASE_URL=postgres://... (a database seeded with seed_demo)")

    work = Path(tempfile.mkdtemp(prefix="scorecard-load-"))
    params = prepare(work / "params.json")
    print(f"database: {params['orders']:,} work orders; month {params['month']}; users {params['users']}")
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    # Static files are collected once into var/load/ (hashed names, as in production; WhiteNoise's
    # brotli/gzip pass over ECharts' 50 MB takes minutes on a busy machine and locust fetches no assets).
    var = ROOT / "var" / "load"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "scorecard.settings", "PYTHONPATH": str(ROOT),
           "DEBUG": "0", "SECURE_COOKIES": "0", "ALLOWED_HOSTS": "127.0.0.1", "SCORECARD_VAR_DIR": str(var),
           "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
           "CACHE_URL": args.cache_url, "CELERY_BROKER_URL": args.broker_url, "LOG_LEVEL": "ERROR"}
    # gunicorn refuses the fallback key with DEBUG=0 (scorecard/core/security.py): a throwaway one per run.
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if args.collectstatic or not (var / "staticfiles" / "staticfiles.json").exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env,
                       check=True)
        print(f"collectstatic into {var / 'staticfiles'}: {time.perf_counter() - t:.0f} s")
    gunicorn_log = open(work / "gunicorn.log", "wb")
    web = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "scorecard.wsgi", "--bind",
                            f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
                            "--worker-class", "gthread", "--timeout", "120",
                            # Keep idle connections longer than the users' think time (1-3 s), as the
                            # https proxy in front would; gunicorn's 2 s default races the next request.
                            "--keep-alive", "30"],
                           cwd=ROOT, env=env, stdout=gunicorn_log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"{host}/accounts/login/")
        warm_s = warm(host, params)
        print(f"gunicorn {args.workers} workers x {args.threads} threads on {host}; warm-up pass {warm_s:.1f} s")
        samples_path = work / "samples.json"
        lenv = {**env, "LOAD_PARAMS": str(work / "params.json"), "LOAD_SAMPLES": str(samples_path),
                "LOAD_THINK": args.think, "LOAD_USERS": str(args.users)}
        measured_s = seconds(args.time)
        lenv["LOAD_MEASURE"] = str(measured_s)
        started = time.perf_counter()
        # locust's -t bounds the whole run (ramp-up allowance + measured time); the locustfile ends it
        # when the measured window, which starts when the last user is in, is over.
        proc = subprocess.run([str(Path(sys.executable).parent / "locust"), "-f",
                               str(ROOT / "bench" / "load" / "locustfile.py"), "--headless", "-u", str(args.users),
                               "-r", str(args.spawn_rate), "-t", f"{int(args.ramp_limit + measured_s)}s",
                               "--host", host,
                               "--csv", str(work / "locust"), "--only-summary", "--stop-timeout", "10",
                               "--loglevel", "WARNING"],
                              env=lenv, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if not samples_path.exists():
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            return 1
        summary = summarise(json.loads(samples_path.read_text()), measured_s)
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            web.kill()
        gunicorn_log.close()

    if args.keep or summary["whole"]["failures"]:
        print(f"gunicorn log and locust CSVs kept in {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    if summary["all_in"] is None:
        print(f"not every user logged in within {args.ramp_limit:.0f} s: no measured window")
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        return 1
    t, w, lg = summary["total"], summary["whole"], summary["logins"]
    print(f"\nlocust: {args.users} users (spawn {args.spawn_rate}/s), think time {args.think} s; ramp-up: "
          f"{lg['requests']} logins in {summary['ramp_s']:.0f} s (p50 {lg['p50']:.0f} ms, p95 {lg['p95']:.0f} ms); "
          f"measured {args.time} from the moment the last user was in: {t['requests']} requests "
          f"({t['requests'] / measured_s:.1f} req/s); whole run {elapsed:.0f} s")
    print(f"{'endpoint':<26}{'requests':>9}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for r in summary["endpoints"]:
        print(f"{r['name']:<26}{r['requests']:>9}{r['failures']:>6}{r['p50']:>9.0f}{r['p95']:>9.0f}"
              f"{r['p99']:>9.0f}{r['max']:>9.0f}")
    print(f"{'TOTAL':<26}{t['requests']:>9}{t['failures']:>6}{t['p50']:>9.0f}{t['p95']:>9.0f}{t['p99']:>9.0f}")
    met = t["pages_p95"] < TARGET_P95_MS and t["failures"] == 0 and w["failures"] == 0
    print(f"whole run, ramp-up included (logins and exports apart): {w['pages_requests']} pages, p50 "
          f"{w['pages_p50']:.0f} ms, p95 {w['pages_p95']:.0f} ms, p99 {w['pages_p99']:.0f} ms; "
          f"{w['failures']} failures in {w['requests']} requests")
    print(f"measured pages (logins and exports apart): {t['pages_requests']} requests, p50 {t['pages_p50']:.0f} ms, "
          f"p95 {t['pages_p95']:.0f} ms, p99 {t['pages_p99']:.0f} ms — target p95 < {TARGET_P95_MS} ms and no "
          f"errors: {'MET' if met else 'MISSED'}")
    if t["failures"] or w["failures"]:
        print(proc.stdout[-2000:])
    if args.json:
        print(json.dumps({"bench": "load", "users": args.users, "time": args.time, "think": args.think, "seconds": elapsed,
                          "measured_s": measured_s, "workers": args.workers, "threads": args.threads, **summary, "met": met},
                         ensure_ascii=False))
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
