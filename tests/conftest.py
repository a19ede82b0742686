import os

# One OpenMP/BLAS thread per test process. scikit-learn's gradient boosting splits every tree node
# across all cores; on the test province (a few hundred rows) that costs far more in thread hand-offs
# than it saves, and CI runs two suites side by side on two cores (oversubscribed, a predict took
# ~20 s instead of ~1 s). Set before numpy or scikit-learn load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest

pytest_plugins = ["tests.celery_harness",  # real Celery worker fixture, per-run broker
                  "tests.fixtures.world",  # the two-city world of the access-control and selector tests
                  "tests.fixtures.risk_world"]  # the early-warning province of the risk command and page tests


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test writes uploads and PDFs to its own folder, never to var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Sessions of the embedded default are files (settings.SESSION_ENGINE): each test its own folder.
    (tmp_path / "sessions").mkdir(exist_ok=True)
    settings.SESSION_FILE_PATH = str(tmp_path / "sessions")


@pytest.fixture(scope="session", autouse=True)
def _static_root(tmp_path_factory):
    # WhiteNoise wants STATIC_ROOT to exist (else it warns whenever a middleware
    # chain is built, the live server's included); tests never collect into it.
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from a collectstatic manifest; tests render
    # templates without running collectstatic first.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread; a test
    # that switched to English must not make the next one read English messages.
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


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


@pytest.fixture
def fast_hasher(settings):
    # PBKDF2 hashes (demo users, seeded logins) add nothing to what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
