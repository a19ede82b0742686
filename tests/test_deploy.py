"""`manage.py check --deploy` with the production environment the README documents."""
import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "scorecard.example.cn",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
}


def run_deploy_check(tmp_path, secret_key=None):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(PRODUCTION_ENV, SCORECARD_VAR_DIR=str(tmp_path))
    if secret_key:
        env["SECRET_KEY"] = secret_key
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_environment_passes_check_deploy(tmp_path):
    result = run_deploy_check(tmp_path, secret_key=secrets.token_urlsafe(64))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_embedded_secret_key_is_flagged(tmp_path):
    # The fallback key lets the demo start with no configuration; production
    # without SECRET_KEY must not pass.
    result = run_deploy_check(tmp_path)

    assert result.returncode == 1
    assert "security.W009" in result.stdout + result.stderr
