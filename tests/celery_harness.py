"""A real Celery worker for tests (pytest plugin, loaded by tests/conftest.py).

- Every test run gets its own broker: a fresh folder for the embedded filesystem
  broker and, for Redis, a queue of its own, so tests never feed a running demo
  worker nor another developer's test run sharing the same Redis.
- Under pytest the SQLite test database is a file (not the in-memory default) so
  that a worker process can open it; PostgreSQL test databases get the pid as a
  suffix, so concurrent test runs on one server do not collide.
- `celery_worker_process` starts `celery -A scorecard worker` against the test's
  database and broker, waits until it answers a ping and yields a handle whose
  `process` a test may kill; `celery_worker_factory` starts several, with extra
  environment. Tests using them run with `transactional_db` (the worker only sees
  committed data).
- Every transactional test gets the migrations' seeded rows restored at setup
  (serialized rollback; see `pytest_collection_modifyitems`).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections

from scorecard.celery import app as celery_app

RUN_ID = uuid.uuid4().hex[:10]
READY_TIMEOUT = 120  # seconds; a worker starts in ~3 s, but a shared 2-core machine can be busy


@dataclass
class BrokerIsolation:
    env: dict[str, str]  # what a worker process needs to use the same broker and queue


@dataclass
class CeleryWorker:
    process: subprocess.Popen
    nodename: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """Kill the worker abruptly (SIGKILL), as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # Replaces pytest-django's fixture of the same name (after its xdist suffix).
    # Test databases are per run: a file in this run's temp folder for SQLite, and
    # a name ending in the pid for PostgreSQL, so that two test runs on one
    # machine (several developers, CI) never drop each other's database.
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        test = settings_dict.setdefault("TEST", {})
        if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
            test["NAME"] = str(tmp_path_factory.mktemp(f"db-{alias}") / "test_scorecard.sqlite3")
        else:
            test["NAME"] = f"{test.get('NAME') or 'test_' + settings_dict['NAME']}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def celery_test_broker(tmp_path_factory) -> BrokerIsolation:
    queue = f"scorecard-test-{RUN_ID}"
    env = {"CELERY_TASK_DEFAULT_QUEUE": queue}
    conf = {"task_default_queue": queue}
    if celery_app.conf.broker_url.startswith("filesystem://"):
        broker_dir = tmp_path_factory.mktemp("broker")
        options = dict(celery_app.conf.broker_transport_options)
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            folder = broker_dir / Path(options[key]).relative_to(django_settings.BROKER_DIR)
            folder.mkdir(exist_ok=True)
            options[key] = str(folder)
        conf["broker_transport_options"] = options
        env["SCORECARD_BROKER_DIR"] = str(broker_dir)
    # The app caches its queues and connection pool on first use; nothing has
    # published yet at session start, so updating the configuration suffices.
    celery_app.conf.update(conf)
    yield BrokerIsolation(env=env)
    with celery_app.connection_for_write() as conn:
        # Drop whatever tests enqueued without a worker to consume it.
        conn.default_channel.queue_purge(queue)


def database_url(settings_dict) -> str:
    """The DATABASE_URL that makes another process open this connection's database."""
    name = str(settings_dict["NAME"])
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(name).resolve()}"
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        raise NotImplementedError(f"no URL for {settings_dict['ENGINE']}")
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in names or "live_server" in names
    )


def pytest_collection_modifyitems(items):
    # Every transactional test restores the migrations' seeded rows (taxonomy,
    # departments, KPI defaults) at setup: a worker test needs them, and mixing
    # would break. A transactional test without serialized rollback ends with a
    # flush that re-creates content types and permissions under new ids; the next
    # test that restores the serialized rows then fails on their unique keys.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and _transactional(item) and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # A failed worker test shows what its workers logged: the log files live in
    # the test's temp folder, which CI does not keep.
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for worker in getattr(item, "celery_workers", ()):
            report.sections.append((f"celery worker {worker.nodename}", worker.log()[-20000:]))


@pytest.fixture
def celery_worker_factory(request, transactional_db, settings, celery_test_broker, tmp_path):
    """Start real workers, with extra environment if given; all are killed at the end.

    `start(**extra_env)` returns a ready `CeleryWorker`; a test may start several
    in turn (kill one mid-task, start the next).
    """
    started: list[CeleryWorker] = []
    request.node.celery_workers = started

    def start(app: str = "scorecard", **extra_env) -> CeleryWorker:
        env = dict(os.environ)
        env.update(celery_test_broker.env)
        env.update(
            DATABASE_URL=database_url(connection.settings_dict),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            SCORECARD_VAR_DIR=str(tmp_path / "worker-var"),
            CELERY_TASK_ALWAYS_EAGER="0",
            PYTHONUNBUFFERED="1",
        )
        env.update({key: str(value) for key, value in extra_env.items()})
        nodename = f"test-{RUN_ID}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        log_path = tmp_path / f"celery-worker-{len(started)}.log"
        cmd = [
            sys.executable, "-m", "celery", "-A", app, "worker", "--pool=solo", "--loglevel=info",
            "-n", nodename, "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                cmd, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        worker = CeleryWorker(process=process, nodename=nodename, log_path=log_path)
        started.append(worker)
        deadline = time.monotonic() + READY_TIMEOUT
        while not celery_app.control.ping(destination=[nodename], timeout=0.5):
            if process.poll() is not None:
                pytest.fail(f"celery worker exited with {process.returncode}:\n{worker.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"celery worker not ready after {READY_TIMEOUT} s:\n{worker.log()}")
        return worker

    try:
        yield start
    finally:
        # SIGKILL rather than a warm shutdown, which waits ~4 s for the worker's
        # polling loop: the broker and the database are this test's alone.
        for worker in started:
            worker.kill()


@pytest.fixture
def celery_worker_process(celery_worker_factory) -> CeleryWorker:
    """One real worker on the test's database and broker (see the module docstring)."""
    return celery_worker_factory()
