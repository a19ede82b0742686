"""The analysis page in a real browser (Debian's chromium through Playwright): the charts render
on a canvas and clicking a bar opens the orders behind it."""
import os

import pytest

from scorecard.accounts.models import User

from .conftest import SmallProvince, local

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


@pytest.fixture
def site(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    small = SmallProvince()
    d = small.districts[0]
    for i, hour in enumerate([19, 19, 19, 11, 11, 17, 9]):
        small.order(local(2018, 3, 2 + i, hour, 15), customer=f"W{i % 4}", district=d)
    small.order(local(2018, 3, 4, 10), customer="W9", sub="服务不规范", city=1)
    User.objects.create_user("browser", password="pw-browser-analysis", role=User.Role.ANALYST)
    return small


def test_analysis_page_charts_click_through(live_server, site, browser_page):
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "browser")
    page.fill("#id_password", "pw-browser-analysis")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/analysis/?month=2018-03")
    assert "2018-03 投诉画像" in page.inner_text("h1")
    for chart in ("chart-categories", "chart-subcategories", "chart-hourly"):
        canvas = page.wait_for_selector(f"#{chart}[data-rendered='1'] canvas")
        box = canvas.bounding_box()
        assert box["width"] > 300 and box["height"] > 200
    # The canvas is painted, not blank: some pixels differ from the first one.
    painted = page.evaluate("""() => {
        const c = document.querySelector('#chart-hourly canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] !== d[0] || d[i+1] !== d[1]) n++; }
        return n; }""")
    assert painted > 1000

    # Click the 19:00 bar where ECharts drew it, once the bars have finished growing.
    page.wait_for_selector("#chart-hourly[data-finished='1']", state="attached")
    x, y = page.evaluate("""() => {
        const el = document.getElementById('chart-hourly');
        el.scrollIntoView({block: 'center', behavior: 'instant'});
        const chart = echarts.getInstanceByDom(el);
        const p = chart.convertToPixel({seriesIndex: 0}, [19, 1]);
        const r = el.getBoundingClientRect();
        return [r.left + p[0], r.top + p[1]]; }""")
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert "/analysis/orders/" in page.url and "hour=19" in page.url
    rows = page.query_selector_all("table.orders tbody tr")
    assert len(rows) == 3
    assert "投诉工单清单" in page.inner_text("h1")

    # The charts speak the page's language: their words come translated from the server.
    def axis_words():
        page.wait_for_selector("#chart-hourly[data-rendered='1']")
        return page.evaluate("""() => {
            const o = echarts.getInstanceByDom(document.getElementById('chart-hourly')).getOption();
            return [o.yAxis[0].name, o.xAxis[0].data[19]]; }""")

    page.goto(live_server.url + "/analysis/?month=2018-03")
    assert axis_words() == ["件数", "19时"]
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    page.goto(live_server.url + "/analysis/?month=2018-03")
    assert axis_words() == ["Count", "19:00"]
