"""Administrators (role admin) hold every model permission, as superusers do, so
that granting the role is all it takes; the role, not per-user permission rows,
decides (and the read-only admins, e.g. the audit log, stay read-only)."""


class RolePermissionBackend:
    def authenticate(self, request, **credentials):
        return None  # permissions only; logging in is ModelBackend's job

    def _is_admin(self, user_obj) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "role", None) == "admin")

    def has_perm(self, user_obj, perm, obj=None):
        return self._is_admin(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return self._is_admin(user_obj)
