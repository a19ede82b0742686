#!/usr/bin/env python3
"""`make demo`: prepare the embedded database, then run web + Celery worker + beat.

A small supervisor instead of a process-manager dependency:
- the database is migrated, the demo province loaded (`seed_demo --if-empty`) and
  static files collected before anything starts;
- gunicorn, `celery worker` and `celery beat` run as children, each in its own
  session so that the terminal's Ctrl-C reaches only this script, which then
  stops them in order (SIGTERM, then SIGKILL of whatever is left after a grace
  period) — a Celery worker gets to finish its current task;
- if one child dies, the others are stopped and the script exits non-zero;
- children also get SIGTERM if this script itself is killed (Linux PDEATHSIG);
- every child's output is shown with a prefix and kept in var/log/demo-<name>.log.

Only the standard library is used, so the script works before anything is installed
beyond the virtualenv that `make demo` creates.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GRACE_SECONDS = 20  # a warm Celery shutdown waits for the running task
READY_TIMEOUT = 120
STEPS = 4  # migrate, seed, collectstatic, start the processes


def log(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the supervisor dies (Linux only)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Child:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path, ready_marker: str):
        self.name = name
        self.ready_marker = ready_marker
        self.ready = threading.Event()
        self.log_path = log_dir / f"demo-{name}.log"
        self.process = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
        )
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        with open(self.log_path, "ab") as logfile:
            for line in self.process.stdout:
                logfile.write(line)
                logfile.flush()
                text = line.decode("utf-8", errors="replace").rstrip()
                print(f"[{self.name}] {text}", flush=True)
                if self.ready_marker in text:
                    self.ready.set()

    def terminate(self) -> None:
        if self.process.poll() is None:
            # The leader only: gunicorn and Celery stop their own workers/pool.
            self.process.send_signal(signal.SIGTERM)

    def kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def run_step(number: int, what: str, args: list[str], env: dict[str, str]) -> list[str]:
    """Run a manage.py step, saying what it does and how long it took; echo its output and
    return it; exit if it fails."""
    log(f"step {number}/{STEPS}: {what} (manage.py {' '.join(args)}) …")
    started = time.monotonic()
    proc = subprocess.Popen([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        print("    " + line.rstrip(), flush=True)
        lines.append(line.rstrip())
    if proc.wait() != 0:
        log(f"manage.py {args[0]} failed (exit {proc.returncode}); nothing started.")
        sys.exit(proc.returncode or 1)
    log(f"step {number}/{STEPS} done in {time.monotonic() - started:.1f} s")
    return lines


def wait_http(url: str, deadline: float, children: list[Child]) -> str | None:
    """Poll `url` until it answers 200; return None, or why it did not."""
    problem = "no answer"
    while time.monotonic() < deadline and all(c.process.poll() is None for c in children):
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return None if resp.status == 200 else f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code} (see the web log)"
        except (urllib.error.URLError, OSError) as exc:
            problem = str(exc)
            time.sleep(0.5)
    return problem


def demo_secret_key(var_dir: Path) -> str:
    """The demo's own SECRET_KEY: var/secret_key, created (readable by the owner only) on first use."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DEBUG", "0")  # production-like: gunicorn + WhiteNoise, manifest static files
    env.setdefault("SECURE_COOKIES", "0")  # the demo is served over plain http
    env.setdefault("LOG_LEVEL", "INFO")
    env["PYTHONUNBUFFERED"] = "1"
    if not env.get("SECRET_KEY"):
        # The web server refuses the built-in fallback key (scorecard/core/security.py): the demo
        # makes one key per var/ folder and keeps it there, so sessions survive a restart.
        env["SECRET_KEY"] = demo_secret_key(Path(env.get("SCORECARD_VAR_DIR", BASE_DIR / "var")))

    began = time.monotonic()
    run_step(1, "migrating the embedded database", ["migrate", "--noinput"], env)
    seed_output = run_step(
        2, "loading the demo province through the importers (skipped when work orders exist)",
        ["seed_demo", "--if-empty"], env)
    # -v 1 prints one summary line ("N static files copied …"); the file list would be -v 2.
    run_step(3, "collecting and compressing static files (settings.NPM_STATIC_FILES: only the "
                "front-end files the pages load)", ["collectstatic", "--noinput", "-v", "1"], env)

    log_dir = Path(env.get("SCORECARD_VAR_DIR", BASE_DIR / "var")) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    bind = f"{args.host}:{args.port}"
    specs = [
        ("web", [PYTHON, "-m", "gunicorn", "scorecard.wsgi", "--bind", bind, "--workers", str(args.web_workers),
                 "--access-logfile", "-", "--timeout", "120"], "Listening at"),
        ("worker", [PYTHON, "-m", "celery", "-A", "scorecard", "worker", "--loglevel=info", "--concurrency=2",
                    "--without-gossip", "--without-mingle", "--without-heartbeat"], " ready."),
        ("beat", [PYTHON, "-m", "celery", "-A", "scorecard", "beat", "--loglevel=info"], "beat: Starting"),
    ]

    stopping = threading.Event()

    def on_signal(signum, _frame):
        if not stopping.is_set():
            log(f"{signal.Signals(signum).name} received, stopping …")
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    children: list[Child] = []
    exit_code = 0
    try:
        log(f"step 4/{STEPS}: starting " + ", ".join(name for name, _, _ in specs)
            + f" (logs in {log_dir}) …")
        for name, cmd, marker in specs:
            children.append(Child(name, cmd, env, log_dir, marker))

        url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '') else args.host}:{args.port}/"
        deadline = time.monotonic() + READY_TIMEOUT
        problem = wait_http(url + "accounts/login/", deadline, children)
        if problem is None and not stopping.is_set():
            for child in children:
                child.ready.wait(timeout=max(0.0, deadline - time.monotonic()))
            logins = next((seed_output[i:] for i, line in enumerate(seed_output) if "演示账号" in line), None)
            banner = [
                "",
                "=" * 64,
                f"Scorecard demo: {url}  (ready {time.monotonic() - began:.0f} s after the first step)",
                *(f"  {c.name:<7}{'ready' if c.ready.is_set() else 'NOT READY (see its log)'}"
                  f"  log: {c.log_path}" for c in children),
                *(logins or ["Demo logins: see the seed_demo output above."]),
                "Press Ctrl-C to stop the web server, the worker and beat.",
                "=" * 64,
                "",
            ]
            print("\n".join(banner), flush=True)
        elif not stopping.is_set():
            log(f"{url}accounts/login/ did not answer 200: {problem}")
            exit_code = 1
            stopping.set()

        while not stopping.is_set():
            dead = next((c for c in children if c.process.poll() is not None), None)
            if dead:
                log(f"{dead.name} exited with {dead.process.returncode}; stopping the others")
                exit_code = 1
                break
            stopping.wait(0.5)
    finally:
        for child in children:
            child.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{child.name} did not stop within {GRACE_SECONDS} s; killing it")
        for child in children:
            child.kill_group()  # leftovers (pool processes of a killed leader)
            child.process.wait()
            child.reader.join(timeout=2)
        log("stopped.")
    return exit_code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C during migrate/seed/collectstatic: nothing started yet
        log("interrupted.")
        sys.exit(130)
