"""What a locked-out login attempt gets: a page in Chinese saying why and for how long
(django-axes' default is an English one-liner)."""
from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    return render(request, "registration/locked_out.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_timedelta": cool_off,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }, status=axes_settings.AXES_HTTP_RESPONSE_CODE)
