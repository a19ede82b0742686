"""Who may do what with notices (domain.md "Who uses the product").

- analysts (and administrators): generate, publish, download any version, verify;
- auditors: download any version (drafts included: they read everything), verify; change nothing;
- everyone logged in (leaders, department heads): read the published rankings and
  download published / superseded versions; and the month's draft (初稿, 征求意见稿) while
  it is open for appeals and review — the draft they are asked to appeal against. Never a
  correction draft, which the command center prepares alone.
"""
from .models import Notice


def _role(user) -> str | None:
    return getattr(user, "role", None)


def can_generate(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _role(user) in ("analyst", "admin")))


can_publish = can_generate


def can_verify(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _role(user) in ("analyst", "admin", "auditor")))


def can_see_drafts(user) -> bool:
    return can_verify(user)


def can_read_draft(user, notice: Notice) -> bool:
    if can_see_drafts(user):
        return True
    return bool(user.is_authenticated and notice.status == Notice.Status.DRAFT and not notice.corrects_id
                and _role(user) in ("dept_head", "leader"))


def can_download(user, notice: Notice) -> bool:
    if not user.is_authenticated or not notice.file or notice.status not in (
            Notice.Status.DRAFT, Notice.Status.PUBLISHED, Notice.Status.SUPERSEDED):
        return False
    return notice.is_final or can_read_draft(user, notice)
