"""Single flight: two workers missing the same read-out at once compute it once; the second waits
for the first's result (bounded), takes over when the first fails, and computes itself when out of patience.

Threads stand for workers, with a real cache backend (the embedded local-memory cache, and Redis
when a redis-server binary is installed) and committed data (caching is off inside a transaction).
"""
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.cache import cache  # a proxy: it follows the settings override below
from django.db import connection
from django.test import override_settings

from scorecard.core import freshness

pytestmark = pytest.mark.django_db(transaction=True)
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "single-flight"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(params=["locmem", "redis"])
def backend(request):
    caches = LOCMEM if request.param == "locmem" else {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": request.getfixturevalue("redis_url"), "KEY_PREFIX": "single-flight-test"}}
    with override_settings(CACHES=caches):
        cache.clear()
        yield cache
        cache.clear()


def _visit(results: list, compute):
    try:
        results.append(freshness.cached("test-readout", "2024-11", compute=compute))
    finally:
        connection.close()  # each thread opened its own connection


def test_it_computes_a_read_out_once_for_two_concurrent_visitors(backend):
    started, release, calls, results = threading.Event(), threading.Event(), [], []

    def compute():
        calls.append(threading.get_ident())
        started.set()
        assert release.wait(10)
        return {"complaints": 42}

    first = threading.Thread(target=_visit, args=(results, compute))
    first.start()
    assert started.wait(10)  # the first visitor is inside compute(), holding the computing key
    second = threading.Thread(target=_visit, args=(results, compute))
    second.start()
    time.sleep(0.3)  # long enough for the second to miss the cache and (without the lock) compute
    assert len(calls) == 1
    release.set()
    first.join(10)
    second.join(10)
    assert len(calls) == 1
    assert results == [{"complaints": 42}, {"complaints": 42}]
    # and later visitors read it from the cache
    assert freshness.cached("test-readout", "2024-11", compute=lambda: pytest.fail("recomputed")) == {"complaints": 42}


def test_it_takes_over_when_the_holder_fails(backend):
    started, release, results, errors = threading.Event(), threading.Event(), [], []

    def failing():
        started.set()
        assert release.wait(10)
        raise RuntimeError("worker died")

    def holder():
        try:
            _visit(results, failing)
        except RuntimeError as exc:
            errors.append(exc)

    first = threading.Thread(target=holder)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=_visit, args=(results, lambda: "computed by the waiter"))
    second.start()
    time.sleep(0.1)
    release.set()
    first.join(10)
    second.join(10)
    assert len(errors) == 1 and results == ["computed by the waiter"]


def test_a_waiter_out_of_patience_computes_itself(backend, monkeypatch):
    monkeypatch.setattr(freshness, "WAIT_SECONDS", 0.2)
    key = f"scorecard:test-readout:{freshness.current()}:2024-11"
    assert backend.add(f"{key}:computing", "a worker that hangs", timeout=60)
    started = time.monotonic()
    assert freshness.cached("test-readout", "2024-11", compute=lambda: "mine") == "mine"
    assert 0.2 <= time.monotonic() - started < 5
