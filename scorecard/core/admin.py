"""Admin pieces every app uses (core registers no model of its own here)."""


class ReadOnlyAdminMixin:
    """Rows that change only through the services, or never (the audit trail, notices): the admin shows
    them and refuses every add, change and delete, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
