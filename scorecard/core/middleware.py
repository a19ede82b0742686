"""Chinese by default, English on request.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a
laptop with an English-language browser would open the portal in English.
The users read Chinese: the page language is the one chosen with the switch
in the top bar (the ``django_language`` cookie set by Django's set_language
view), else LANGUAGE_CODE — the browser's preference is ignored.
"""
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # No i18n URL patterns, so nothing to redirect; the response varies by the cookie only.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
