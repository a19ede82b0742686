"""The roles and the permission predicates (scorecard.core.roles), and that nothing else spells a role.

Users here are unsaved ``User`` objects (no database): the predicates decide on the role,
``is_superuser`` and ``is_active`` only. The pages that use them are pinned by the access matrix
(tests/accounts/test_access_matrix.py).
"""
import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from scorecard.accounts.models import User
from scorecard.core import roles
from scorecard.core.roles import Role
from scorecard.grid.models import OrgUnit

ROOT = Path(__file__).resolve().parents[2]


def user(role, *, superuser=False, active=True, department_id=None, city_id=None):
    u = User(username=f"u-{role}", role=role, is_superuser=superuser, is_active=active, department_id=department_id)
    u.org_unit = OrgUnit(name="unit", city_id=city_id) if city_id else None
    return u


PEOPLE = {
    "analyst": user(Role.ANALYST),
    "dept_head": user(Role.DEPARTMENT_HEAD, department_id=7, city_id=3),
    "leader": user(Role.LEADER, city_id=3),
    "auditor": user(Role.AUDITOR),
    "admin": user(Role.ADMIN),
    # A superuser whose role is the least privileged one: superuser rights do not come from the role.
    "superuser": user(Role.LEADER, superuser=True),
}

# Who each role-only predicate admits.
ADMITS = {
    roles.is_analyst: {"analyst", "superuser"},
    roles.can_import: {"analyst", "superuser"},
    roles.can_read_imports: {"analyst", "auditor", "superuser"},
    roles.can_see_personal_data: {"analyst", "superuser"},
    roles.can_flag_sensitive: {"analyst", "superuser"},
    roles.can_decide_appeal: {"analyst", "superuser"},
    roles.can_read_audit: {"auditor", "admin", "superuser"},
    roles.can_run_cycle: {"analyst", "admin", "superuser"},
    roles.can_trace: {"analyst", "admin", "superuser"},
    roles.can_generate: {"analyst", "admin", "superuser"},
    roles.can_publish: {"analyst", "admin", "superuser"},
    roles.can_verify: {"analyst", "auditor", "admin", "superuser"},
    roles.can_see_drafts: {"analyst", "auditor", "admin", "superuser"},
    roles.sees_all_units: {"analyst", "auditor", "admin", "superuser"},
    roles.is_administrator: {"admin", "superuser"},
    roles.can_file_appeal: {"dept_head"},
    roles.is_department_head: {"dept_head"},
    roles.is_auditor: {"auditor"},
    roles.is_read_only: {"auditor"},
    roles.can_read: set(PEOPLE),
}


@pytest.mark.parametrize("predicate", ADMITS, ids=lambda p: p.__name__)
def test_it_admits_exactly_these_roles(predicate):
    assert {name for name, u in PEOPLE.items() if predicate(u)} == ADMITS[predicate]


@pytest.mark.parametrize("predicate", ADMITS, ids=lambda p: p.__name__)
def test_it_refuses_anonymous_users_and_nobody(predicate):
    assert predicate(AnonymousUser()) is False
    assert predicate(None) is False


def test_it_keeps_the_role_values_and_labels():
    # The stored values: changing one would need a data migration (and the matrix would not notice).
    assert User.Role is Role
    assert dict(Role.choices) == {"analyst": "指挥中心分析员", "dept_head": "专业部门负责人", "leader": "公司领导",
                                  "auditor": "审计监察", "admin": "系统管理员"}


def test_it_does_not_count_the_administrator_as_an_analyst():
    admin = PEOPLE["admin"]
    assert not roles.is_analyst(admin)
    assert not roles.can_import(admin) and not roles.can_decide_appeal(admin)
    assert roles.can_run_cycle(admin) and roles.can_publish(admin)  # but runs the monthly cycle


def test_it_does_not_count_a_superuser_with_the_auditor_role_as_read_only():
    assert roles.is_auditor(user(Role.AUDITOR, superuser=True))
    assert not roles.is_read_only(user(Role.AUDITOR, superuser=True))


def test_it_needs_an_active_account_for_the_admin_site_and_the_api():
    for role in Role:
        assert not roles.is_administrator(user(role, active=False))
        assert not roles.can_read(user(role, active=False))
    assert not roles.is_administrator(user(Role.LEADER, superuser=True, active=False))


def test_it_sends_each_role_to_its_home():
    assert {name: roles.home_role(u) for name, u in PEOPLE.items()} == {
        "analyst": Role.ANALYST, "dept_head": Role.DEPARTMENT_HEAD, "leader": Role.LEADER,
        "auditor": Role.AUDITOR, "admin": Role.ANALYST, "superuser": Role.ANALYST,
    }


def test_it_lets_a_department_head_appeal_only_their_own_attribution():
    head = PEOPLE["dept_head"]
    assert roles.can_file_appeal(head, city_id=3, department_id=7)
    assert not roles.can_file_appeal(head, city_id=3, department_id=8)  # another department
    assert not roles.can_file_appeal(head, city_id=4, department_id=7)  # another city company
    assert not roles.can_file_appeal(PEOPLE["analyst"], city_id=3, department_id=7)


def test_it_decides_only_pending_appeals():
    pending, decided = SimpleNamespace(is_pending=True), SimpleNamespace(is_pending=False)
    assert roles.can_decide_appeal(PEOPLE["analyst"], pending)
    assert not roles.can_decide_appeal(PEOPLE["analyst"], decided)
    assert not roles.can_decide_appeal(PEOPLE["admin"], pending)


def test_it_lets_the_assigned_department_update_a_rectification():
    item = SimpleNamespace(department_id=7)
    allowed = {name for name, u in PEOPLE.items() if roles.can_update_rectification(u, item)}
    assert allowed == {"analyst", "dept_head", "superuser"}
    assert not roles.can_update_rectification(PEOPLE["dept_head"], SimpleNamespace(department_id=8))
    assert not roles.can_update_rectification(PEOPLE["analyst"], None)  # no item, nothing to update


def notice(*, month_draft=False, final=False, pdf=True):
    return SimpleNamespace(is_month_draft=month_draft, is_final=final, has_pdf=pdf)


def test_it_shows_the_month_draft_to_leaders_and_department_heads_but_not_a_correction_draft():
    month_draft, correction = notice(month_draft=True), notice(month_draft=False)
    assert {n for n, u in PEOPLE.items() if roles.can_read_draft(u, month_draft)} == set(PEOPLE)
    assert {n for n, u in PEOPLE.items() if roles.can_read_draft(u, correction)} == {
        "analyst", "auditor", "admin", "superuser"}
    assert not roles.can_read_draft(AnonymousUser(), month_draft)


def test_it_downloads_final_versions_for_everyone_and_drafts_for_their_readers():
    assert all(roles.can_download(u, notice(final=True)) for u in PEOPLE.values())
    assert {n for n, u in PEOPLE.items() if roles.can_download(u, notice())} == {
        "analyst", "auditor", "admin", "superuser"}
    assert not roles.can_download(PEOPLE["analyst"], notice(final=True, pdf=False))  # nothing rendered yet
    assert not roles.can_download(AnonymousUser(), notice(final=True))


# --- no bare role strings outside core/roles.py --------------------------------------------------

ROLE_LITERAL = re.compile(r"""["'](%s)["']""" % "|".join(map(re.escape, Role.values)))


def _exempt(tree: ast.AST) -> set[int]:
    """The demo users' usernames (accounts.services.DEMO_USERS) are named after their roles on purpose;
    they are usernames, not role values."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DEMO_USERS" for t in node.targets):
            ids |= {id(row.elts[0]) for row in node.value.elts}
    return ids


def python_role_strings(source: str, name: str = "<source>") -> list[str]:
    tree = ast.parse(source, name)
    exempt = _exempt(tree)
    return [f"{name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in Role.values and id(node) not in exempt]


def template_role_strings(source: str, name: str = "<template>") -> list[str]:
    return [f"{name}:{source.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in ROLE_LITERAL.finditer(source)]


def test_it_finds_bare_role_strings():
    assert python_role_strings('if user.role == "analyst" or role in ("leader",):\n    pass\n') == [
        "<source>:1: 'analyst'", "<source>:1: 'leader'"]
    assert python_role_strings('DEMO_USERS = [("admin", "x", Role.ADMIN)]\nx = "admin"\n') == ["<source>:2: 'admin'"]
    assert template_role_strings('<p>\n{% if role == "dept_head" %}') == ['<template>:2: "dept_head"']
    assert template_role_strings("{% url 'admin:index' %}{% if menu.admin_site %}") == []


def test_it_spells_roles_only_in_core_roles():
    found = []
    for path in sorted((ROOT / "scorecard").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "scorecard/core/roles.py" or "/migrations/" in rel:
            continue
        found += python_role_strings(path.read_text(encoding="utf-8"), rel)
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += template_role_strings(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert not found, "use scorecard.core.roles (Role members or a predicate) instead of:\n" + "\n".join(found)
