"""The top bar in a real browser: the entries either fit before the search box and user menu begin, or
fold behind the menu button — whatever the role's number of entries and the language (English labels are
about twice as wide as the Chinese ones)."""
import pytest

from scorecard.accounts.models import User

from .conftest import PASSWORD


def bar(page):
    return page.evaluate("""() => { const links = [...document.querySelectorAll('.mainnav a')];
        return {entries: links.length, last: links[links.length - 1].getBoundingClientRect().right,
                right: document.querySelector('.topbar-right').getBoundingClientRect().left,
                nav: getComputedStyle(document.querySelector('.mainnav')).display,
                burger: getComputedStyle(document.querySelector('.nav-burger')).display}; }""")


def open_as(browser, username, *, width, language="zh-hans"):
    page = browser.login(username, width=width)
    if language != "zh-hans":
        page.context.add_cookies([{"name": "django_language", "value": language, "url": browser.url}])
        page.reload()
    return page


def test_the_analysts_chinese_entries_fit_at_1366_and_fold_at_1024(browser):
    wide = bar(open_as(browser, "fenxi", width=1366))
    assert wide["entries"] >= 9 and wide["burger"] == "none", wide
    assert wide["last"] <= wide["right"], wide
    folded = bar(open_as(browser, "fenxi", width=1024))
    assert folded["nav"] == "none" and folded["burger"] != "none", folded


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1024, 1366, 1920])
def test_the_entries_never_run_under_the_search_box(browser, language, width):
    User.objects.create_superuser("guanli", password=PASSWORD, role="analyst")  # eleven entries
    for username in ("fenxi", "guanli"):
        page = open_as(browser, username, width=width, language=language)
        state = bar(page)
        if state["burger"] == "none":
            assert state["last"] <= state["right"], (username, state)
        else:  # folded: the menu button opens the entries, one under the other, below the bar
            assert state["nav"] == "none", (username, state)
            page.click(".nav-burger")
            assert page.get_attribute(".nav-burger", "aria-expanded") == "true"
            assert page.locator(".mainnav a").last.is_visible()
    if language == "en" and width == 1920:
        assert state["burger"] != "none", "an administrator's eleven English entries do not fit beside the search box"
