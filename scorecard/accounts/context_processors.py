"""Template context for every page: the bell's unread count and which menu entries the user gets."""
from scorecard.core.roles import can_read_imports, is_administrator, is_auditor

from .notifications import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu = {
        "imports": can_read_imports(user),
        # Auditors and superusers, as the menu always had it; a role administrator who is not a
        # superuser may open the page (can_read_audit) but gets no entry. Kept as it was by the
        # permissions refactor (issue #12), which changes no page.
        "audit_log": is_auditor(user) or user.is_superuser,
        "admin_site": is_administrator(user),
    }
    return {"unread_notifications": unread_count(user), "menu": menu}
