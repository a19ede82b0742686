"""WCAG 2.1 AA in a real browser (issue #17): axe-core — a checker nobody here wrote, from the npm
registry (package.json, installed by ``make setup`` like ECharts) — on every main page for each
role at desktop (1400 px) and tablet (800 px) width; and the tablet navigation by keyboard alone.

One test per concern, each a single live server and one chromium (tests/browser/conftest.py):
the page × role × width grid is a loop inside the test, its violations collected and reported
together, rather than ~150 parametrized tests that would each rebuild the database.
"""
import os
import re
from pathlib import Path

from django.conf import settings

from scorecard.complaints.models import WorkOrder
from scorecard.kpis import services as kpi_services
from scorecard.kpis.models import Incident

from .conftest import MONTH

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
WIDTHS = (1400, 800)
# SCREENSHOTS_DIR=docs/screenshots keeps the keyboard test's picture for docs/screenshots.md.
SCREENSHOT_NAME = "22-tablet-menu-keyboard.png"
M = MONTH.strftime("%Y-%m")

# Pages every signed-in role opens; then each role's own. {cs}: the 长沙 company's id, {inc}: an incident,
# {order}: a 长沙 运检 complaint. Pages a role may not open are checked too (their 403/404 pages).
COMMON = ["/", f"/analysis/?month={M}", f"/analysis/orders/?month={M}", f"/scorecard/?month={M}",
          "/scorecard/?month=2019-01", f"/scorecard/unit/{{cs}}/yj/?month={M}", f"/scorecard/incidents/?month={M}",
          "/scorecard/incidents/{inc}/", "/scorecard/appeals/", "/notices/", "/notices/rankings/",
          "/notifications/", "/accounts/profile/", "/accounts/password/", "/no-such-page/",
          "/analysis/?month=2019-01", "/orders/", "/orders/GD-CS-0/", f"/scorecard/deductions/?month={M}"]
EXTRA = {
    "fenxi": ["/imports/", "/notices/verify/", "/scorecard/verify/{order}/"],
    "yunjian": ["/scorecard/appeals/new/{order}/"],
    "lingdao": [],
    "shenji": ["/imports/", "/audit/", "/notices/verify/"],
}

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.flatMap(v => v.nodes.map(n => v.id + " (" + v.impact + ") " + n.target.join(" ")
    + " — " + (n.failureSummary || "").split("\\n").slice(1, 2).join("").trim().replace(/[0-9.]+(pt|px)/g, "…")));
}"""


def violations(page) -> list[str]:
    # Evaluated through the debugger protocol, not added as an inline <script>: the CSP refuses those.
    page.evaluate(AXE.read_text())
    return page.evaluate(AXE_RUN, TAGS)


def settle(page):
    """Wait until the page's charts have drawn (their aria-label is set from the data by then)."""
    page.wait_for_load_state("load")
    page.wait_for_function("""() => [...document.querySelectorAll("[data-chart]")].every(
        el => el.getAttribute("data-rendered") === "1")""")


def test_axe_finds_no_wcag_violation_on_any_main_page_for_any_role_at_both_widths(browser, site):
    assert AXE.exists(), "axe-core is not installed: run `make setup` (npm ci)"
    kpi_services.trace_month(month=MONTH)
    inc = Incident.objects.order_by("pk").first()
    assert inc is not None, "the site fixture should trace an incident (the overloaded 台区)"
    order = WorkOrder.objects.get(order_no="GD-CS-0")
    kpi_services.open_draft(month=MONTH)  # the appeal window open: the appeal form is a page
    found = {}
    # The login page, signed out.
    for width in WIDTHS:
        page = browser.new(width=width)
        page.goto(browser.url + "/accounts/login/")
        for v in violations(page):
            found.setdefault(v, []).append(f"anonymous {width}px /accounts/login/")
        page.context.close()
    for username, extra in EXTRA.items():
        for width in WIDTHS:
            page = browser.login(username, width=width)
            for path in COMMON + extra:
                url = path.format(cs=site["cs"].pk, inc=inc.pk, order=order.pk)
                page.goto(browser.url + url)
                settle(page)
                for v in violations(page):
                    found.setdefault(v, []).append(f"{username} {width}px {url}")
            page.context.close()
    # Each chart is an image stating its figures, its drill-down also a link in its data table.
    page = browser.login("fenxi")
    page.goto(f"{browser.url}/analysis/?month={M}")
    settle(page)
    assert page.get_attribute("#chart-categories", "role") == "img"
    assert page.get_attribute("#chart-categories", "aria-label").startswith("一级分类占比，共 5 件：供电质量 5 件（100.00%）")
    assert "高峰：" in page.get_attribute("#chart-hourly", "aria-label")
    page.click("#hourly-data summary")
    page.click("#hourly-table a >> text=19时")  # the 19:00 bar, by keyboard-reachable link
    page.wait_for_url(re.compile(r"/analysis/orders/\?.*hour=19"))
    assert "GD-CS-0" in page.inner_text("main")
    page.goto(f"{browser.url}/scorecard/unit/{site['cs'].pk}/yj/?month={M}")
    settle(page)
    assert page.get_attribute("#trend", "role") == "img" and "投诉共 3 件" in page.get_attribute("#trend", "aria-label")
    page.context.close()
    report = "\n".join(f"{v}\n    on {len(where)} page(s), e.g. {', '.join(where[:4])}" for v, where in found.items())
    assert not found, "axe-core (wcag2a, wcag2aa, wcag21aa) reports:\n" + report


def test_tablet_navigation_opens_and_is_followed_by_keyboard_alone(browser, site, tmp_path):
    page = browser.login("yunjian", width=800, height=1000)
    toggle = page.locator("button.nav-burger")
    assert not page.is_visible("nav.mainnav a") and toggle.get_attribute("aria-expanded") == "false"
    # Tab from the top of the page: the skip link first, then the brand, then the menu button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    for _ in range(10):
        if page.evaluate("document.activeElement.classList.contains('nav-burger')"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("the navigation button is not reachable with Tab")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.is_visible("nav.mainnav >> text=考核排名")
    # The focus ring is visible on the focused element (an outline, not the browser's none).
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert focused[0] == "首页" and focused[1] != "none" and focused[2] >= 2, focused
    for _ in range(6):
        if page.evaluate("document.activeElement.textContent.trim()") == "考核排名":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("考核排名 is not reachable with Tab in the open navigation")
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path) / SCREENSHOT_NAME))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/scorecard/$"))
    assert "考核排名" in page.inner_text("h1")
    # Escape closes the open navigation and gives the focus back to its button.
    page.keyboard.press("Tab")
    toggle = page.locator("button.nav-burger")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not page.is_visible("nav.mainnav a")
    # The skip link jumps past the header to the page's content.
    page.keyboard.press("Shift+Tab")
    page.goto(page.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
