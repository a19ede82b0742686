"""The Content-Security-Policy allows scripts from files only (issue #15, finding 10): no inline
<script> and no on*= attribute in any template, and no 'unsafe-inline' in script-src — an injected
script cannot run even if some output escaped its escaping."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [p for d in [ROOT / "templates", *sorted((ROOT / "scorecard").glob("*/templates"))]
             for p in d.rglob("*.html")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _script_src(policy: str) -> str:
    return next(d for d in policy.split(";") if d.strip().startswith("script-src"))


def test_no_template_has_an_inline_script_or_handler():
    assert TEMPLATES
    found = [f"{p.relative_to(ROOT)}: {m.group()}" for p in TEMPLATES
             for rx in (INLINE_SCRIPT, HANDLER) for m in rx.finditer(p.read_text())]
    assert found == []


@pytest.mark.django_db
def test_the_policy_allows_no_inline_script(world):
    client = Client()
    client.force_login(world.users["analyst"])
    response = client.get("/")
    script_src = _script_src(response.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "'unsafe-inline'" not in _script_src(settings.CONTENT_SECURITY_POLICY)


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_a_url(world):
    client = Client()
    client.force_login(world.users["analyst"])
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200 and not INLINE_SCRIPT.search(page.content.decode())
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
