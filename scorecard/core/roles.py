"""The roles and who may do what: one predicate per permission, used by views, the API, templates,
services and commands alike (domain.md "Who uses the product").

Each predicate is a plain function of the user (and, where the answer depends on it, the object),
decided by the role alone, plus ``is_superuser`` (a superuser may do what an analyst may) and, where
the check has always included it, ``is_active``. ``user`` may be anyone: ``None``, an
``AnonymousUser`` or a ``User``. Objects of the higher apps (appeals, rectifications, notices) are
taken duck-typed — core imports no project app.

Is the administrator an analyst? No. Two definitions used to disagree: ``User.is_analyst`` and
``role_required("analyst")`` said no, the notices' and the cycle's permissions said "analysts (and
administrators)". Both were right about their own checks, and the access matrix
(tests/accounts/test_access_matrix.py) pins them: an administrator runs the monthly cycle (traces,
declares the cutoff, generates, publishes, verifies notices) and reads every draft, because they
configure the rules the cycle runs on; but only analysts (and superusers) import files, decide
appeals, flag sensitive customers, update rectifications and see customers' names and phone
numbers — the command center's own work. ``is_analyst`` therefore means the role analyst (or a
superuser), and the predicates that also admit administrators say so.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ANALYST = "analyst", _("指挥中心分析员")
    DEPARTMENT_HEAD = "dept_head", _("专业部门负责人")
    LEADER = "leader", _("公司领导")
    AUDITOR = "auditor", _("审计监察")
    ADMIN = "admin", _("系统管理员")


# --- the parts every predicate is made of ---------------------------------------------------------

def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def _role(user) -> str | None:
    return getattr(user, "role", None)


def _has(user, *roles: Role) -> bool:
    """Signed in with one of ``roles`` (superusers always)."""
    return _signed_in(user) and (user.is_superuser or _role(user) in roles)


# The monthly cycle's roles: the command center runs it, administrators configure what it runs on.
_CYCLE = (Role.ANALYST, Role.ADMIN)
# Those who see every unit's figures, every draft and the whole province.
_EVERYTHING = (Role.ANALYST, Role.AUDITOR, Role.ADMIN)


# --- who someone is -------------------------------------------------------------------------------

def is_analyst(user) -> bool:
    """An analyst of the service command center, or a superuser; not an administrator (see above)."""
    return _has(user, Role.ANALYST)


def is_department_head(user) -> bool:
    """The head of one department of one company (a superuser is not: scoping narrows by the role)."""
    return _signed_in(user) and _role(user) == Role.DEPARTMENT_HEAD


def is_auditor(user) -> bool:
    return _signed_in(user) and _role(user) == Role.AUDITOR


def is_read_only(user) -> bool:
    """Auditors read everything and change nothing (a superuser with the auditor role still may)."""
    return is_auditor(user) and not user.is_superuser


def is_administrator(user) -> bool:
    """May use the admin site and holds every model permission: role admin or superuser, active."""
    return _signed_in(user) and user.is_active and (user.is_superuser or _role(user) == Role.ADMIN)


def can_read(user) -> bool:
    """Everyone signed in and active reads (within their scope): the JSON API's whole rule."""
    return _signed_in(user) and user.is_active


def sees_all_units(user) -> bool:
    """No unit scope: analysts, auditors and administrators (and superusers) see the whole province."""
    return _has(user, *_EVERYTHING)


def home_role(user) -> Role:
    """Whose home page a user gets: administrators and superusers the analyst's (they run the cycle),
    anyone without one of the other roles the auditor's (read-only)."""
    if is_analyst(user) or _role(user) == Role.ADMIN:
        return Role.ANALYST
    if _role(user) in (Role.DEPARTMENT_HEAD, Role.LEADER):
        return Role(_role(user))
    return Role.AUDITOR


# --- data: imports, customers ---------------------------------------------------------------------

def can_import(user) -> bool:
    """Imports change everyone's figures: analysts (and superusers) only."""
    return is_analyst(user)


def can_read_imports(user) -> bool:
    """The import list and each job (what was imported, by whom, with which errors): analysts and auditors."""
    return _has(user, Role.ANALYST, Role.AUDITOR)


def can_see_personal_data(user) -> bool:
    """Customer names and phone numbers in full: analysts only; everyone else sees them masked."""
    return is_analyst(user)


def can_flag_sensitive(user) -> bool:
    """Flag a customer as sensitive: analysts only, since the flag changes what every other user sees first."""
    return is_analyst(user)


def can_read_audit(user) -> bool:
    """The audit log: auditors and administrators (and superusers)."""
    return _has(user, Role.AUDITOR, Role.ADMIN)


# --- the monthly cycle ----------------------------------------------------------------------------

def can_run_cycle(user) -> bool:
    """Trace a month, declare its cutoff: the command center's analysts and administrators."""
    return _has(user, *_CYCLE)


can_trace = can_run_cycle


def can_generate(user) -> bool:
    """Generate (render) a month's notice and publish it: the same people who run the cycle."""
    return _has(user, *_CYCLE)


can_publish = can_generate


# --- appeals and rectifications -------------------------------------------------------------------

def can_file_appeal(user, *, city_id: int | None = None, department_id: int | None = None) -> bool:
    """Appeal an attribution (申诉): department heads, in their department's name (not superusers).

    With ``city_id`` and ``department_id`` (where the complaint is attributed now): only for a
    complaint attributed to their own department of their own city company."""
    if not is_department_head(user):
        return False
    if city_id is None and department_id is None:
        return True
    return user.department_id == department_id and user.org_unit.city_id == city_id


def can_decide_appeal(user, appeal=None) -> bool:
    """Accept or reject an appeal: analysts (and superusers), not administrators — the decision moves a
    complaint to another department. With ``appeal`` (anything with ``is_pending``): only while it is pending."""
    return is_analyst(user) and (appeal is None or appeal.is_pending)


def can_set_verification(user) -> bool:
    """Mark a complaint 属实/不属实, 有责/无责 or 降级 (核实与定责) with a reason, before the month's cutoff:
    the command center's analysts (the assessment's judges), not the departments it judges."""
    return is_analyst(user)


def can_enter_deduction(user) -> bool:
    """Enter a 考核扣分 event (portal or ``import_data events``): the command center's analysts."""
    return is_analyst(user)


def can_update_rectification(user, rectification) -> bool:
    """Update a rectification item (整改): analysts, and the head of the department it is assigned to.
    ``rectification``: anything with ``department_id``, or None (no item: nothing to update)."""
    if rectification is None:
        return False
    return is_analyst(user) or (is_department_head(user) and user.department_id == rectification.department_id)


# --- notices --------------------------------------------------------------------------------------

def can_verify(user) -> bool:
    """Verify a file against the published hash: analysts, auditors and administrators."""
    return _has(user, *_EVERYTHING)


def can_see_drafts(user) -> bool:
    """Every version of every notice, drafts and correction drafts included: those who verify."""
    return can_verify(user)


def can_read_draft(user, notice) -> bool:
    """A notice that is not final. Those who see drafts: any. Leaders and department heads: the month's
    draft (初稿, 征求意见稿) while it is open for appeals and review — the draft they are asked to appeal
    against — never a correction draft, which the command center prepares alone.
    ``notice``: anything with ``is_month_draft``."""
    if can_see_drafts(user):
        return True
    return _signed_in(user) and notice.is_month_draft and _role(user) in (Role.DEPARTMENT_HEAD, Role.LEADER)


def can_download(user, notice) -> bool:
    """The PDF (and its data snapshot): everyone signed in for a published or superseded version, the
    draft for those who may read it. ``notice``: anything with ``has_pdf``, ``is_final`` and ``is_month_draft``."""
    if not _signed_in(user) or not notice.has_pdf:
        return False
    return notice.is_final or can_read_draft(user, notice)


# --- early warning (预警工单, issue #18) ------------------------------------------------------------

def can_create_warning(user) -> bool:
    """Turn a risk into a 预警工单: the command center's analysts, who run the risk list."""
    return is_analyst(user)


def can_handle_warning(user, warning=None) -> bool:
    """Acknowledge a 预警工单, record what was done and close it: the people the order is addressed to —
    a leader (所长, 县公司负责人) whose unit is the order's 供电所 or its 县公司, and the head of the order's
    department in its city company (who also answers when it runs overdue). Analysts issue orders,
    they do not work them. ``warning``: anything with ``city_id``, ``county_id``, ``station_id`` and
    ``department_id``; None asks whether the user could handle any order at all."""
    if not (_signed_in(user) and user.is_active):
        return False
    unit = getattr(user, "org_unit", None)
    if _role(user) == Role.LEADER and unit is not None and unit.level in ("county", "station"):
        return warning is None or unit.pk in (warning.county_id, warning.station_id)
    if is_department_head(user) and unit is not None:
        return warning is None or (user.department_id == warning.department_id and unit.city_id == warning.city_id)
    return False
