"""role_required takes predicates of scorecard.core.roles (never role names) and admits active users only."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from scorecard.accounts.decorators import no_auditor_writes, role_required
from scorecard.accounts.models import User
from scorecard.core.roles import Role, can_import, can_read_imports


def _view(request):
    return HttpResponse("ok")


def _call(view, user, method="get"):
    request = getattr(RequestFactory(), method)("/x/")
    request.user = user
    return view(request)


def test_it_refuses_role_names():
    with pytest.raises(TypeError):
        role_required("analyst")
    with pytest.raises(TypeError):
        role_required(can_read_imports, write=Role.ANALYST)


def test_it_lets_in_whom_the_predicate_admits():
    view = role_required(can_read_imports, write=can_import)(_view)
    assert _call(view, User(role=Role.ANALYST), "post").status_code == 200
    assert _call(view, User(role=Role.AUDITOR)).status_code == 200
    with pytest.raises(PermissionDenied):
        _call(view, User(role=Role.AUDITOR), "post")  # reads, never writes
    with pytest.raises(PermissionDenied):
        _call(view, User(role=Role.LEADER))


def test_it_refuses_an_inactive_account_and_sends_anonymous_users_to_log_in():
    view = role_required(can_import)(_view)
    with pytest.raises(PermissionDenied):
        _call(view, User(role=Role.ANALYST, is_active=False))
    assert _call(view, AnonymousUser()).status_code == 302


def test_it_refuses_an_auditors_unsafe_request():
    view = no_auditor_writes(_view)
    assert _call(view, User(role=Role.AUDITOR)).status_code == 200
    with pytest.raises(PermissionDenied):
        _call(view, User(role=Role.AUDITOR), "post")
    assert _call(view, User(role=Role.AUDITOR, is_superuser=True), "post").status_code == 200
