"""Refuse to serve with the built-in fallback SECRET_KEY outside debug mode (issue #15).

The key signs sessions, CSRF tokens and password-reset links: with the fallback, which is in the
source code, anyone can forge them. ``manage.py`` commands and the tests may run on it (they serve
nobody); the WSGI application (gunicorn, scorecard/wsgi.py) calls ``require_secret_key`` and does
not start. The demo (scripts/demo.py) generates a key of its own under var/.
"""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    if settings.DEBUG:
        return
    if settings.SECRET_KEY == getattr(settings, "FALLBACK_SECRET_KEY", None) or len(settings.SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY is the built-in fallback (or shorter than 32 characters) and DEBUG is off: set "
            "SECRET_KEY to 50+ random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'")
