"""Who may move the monthly cycle: one predicate each, used by views and templates alike."""
from scorecard.accounts.decorators import has_role
from scorecard.accounts.models import User


def can_run_cycle(user) -> bool:
    """Trace a month, declare its cutoff, publish it: the service command center's analysts
    (and administrators, who configure the rules the cycle runs on)."""
    return has_role(user, User.Role.ANALYST, User.Role.ADMIN)


can_trace = can_run_cycle
