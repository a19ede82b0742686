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

from scorecard.kpis import services as kpi_services
from scorecard.kpis.models import Incident

from .conftest import MONTH

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
WIDTHS = (1400, 800)
# SCREENSHOTS_DIR=docs/screenshots keeps the keyboard test's picture for docs/screenshots.md.
SCREENSHOT_NAME = "22-tablet-menu-keyboard.png"
M = MONTH.strftime("%Y-%m")

# Pages every signed-in role opens; then each role's own. {cs}: the 长沙 company's id, {inc}: an incident.
COMMON = ["/", f"/analysis/?month={M}", f"/analysis/orders/?month={M}", f"/scorecard/?month={M}",
          "/scorecard/?month=2019-01", f"/scorecard/unit/{{cs}}/yj/?month={M}", f"/scorecard/incidents/?month={M}",
          "/scorecard/incidents/{inc}/", "/scorecard/appeals/", "/notices/", "/notices/rankings/",
          "/notifications/", "/accounts/profile/", "/accounts/password/", "/no-such-page/"]
EXTRA = {
    "fenxi": ["/imports/", "/notices/verify/"],
    "yunjian": [],
    "lingdao": [],
    "shenji": ["/imports/", "/audit/", "/notices/verify/"],
}

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.flatMap(v => v.nodes.map(n => v.id + " (" + v.impact + ") " + n.target.join(" ")
    + " — " + (n.failureSummary || "").split("\\n").slice(1, 2).join("").trim().replace(/[0-9.]+(pt|px)/g, "…")));
}"""


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
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
                url = path.format(cs=site["cs"].pk, inc=inc.pk)
                page.goto(browser.url + url)
                settle(page)
                for v in violations(page):
                    found.setdefault(v, []).append(f"{username} {width}px {url}")
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
