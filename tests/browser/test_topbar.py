"""The top bar of an analyst (nine or ten entries since issue #18) in a real browser: at 1366 px every entry ends
before the search box and user menu begin; at 1024 px the navigation is folded behind the menu button."""


def bar(page):
    return page.evaluate("""() => { const links = [...document.querySelectorAll('.mainnav a')];
        return {entries: links.length, last: links[links.length - 1].getBoundingClientRect().right,
                right: document.querySelector('.topbar-right').getBoundingClientRect().left,
                nav: getComputedStyle(document.querySelector('.mainnav')).display,
                burger: getComputedStyle(document.querySelector('.nav-burger')).display}; }""")


def test_the_entries_never_run_under_the_search_box(browser):
    wide = bar(browser.login("fenxi", width=1366))
    assert wide["entries"] >= 9 and wide["burger"] == "none", wide
    assert wide["last"] <= wide["right"], wide
    folded = bar(browser.login("fenxi", width=1024))
    assert folded["nav"] == "none" and folded["burger"] != "none", folded
