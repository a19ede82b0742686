import pytest

pytest_plugins = ["tests.celery_harness"]  # real Celery worker fixture, per-run broker


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test writes uploads and PDFs to its own folder, never to var/.
    settings.MEDIA_ROOT = tmp_path / "media"
