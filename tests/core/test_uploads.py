"""Upload views refuse an oversized body by its Content-Length before reading it (issue #15, finding 9)."""
import io

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class ExplodingBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the body of an oversized upload was read")


def post_unread(client, url, length):
    """A multipart POST announcing ``length`` bytes whose body must never be read."""
    client.get(url)  # a CSRF cookie, as a browser would have
    environ = client._base_environ(**{
        "PATH_INFO": url, "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz", "wsgi.input": ExplodingBody()})
    return client.handler.get_response(WSGIRequest(environ))


def as_user(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_each_upload_view_refuses_an_oversized_body_unread(world, settings):
    settings.SCORECARD_UPLOAD_LIMITS = {"import": 2 * MB, "attachment": 1 * MB, "verify": 1 * MB}
    analyst, head = as_user(world.users["analyst"]), as_user(world.users["dept_head"])
    cases = [(analyst, reverse("imports:list"), 3 * MB), (analyst, reverse("notices:verify"), 2 * MB),
             (head, reverse("kpis:appeal_new", args=[world.order_a.pk]), 2 * MB),
             (head, reverse("kpis:deduction_appeal_new", args=[world.deduction_a.pk]), 2 * MB)]
    for client, url, length in cases:
        response = post_unread(client, url, length)
        assert response.status_code == 413, url
        assert "MB" in response.content.decode(), url
    # 120 MB against the defaults too.
    settings.SCORECARD_UPLOAD_LIMITS = {"import": 100 * MB, "attachment": 10 * MB, "verify": 20 * MB}
    assert post_unread(analyst, reverse("imports:list"), 120 * MB).status_code == 413


def test_an_upload_within_the_limit_goes_through(world, settings):
    settings.SCORECARD_UPLOAD_LIMITS = {"import": 2 * MB, "attachment": 1 * MB, "verify": 1 * MB}
    client = Client()
    client.force_login(world.users["analyst"])
    response = client.post(reverse("notices:verify"), {"file": io.BytesIO(b"%PDF-1.4 small")})
    assert response.status_code == 200


def test_django_limits_are_set(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * MB and settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 10 * MB
