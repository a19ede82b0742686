"""Administrators (role admin) hold every model permission, as superusers do, so
that granting the role is all it takes; the role, not per-user permission rows,
decides (and the read-only admins, e.g. the audit log, stay read-only).

``is_administrator`` also admits active superusers, who hold every permission anyway (Django answers
for them before asking any backend)."""
from scorecard.core.roles import is_administrator


class RolePermissionBackend:
    def authenticate(self, request, **credentials):
        return None  # permissions only; logging in is ModelBackend's job

    def has_perm(self, user_obj, perm, obj=None):
        return is_administrator(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return is_administrator(user_obj)
