"""The seasonal risk list in a real browser (Debian's chromium through Playwright) at 1366 px: the table with
its figures and projects fits without scrolling sideways; shot into docs/screenshots/ with
UPDATE_SCREENSHOTS=1 (scripts/screenshots.py shoots the same page on the demo province)."""
import os
from pathlib import Path

import pytest
from django.conf import settings

from scorecard.accounts.models import User
from scorecard.grid.models import District, GridProject, OrgUnit
from scorecard.kpis import services
from tests.fixtures.chromium import BROWSER_MARKS, logged_in_page
from tests.fixtures.factories import city, district, reading

SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "pw-browser-seasonal"

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_the_seasonal_list_fits_1366_px(live_server, monkeypatch, settings, tmp_path):
    import datetime as dt

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    cs = city("国网张家界供电公司")  # the longest names of the demo province
    county = OrgUnit.objects.create(name="武陵源区供电公司", level="county", parent=cs)
    station = OrgUnit.objects.create(name="双江供电所", level="station", parent=county)
    for i, (load, vmin) in enumerate([(131.5, 212), (118.2, 188.4), (104.0, 215), (96.3, 191.2), (88.7, 214),
                                      (72.1, 183.9)]):
        d = district(f"TQ43010{i}", cs)
        District.objects.filter(pk=d.pk).update(name=f"望城丁字湾{i + 1}号公变台区", county=county, station=station)
        reading(d, "2024-07", load=load, vmin=vmin)
        reading(d, "2025-03", load=load * 0.8)
        reading(d, "2024-03", load=load * 0.75)
        if i % 3 == 0:
            GridProject.objects.create(project_no=f"XM20250000{i}1", district=d, kind="配变增容",
                                       planned_on=dt.date(2025, 5, 20))
        if i % 2 == 0:
            GridProject.objects.create(project_no=f"XM20250000{i}2", district=d, kind="新建台区",
                                       planned_on=dt.date(2025, 7, 10))
    services.compute_seasonal_list(season="summer", year=2025)
    User.objects.create_user("sb-analyst", password=PASSWORD, role="analyst")
    with logged_in_page(live_server, monkeypatch, username="sb-analyst", password=PASSWORD) as page:
        page.goto(f"{page.base}/scorecard/risk/seasonal/?list=2025-summer")
        main = page.inner_text("main")
        assert "望城丁字湾1号公变台区" in main and "项目按期投运" in main and "无改造项目" in main
        last = page.inner_text("#seasonal-table tbody tr:last-child")
        assert "TQ430105" in last and "低电压" in last    # low voltage without a load risk
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        # Nor inside its card: the table's scrolling container shows it whole.
        assert page.evaluate("(() => { const c = document.querySelector('#seasonal-table').closest('.table-container')"
                             " || document.querySelector('#seasonal-table').parentElement;"
                             " return c.scrollWidth <= c.clientWidth; })()")
        target = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        page.screenshot(path=str(target / "seasonal-list.png"), full_page=True)
