"""The station drill-down in a real browser (Debian's chromium through Playwright) at 1366 px: the 台区 with
their 台区经理 and the manager ranking; shot into docs/screenshots/ with UPDATE_SCREENSHOTS=1."""
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.fixtures.chromium import BROWSER_MARKS, logged_in_page
from tests.kpis.test_selectors_drilldown import world  # noqa: F401  (the hand-made county world)

SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "pw-browser-drill"

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_the_station_page_lists_its_districts_and_managers(world, live_server, monkeypatch, settings, tmp_path):  # noqa: F811
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    analyst = world["users"]["analyst"]
    analyst.set_password(PASSWORD)
    analyst.save()
    with logged_in_page(live_server, monkeypatch, username=analyst.username, password=PASSWORD) as page:
        page.goto(f"{page.base}/scorecard/units/{world['s1'].pk}/?month=2024-10")
        assert "T1台区" in page.inner_text("main") and "张伟（GW001）" in page.inner_text("main")
        # Into docs/ only when asked: a test run leaves the working tree as it was.
        target = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        page.screenshot(path=str(target / "station-drilldown.png"), full_page=True)
