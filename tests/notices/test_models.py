"""Notice files live in the "notices" storage (settings.STORAGES), never at a path joined by hand."""
from pathlib import Path

import pytest
from django.core.files.storage import storages

from scorecard.notices.models import Notice


def test_it_stores_notice_files_in_the_notices_storage(settings):
    # The field's storage is the one configured under STORAGES["notices"] (same backend), not default media.
    configured = settings.STORAGES["notices"]["BACKEND"].rsplit(".", 1)[1]
    assert type(Notice._meta.get_field("file").storage).__name__ == configured == type(storages["notices"]).__name__


@pytest.mark.django_db
def test_it_follows_the_media_root_of_the_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    notice = Notice(file="notices/2026/x.pdf")
    assert Path(notice.file.path) == tmp_path / "elsewhere" / "notices" / "2026" / "x.pdf"
