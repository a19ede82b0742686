"""What the notices app does when the figures behind a draft move."""
from django.dispatch import receiver

from scorecard.core.signals import attribution_changed


@receiver(attribution_changed)
def _regenerate_draft(sender, *, month, user=None, **kwargs):
    # An accepted appeal moved a complaint: the draft the departments read must follow by
    # itself (the render is a task; publication compares the draft with the frozen figures).
    from .services import regenerate_draft

    regenerate_draft(month=month, user=user)
