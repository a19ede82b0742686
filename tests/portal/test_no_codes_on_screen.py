"""No internal code reaches the screen (issue #14: 「fault_majority」, `notice.verify` on pages).

Every main page is rendered for each role (Chinese, the default language) and its visible text —
text nodes and the title / placeholder / aria-label / alt attributes, not scripts, styles, URLs or
form values — is scanned for the value of every TextChoices in the project whose label differs
from it, every audit action code, every tracing-rule code and the scorecard's own codes.
"""
import re
from html.parser import HTMLParser

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from scorecard.accounts import audit
from scorecard.kpis.attribution import RULES
from scorecard.kpis.models import RULE_TEXT
from scorecard.kpis.selectors import ACCOUNTABILITY, HAZARD, NO_DATA, NOTHING_TO_RATE

pytestmark = pytest.mark.django_db

VISIBLE_ATTRS = {"title", "placeholder", "aria-label", "alt"}


def _text_choices():
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    return [c for c in walk(models.TextChoices) if c.__module__.startswith("scorecard.")]


def codes() -> dict[str, str]:
    """code → where it comes from."""
    found = {}
    for choices in _text_choices():
        for member in choices:
            if member.value != str(member.label):
                found[member.value] = f"{choices.__module__}.{choices.__qualname__}"
    found.update({c: "accounts.audit.ACTION_LABELS" for c in audit.ACTION_LABELS})
    found.update({c: "kpis.models.RULE_TEXT" for c in RULE_TEXT})
    found.update({c: "kpis.attribution.RULES" for c in RULES})
    found.update({c: "kpis.selectors" for c in (NOTHING_TO_RATE, NO_DATA, ACCOUNTABILITY, HAZARD)})
    return found


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in VISIBLE_ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def pages(w) -> list[str]:
    month = "?month=2024-07"
    return [
        reverse("home"),
        reverse("analysis:profile") + month,
        reverse("analysis:orders") + month,
        reverse("kpis:scorecard") + month,
        reverse("kpis:department", args=[w.a.pk, "yj"]) + month,
        reverse("kpis:incidents") + month,
        reverse("kpis:incident", args=[w.incident_a.pk]),
        reverse("kpis:appeals"),
        reverse("kpis:deductions") + month,
        reverse("orders:detail", args=[w.order_a.order_no]),
        reverse("orders:search") + "?q=TQA01",
        reverse("kpis:appeals") + "?status=all",
        reverse("kpis:appeal", args=[w.appeal_a.pk]),
        reverse("kpis:appeal_new", args=[w.order_a.pk]),
        reverse("orders:detail", args=[w.order_a.order_no]),
        reverse("orders:search") + "?q=台区",
        reverse("notices:list"),
        reverse("notices:rankings"),
        reverse("notices:verify"),
        reverse("imports:list"),
        reverse("imports:detail", args=[w.job.pk]),
        reverse("audit_log"),
        reverse("profile"),
        reverse("notifications"),
    ]


def _pattern(all_codes) -> re.Pattern:
    # A code as a word of its own: not part of a longer identifier, a path or a user name (m-analyst).
    alternatives = "|".join(sorted(map(re.escape, all_codes), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_./-])(?:{alternatives})(?![A-Za-z0-9_-])")


def test_the_scan_knows_the_codes_of_the_issue():
    assert {"fault_majority", "notice.verify", "month.publish", "pending", "low_voltage"} <= set(codes())


def test_the_scan_finds_a_code_in_text_but_not_in_markup():
    found = _pattern(codes()).findall(visible_text(
        '<p title="x">规则 fault_majority</p><a href="/x/?status=pending" class="open">'
        '<script>var s = "draft";</script>m-analyst'))
    assert found == ["fault_majority"]


@pytest.mark.parametrize("role", ["analyst", "dept_head", "leader", "auditor", "admin"])
def test_no_page_shows_an_internal_code(world, role):
    world.draft.refresh_from_db()
    audit.record(user=world.users["analyst"], action="notice.verify", summary="")  # an entry with no summary
    all_codes = codes()
    pattern = _pattern(all_codes)
    client = Client()
    client.force_login(world.users[role])
    seen, problems = 0, []
    for url in pages(world):
        resp = client.get(url)
        if resp.status_code != 200 or "text/html" not in resp["Content-Type"]:
            continue
        seen += 1
        for code in sorted(set(pattern.findall(visible_text(resp.content.decode())))):
            problems.append(f"{url}: {code} ({all_codes[code]})")
    assert seen >= 10, f"only {seen} pages answered 200 for {role}"
    assert not problems, "internal codes on screen:\n" + "\n".join(problems)
