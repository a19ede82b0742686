import pytest

pytest_plugins = ["tests.celery_harness"]  # real Celery worker fixture, per-run broker


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test writes uploads and PDFs to its own folder, never to var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from a collectstatic manifest; tests render
    # templates without running collectstatic first.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness is for attackers, not for the test suite
    # (login lockout and password validation are tested with the real settings).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Cached read-outs are keyed by a data version that restarts with each test database.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_collection_modifyitems(items):
    # Every transactional test (a real worker, a live server) gets serialized rollback.
    # A transactional test without it flushes the database and lets post_migrate
    # recreate content types under new ids; the next serialized test then fails to
    # reload its snapshot (UNIQUE constraint failed: django_content_type).
    for item in items:
        names = getattr(item, "fixturenames", None)
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction")
        if names is not None and (transactional or "transactional_db" in names or "live_server" in names) \
                and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")
