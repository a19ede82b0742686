"""Template context for every page: the bell's unread count and which menu entries the user gets."""
from scorecard.core.roles import can_read_audit, can_read_imports, is_administrator

from .notifications import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu = {
        "imports": can_read_imports(user),
        # Whoever may open the audit log gets its entry (administrators used to be left without one).
        "audit_log": can_read_audit(user),
        "admin_site": is_administrator(user),
    }
    return {"unread_notifications": unread_count(user), "menu": menu}
