"""The web server refuses the built-in fallback SECRET_KEY outside debug mode (issue #15, finding 10);
the demo makes its own key under var/."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scorecard.core.security import require_secret_key

ROOT = Path(__file__).resolve().parents[2]


def test_it_refuses_the_fallback_key_without_debug(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.FALLBACK_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        require_secret_key()
    settings.SECRET_KEY = "short"
    with pytest.raises(ImproperlyConfigured):
        require_secret_key()
    settings.SECRET_KEY = "k" * 50
    require_secret_key()
    settings.SECRET_KEY = settings.FALLBACK_SECRET_KEY
    settings.DEBUG = True
    require_secret_key()


def _start_wsgi(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(SCORECARD_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="scorecard.settings", **extra)
    return subprocess.run([sys.executable, "-c", "import scorecard.wsgi"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_wsgi_application_does_not_start_on_the_fallback_key(tmp_path):
    refused = _start_wsgi(tmp_path, DEBUG="0")
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr
    assert _start_wsgi(tmp_path, DEBUG="0", SECRET_KEY="s" * 50).returncode == 0


def test_the_demo_generates_and_keeps_its_own_key(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import demo  # scripts/demo.py is a script, not a package: imported from its folder
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    key = demo.demo_secret_key(tmp_path)
    assert len(key) >= 50 and key == demo.demo_secret_key(tmp_path)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
