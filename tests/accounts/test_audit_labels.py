"""Every audit action the code records has words (issue #14: `notice.verify` on screen)."""
import ast
from pathlib import Path

import pytest
from django.test import Client

from scorecard.accounts import audit
from scorecard.accounts.models import AuditLog

ROOT = Path(__file__).resolve().parents[2] / "scorecard"


def recorded_actions() -> set[str]:
    """Each string literal inside the ``action=`` argument of a call (``audit.record``, the imports'
    ``_audit``), ternaries included; argparse's ``add_argument(action=...)`` is not an audit call."""
    found = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "add_argument":
                continue
            for kw in node.keywords:
                if kw.arg == "action":
                    found |= set(_outcomes(kw.value))
    return found


def _outcomes(node):
    """The strings an expression can evaluate to: a literal, or either branch of a ternary (not the
    strings its condition compares with)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _outcomes(node.body)
        yield from _outcomes(node.orelse)


def test_the_scan_sees_the_actions_the_code_records():
    actions = recorded_actions()
    assert {"login", "notice.verify", "month.publish", "appeal.reject", "import.failed"} <= actions


def test_every_recorded_action_has_a_label():
    missing = recorded_actions() - set(audit.ACTION_LABELS)
    assert not missing, f"add these to accounts.audit.ACTION_LABELS: {sorted(missing)}"


def test_an_unknown_code_is_not_shown_as_is():
    assert audit.action_label("some.future_action") == "其他操作"
    assert audit.object_type_label("kpis.appeal") == "归因申诉"
    assert audit.object_type_label("nothing.here") == "其他对象"


@pytest.mark.django_db
def test_the_audit_page_shows_words_and_filters_by_a_labelled_choice(world):
    audit.record(user=world.users["analyst"], action="notice.verify", summary="核验文件：x")
    audit.record(user=world.users["analyst"], action="month.publish", obj=world.appeal_a, summary="发布")
    client = Client()
    client.force_login(world.users["auditor"])
    page = client.get("/audit/").content.decode()
    assert '<select name="action"' in page and '<option value="notice.verify">核验通报文件</option>' in page
    assert "全部" in page
    table = page.split("<table", 1)[1]
    assert "核验通报文件" in table and "发布月度考核" in table and ">归因申诉<" in table
    assert "notice.verify" not in table and "month.publish" not in table and "kpis.appeal" not in table
    filtered = client.get("/audit/", {"action": "notice.verify"}).content.decode().split("<table", 1)[1]
    assert "核验通报文件" in filtered and "发布月度考核" not in filtered
    assert AuditLog.objects.filter(action="notice.verify").exists()
