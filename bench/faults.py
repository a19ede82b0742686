"""Fault drills, scripted and repeatable: each ends with the data consistent, no partial file,
a clear message to the user, and the work done once the fault is gone.

Usage (as root for the tmpfs of drill 3; PostgreSQL 15 binaries and redis-server installed):

    python bench/faults.py [--json]

Everything runs on PRIVATE servers started here and stopped at the end — a temporary
PostgreSQL 15 cluster (initdb, free loopback port) and a private redis-server — so that the
shared servers on 5432/6379 are never touched. PDFs go to a 4 MB tmpfs mounted here
(MEDIA_ROOT), so that "disk full" is a real ENOSPC. A small demo province (seed_demo
--orders 6000) is loaded through the product's importers.

Drills:
1. worker killed (SIGKILL) during a notice render, after the PDF bytes are written to
   ``<name>.tmp`` and before they are moved into place;
2. Redis stopped while an analyst presses 生成 on /notices/ (the web request, through Django's
   test client against the same database and broker);
3. the PDF volume full (ENOSPC) during a render;
4. PostgreSQL restarted (pg_ctl restart -m fast) in the middle of `manage.py import_data
   workorders` of a 40,000-row file.

Prints each drill's steps and outcome (PASS/FAIL), exit 1 if any failed. tests/notices/
tests/notices/test_tasks.py covers drills 1 and 2 in the test suite as well (worker killed mid-render;
broker unreachable when generate is pressed).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PGBIN = Path("/usr/lib/postgresql/15/bin")
PY = sys.executable
RESULTS: list[dict] = []
WORKERS: list["Worker"] = []  # every worker started, killed at the end whatever happens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(msg: str) -> None:
    print(f"  {msg}", flush=True)


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Servers:
    """A private PostgreSQL cluster, a private Redis and a small tmpfs for PDFs."""

    def __init__(self, work: Path):
        self.work = work
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.pg_port, self.redis_port = free_port(), free_port()
        self.redis: subprocess.Popen | None = None
        self.media = work / "media"
        self.mounted = False

    # PostgreSQL
    def pg_start(self) -> None:
        if self.as_pg:
            shutil.chown(self.work, "postgres")
        subprocess.run(self.as_pg + [str(PGBIN / "initdb"), "-D", str(self.work / "pg"), "-U", "postgres", "-A",
                                     "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL)
        self.pg_ctl("start")
        subprocess.run([str(PGBIN / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                        "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                        "-c", "CREATE ROLE scorecard LOGIN SUPERUSER PASSWORD 'scorecard'",
                        "-c", "CREATE DATABASE scorecard OWNER scorecard"], check=True)

    def pg_ctl(self, action: str, *extra: str) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.pg_port} -k {self.work} -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off")
        cmd = self.as_pg + [str(PGBIN / "pg_ctl"), "-D", str(self.work / "pg"), "-l", str(self.work / "pg.log"),
                            "-w", "-t", "60", action, *extra]
        if action in ("start", "restart"):
            cmd += ["-o", opts]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def url(self, db: str = "scorecard") -> str:
        return f"postgres://scorecard:scorecard@127.0.0.1:{self.pg_port}/{db}"

    # Redis
    def redis_start(self) -> None:
        self.redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                                       "--save", "", "--appendonly", "no", "--dir", str(self.work)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True,
                                        text=True).stdout.strip() == "PONG", timeout=20, what="redis")

    def redis_stop(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)

    # A small filesystem for MEDIA_ROOT
    def media_mount(self) -> None:
        self.media.mkdir()
        if os.getuid() == 0:
            rc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0777", "tmpfs", str(self.media)],
                                capture_output=True).returncode
            self.mounted = rc == 0

    def stop(self) -> None:
        self.redis_stop()
        if (self.work / "pg" / "postmaster.pid").exists():
            subprocess.run(self.as_pg + [str(PGBIN / "pg_ctl"), "-D", str(self.work / "pg"), "-m", "immediate", "-w",
                                         "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.mounted:
            subprocess.run(["umount", str(self.media)])


class Worker:
    def __init__(self, env: dict, name: str, log: Path, app: str = "scorecard", **extra):
        self.nodename = f"{name}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        WORKERS.append(self)
        self.log = log
        wenv = {**env, **{k: str(v) for k, v in extra.items()}, "PYTHONUNBUFFERED": "1"}
        with open(log, "ab") as fh:
            self.process = subprocess.Popen(
                [PY, "-m", "celery", "-A", app, "worker", "--pool=solo", "--loglevel=info", "-n",
                 self.nodename, "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=wenv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        from scorecard.celery import app

        wait_for(lambda: self.process.poll() is not None or app.control.ping(destination=[self.nodename], timeout=0.5),
                 timeout=120, what=f"worker {name}")
        if self.process.poll() is not None:
            raise AssertionError(f"worker {name} exited: {log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def drill(name: str):
    def wrap(fn):
        def run(*args, **kwargs):
            print(f"\n== {name}", flush=True)
            started = time.perf_counter()
            outcome = {"drill": name}
            try:
                outcome.update(fn(*args, **kwargs) or {})
                outcome["result"] = "PASS"
            except Exception as exc:  # a drill that fails reports why and lets the others run
                outcome.update(result="FAIL", error=f"{type(exc).__name__}: {exc}")
            outcome["seconds"] = round(time.perf_counter() - started, 1)
            print(f"  -> {outcome['result']} ({outcome['seconds']} s)" +
                  (f": {outcome.get('error')}" if outcome["result"] == "FAIL" else ""), flush=True)
            RESULTS.append(outcome)
        return run
    return wrap


def media_files(sub: str = "notices") -> list[str]:
    from django.conf import settings

    base = Path(settings.MEDIA_ROOT) / sub
    return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()) if base.exists() else []


def notice_state(month):
    from scorecard.notices.models import Notice

    return list(Notice.objects.filter(month=month).order_by("version").values_list("version", "status", "stage",
                                                                                   "error"))


def check_draft(month) -> dict:
    from scorecard.notices.models import Notice
    from scorecard.notices.services import file_intact

    notices = list(Notice.objects.filter(month=month))
    assert len(notices) == 1, f"expected one notice row for {month}, found {notice_state(month)}"
    notice = notices[0]
    assert notice.status == Notice.Status.DRAFT, f"status {notice.status}"
    assert file_intact(notice), "the PDF on disk does not match the stored SHA-256"
    leftovers = [f for f in media_files() if f.endswith(".tmp")]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    return {"file": notice.file, "sha256": notice.sha256[:16] + "…", "attempts": notice.attempts}


@drill("1. Celery worker killed (SIGKILL) during a notice render")
def drill_worker_killed(env, log_dir, month):
    from scorecard.notices.models import Notice
    from scorecard.notices.services import notice_path, request_generation

    # The tests' worker app pauses the render with the PDF in its .tmp (tests/fixtures/slow_render.py).
    w1 = Worker(env, "drill1a", log_dir / "worker-1a.log", app="tests.fixtures.slow_render", SLOW_RENDER_SECONDS=8)
    notice = request_generation(month=month, user=None)
    say(f"generate {month:%Y-%m}: notice {notice.pk} {notice.status}")
    wait_for(lambda: Notice.objects.filter(pk=notice.pk, progress__gte=90).exists(), timeout=120,
             what="the render to reach the file write")
    final = Path(os.environ["MEDIA_ROOT"]) / notice_path(notice)
    say(f"render at 90 % (bytes in {final.name}.tmp): SIGKILL the worker")
    w1.kill()
    assert not final.exists(), "a PDF appeared under the final name although the render never finished"
    row = Notice.objects.get(pk=notice.pk)
    say(f"after the kill: status {row.status}, stage «{row.stage}», no file under the final name")
    time.sleep(int(env["NOTICE_STALE_SECONDS"]) + 1)
    say(f"no heartbeat for {env['NOTICE_STALE_SECONDS']} s: start a new worker (it resubmits stale renders at start)")
    w2 = Worker(env, "drill1b", log_dir / "worker-1b.log")
    wait_for(lambda: Notice.objects.filter(pk=notice.pk, status=Notice.Status.DRAFT).exists(), timeout=180,
             what="the draft")
    out = check_draft(month)
    say(f"draft rendered once, by the second worker: {out}")
    return {"worker": w2, **out}


@drill("2. Redis stopped while an analyst presses 生成")
def drill_redis_down(servers, worker, month):
    from django.test import Client

    from scorecard.accounts.models import User
    from scorecard.notices.models import Notice
    from scorecard.notices.services import QUEUE_DOWN, resubmit_stale

    servers.redis_stop()
    say("redis-server stopped")
    try:
        seconds, row = _press_generate_while_down(month)
    finally:
        if servers.redis.poll() is not None:
            servers.redis_start()
    say("redis-server started again; beat's 「通报任务补发」 job (every minute) sends what is pending:")
    sent = wait_for(lambda: resubmit_stale(), timeout=60, what="resubmit_stale to reach the broker")
    say(f"resubmit_stale sent {sent}; the running worker reconnected and renders it")
    wait_for(lambda: Notice.objects.filter(pk=row.pk, status=Notice.Status.DRAFT).exists(), timeout=180,
             what="the draft")
    out = check_draft(month)
    say(f"draft rendered: {out}")
    return {"request_seconds": round(seconds, 2), "message": QUEUE_DOWN, **out}


def _press_generate_while_down(month):
    from django.test import Client

    from scorecard.accounts.models import User
    from scorecard.notices.models import Notice
    from scorecard.notices.services import QUEUE_DOWN

    client = Client()
    client.force_login(User.objects.get(username="analyst"))
    t = time.perf_counter()
    resp = client.post("/notices/generate/", {"month": f"{month:%Y-%m}"}, follow=True)
    seconds = time.perf_counter() - t
    page = resp.content.decode()
    assert resp.status_code == 200, resp.status_code
    assert QUEUE_DOWN in page, "the page does not say the queue is unavailable"
    row = Notice.objects.get(month=month)
    assert row.status == Notice.Status.PENDING and row.enqueued_at is None, (row.status, row.enqueued_at)
    say(f"POST /notices/generate/ answered in {seconds:.1f} s with «{QUEUE_DOWN}»; row {row.pk} pending, "
        f"not enqueued")
    return seconds, row


@drill("3. The PDF volume full (ENOSPC) during a render")
def drill_disk_full(servers, month):
    from django.test import Client

    from scorecard.accounts.models import User
    from scorecard.notices.models import Notice
    from scorecard.notices.services import request_generation

    if not servers.mounted:
        raise AssertionError("no tmpfs (needs root): cannot fill a real filesystem")
    filler = servers.media / "filler.bin"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)  # until ENOSPC
    free = shutil.disk_usage(servers.media).free
    say(f"MEDIA_ROOT is a 4 MB tmpfs, filled: {free} bytes free")
    before = media_files()
    notice = request_generation(month=month, user=None)
    say(f"generate {month:%Y-%m}: notice {notice.pk}; the task retries OSError 3 times (backoff 2/4/8 s)")
    wait_for(lambda: Notice.objects.filter(pk=notice.pk, status=Notice.Status.FAILED).exists(), timeout=180,
             what="the notice to be marked failed")
    row = Notice.objects.get(pk=notice.pk)
    after = media_files()
    assert after == before, f"files changed on the full volume: {sorted(set(after) - set(before))}"
    client = Client()
    client.force_login(User.objects.get(username="analyst"))
    page = client.get("/notices/").content.decode()
    assert "No space left on device" in page or "空间" in page, "the notices page does not show the error"
    say(f"failed after {row.attempts} attempts, error shown on /notices/: «{row.error[:100]}»; "
        f"no file or .tmp left on the volume")
    filler.unlink()
    say("space freed; the analyst presses 生成 again")
    request_generation(month=month, user=None)
    wait_for(lambda: Notice.objects.filter(pk=notice.pk, status=Notice.Status.DRAFT).exists(), timeout=180,
             what="the draft")
    out = check_draft(month)
    say(f"draft rendered in place (same row, same version): {out}")
    return {"error_shown": row.error[:120], **out}


@drill("4. PostgreSQL restarted during `import_data workorders`")
def drill_pg_restart(servers, env, files, log_dir):
    import psycopg

    url = servers.url("drill_import")

    def counts() -> dict:
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

    ienv = {**env, "DATABASE_URL": url}
    cmd = [PY, str(ROOT / "manage.py"), "import_data", "workorders", str(files["workorders"]), "-v", "2"]
    before = counts()
    say(f"before: {before['complaints_workorder']} work orders, {before['complaints_customer']} customers")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ienv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait for the first progress line: rows are being parsed and written inside the import's transaction.
    first = proc.stderr.readline()
    say(f"import running ({first.strip()}); pg_ctl restart -m fast")
    servers.pg_ctl("restart", "-m", "fast")
    out, err = proc.communicate(timeout=600)
    err = first + err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("…")]
    say(f"import_data exit {proc.returncode}; what the operator sees (stderr, last lines):")
    for line in lines[-3:]:
        say(f"    {line[:160]}")
    assert proc.returncode == 1, f"exit {proc.returncode}"
    after = counts()
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert not changed, f"tables changed by the failed import: {changed}"
    say("after: every table has the row count it had before (nothing partially imported)")
    rerun = subprocess.run(cmd[:-2], cwd=ROOT, env=ienv, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    say(f"re-run: {rerun.stdout.strip()}")
    again = subprocess.run(cmd[:-2], cwd=ROOT, env=ienv, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and "created 0" in again.stdout, again.stdout + again.stderr[-2000:]
    say(f"and once more (idempotent): {again.stdout.strip()}")
    traceback_shown = "Traceback" in err
    return {"exit": proc.returncode, "message": lines[-1][:200] if lines else "", "traceback_in_stderr": traceback_shown,
            "rerun": rerun.stdout.strip()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line with the outcomes at the end")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) for inspection")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scorecard-faults-"))
    work.chmod(0o755)
    servers = Servers(work)
    workers: list[Worker] = []
    started = time.perf_counter()
    try:
        print(f"private PostgreSQL 15 on :{servers.pg_port}, Redis on :{servers.redis_port}, work folder {work}")
        servers.pg_start()
        servers.redis_start()
        servers.media_mount()
        env = {**os.environ, "DATABASE_URL": servers.url(), "CELERY_BROKER_URL": f"redis://127.0.0.1:{servers.redis_port}/0",
               "MEDIA_ROOT": str(servers.media), "SCORECARD_VAR_DIR": str(work / "var"), "NOTICE_STALE_SECONDS": "5",
               "DJANGO_SETTINGS_MODULE": "scorecard.settings", "PYTHONPATH": str(ROOT), "CACHE_URL": "",
               "CELERY_TASK_ALWAYS_EAGER": "0", "LOG_LEVEL": "WARNING",
               "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        os.environ.update(env)
        subprocess.run([PY, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([str(PGBIN / "psql"), "-q", "-h", "127.0.0.1", "-p", str(servers.pg_port), "-U", "postgres",
                        "-d", "postgres", "-c", "CREATE DATABASE drill_import TEMPLATE scorecard"], check=True)
        t = time.perf_counter()
        subprocess.run([PY, str(ROOT / "manage.py"), "seed_demo", "--orders", "6000", "--months", "13",
                        "--end-month", "2026-10", "-v0"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        from scorecard.demo.generator import write_demo_csvs

        files = write_demo_csvs(work / "csv", orders=40_000, months=2, end_month="2026-10", seed=7)
        subprocess.run([PY, str(ROOT / "manage.py"), "import_data", "districts", str(files["districts"])],
                       env={**env, "DATABASE_URL": servers.url("drill_import")}, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        print(f"seeded a 6,000-order demo province and a 40,000-order import file in {time.perf_counter() - t:.0f} s")
        import django

        django.setup()
        import datetime as dt

        first = drill_worker_killed(env, work, dt.date(2026, 10, 1))
        worker = RESULTS[-1].pop("worker", None)
        if worker:
            workers.append(worker)
        else:
            workers.append(Worker(env, "drills", work / "worker-2.log"))
        drill_redis_down(servers, workers[-1], dt.date(2026, 9, 1))
        drill_disk_full(servers, dt.date(2026, 8, 1))
        for w in workers:
            w.stop()
        from django.db import connections

        connections.close_all()
        drill_pg_restart(servers, env, files, work)
        del first
    finally:
        for w in WORKERS:
            w.kill()
        servers.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    failed = [r["drill"] for r in RESULTS if r["result"] != "PASS"]
    print(f"\n{len(RESULTS) - len(failed)}/{len(RESULTS)} drills passed in {time.perf_counter() - started:.0f} s"
          + (f"; FAILED: {failed}" if failed else ""))
    if args.json:
        print(json.dumps({"bench": "faults", "drills": RESULTS}, ensure_ascii=False, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
