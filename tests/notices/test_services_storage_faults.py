"""The PDF volume fails while a notice is written (disk full): no partial file, a clear error,
and the retry succeeds once space is back. bench/faults.py drill 3 does the same on a real
4 MB tmpfs; here the write failure is injected at the file system call our storage layer makes."""
import errno
import os
from pathlib import Path

import pytest
from django.conf import settings

from scorecard.notices import services
from scorecard.notices.models import Notice

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_full_volume_leaves_no_partial_file_and_the_retry_succeeds(month_data, monkeypatch):
    notice = services.request_generation(month=MONTH, user=None)

    def full(fd):  # the bytes are buffered, the flush to disk fails: what ENOSPC looks like
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(services.os, "fsync", full)
    with pytest.raises(OSError, match="No space left on device"):
        services.render_notice(notice_id=notice.pk)
    assert files() == []  # neither the PDF nor its .tmp
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING and "No space left on device" in notice.error
    services.mark_failed(notice_id=notice.pk, error=notice.error)  # what the task does when it gives up
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED and "No space left on device" in notice.error

    monkeypatch.undo()  # space is back; the analyst presses generate again
    retry = services.render_notice(notice_id=services.request_generation(month=MONTH, user=None).pk)
    assert (retry.pk, retry.status) == (notice.pk, Notice.Status.DRAFT)
    assert services.file_intact(retry) and files() == [retry.file]
