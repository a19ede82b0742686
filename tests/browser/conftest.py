"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

One chromium for the whole session (starting it is the slow part), a fresh
context (cookies, language) per test. The live server serves static files
(django.contrib.staticfiles), so pages load their CSS and ECharts as in production.
"""
import datetime as dt
import os

import pytest
from django.db import connections
from django.utils import timezone

from scorecard.accounts.models import User
from scorecard.celery import app as celery_app
from tests.fixtures.factories import city, dept, district, order, reading

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MONTH = dt.date(2024, 10, 1)
PASSWORD = "pw-browser-journeys"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason="chromium is not installed"))


@pytest.fixture
def browser(site, live_server, monkeypatch):
    """Chromium on the live server: ``browser.new(width=...)`` → a page in a fresh context,
    ``browser.login(username)`` → a logged-in page.

    Started per test, after the database fixtures: Playwright's sync API keeps an
    event loop in this thread while it runs, and Django refuses ORM calls from a
    thread with a running loop — so it must not outlive the test. The ORM calls the
    tests make between clicks are ordinary synchronous ones, hence the env flag.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_api.sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    class Browser:
        url = live_server.url

        def new(self, *, width=1400, height=1000, accept_language=None):
            ctx = chromium.new_context(viewport={"width": width, "height": height},
                                       **({"extra_http_headers": {"Accept-Language": accept_language}}
                                          if accept_language else {}))
            ctx.set_default_timeout(20_000)
            return ctx.new_page()

        def login(self, username, *, password=PASSWORD, **kw):
            page = self.new(**kw)
            page.goto(self.url + "/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(self.url + "/")
            return page

    try:
        yield Browser()
    finally:
        # While Playwright's event loop runs, Django (asgiref's Local) keeps this thread's
        # connections apart from the usual thread-local ones: the ORM calls the test made
        # between clicks opened a connection of their own. Close it while the loop still
        # runs, else it outlives the session and PostgreSQL refuses to drop the test
        # database ("being accessed by other users").
        connections.close_all()
        chromium.close()
        playwright.stop()


@pytest.fixture
def site(transactional_db, settings):
    """A small province: two city companies, complaints of October 2024 for 运检 (by the
    default table) and 营销, an overloaded 台区, and one user per role."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the real-worker path is tested in tests/notices and tests/
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    d1, d2 = district("TQ0001", cs, customers=2000), district("TQ0002", zz, customers=1000)
    reading(d1, "2024-10", load=112)
    for i in range(3):
        order(accepted=f"2024-10-{i + 3:02d} 19:1{i}", city_unit=cs, category="供电质量", subcategory="频繁停电",
              customer=f"CS{i}", closed=f"2024-10-{i + 4:02d} 09:00", satisfaction="满意", order_no=f"GD-CS-{i}")
    for i in range(2):
        order(accepted=f"2024-10-{i + 10:02d} 11:00", city_unit=zz, district_obj=d2, customer=f"ZZ{i}",
              category="供电质量", subcategory="频繁停电", closed=f"2024-10-{i + 11:02d} 09:00",
              satisfaction="不满意", order_no=f"GD-ZZ-{i}")
    users = {
        "analyst": User.objects.create_user("fenxi", password=PASSWORD, role="analyst", first_name="分析员甲"),
        "head": User.objects.create_user("yunjian", password=PASSWORD, role="dept_head", org_unit=cs,
                                         department=dept("运检"), first_name="运检主任",
                                         email="yunjian@example.com"),
        "leader": User.objects.create_user("lingdao", password=PASSWORD, role="leader", org_unit=cs,
                                           first_name="长沙领导"),
        "auditor": User.objects.create_user("shenji", password=PASSWORD, role="auditor", first_name="审计员"),
    }
    yield {"cs": cs, "zz": zz, "now": timezone.now(), **users}
    celery_app.conf.task_always_eager = eager
