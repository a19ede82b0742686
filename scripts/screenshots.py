"""Screenshots of the main pages for the README (docs/screenshots/*.jpg).

    .venv/bin/python scripts/screenshots.py [--orders 20000] [--out docs/screenshots]

Seeds the demo province into a temporary SCORECARD_VAR_DIR (SQLite, nothing in
var/ is touched), walks one monthly cycle so that every page has something to
show (last month's notice published, this month's draft with its appeal window,
one appeal decided and one pending), starts the web server and saves a JPEG of
each page as each demo user sees it, with Playwright driving Debian's chromium.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--lang=zh-CN"]  # Chinese date pickers and file inputs

# Run inside `manage.py shell`: one monthly cycle on the demo data.
CYCLE = r'''
from django.utils import timezone
from scorecard.accounts.models import User
from scorecard.kpis import services as kpi
from scorecard.kpis.selectors import latest_month, department_complaints
from scorecard.core.months import shift
from scorecard.notices import services as notices
from scorecard.notices.models import Notice

month = latest_month()
previous = shift(month, -1)
analyst = User.objects.get(username="analyst")
head = User.objects.get(username="depthead")
head.email = "depthead@example.com"
head.save()
# Last month: draft, then published (Celery runs eagerly here: no worker needed).
notices.request_generation(month=previous, user=analyst)
notices.publish_notice(notice=Notice.objects.get(month=previous, status="draft"), user=analyst)
# This month: the draft opens the appeal window.
notices.request_generation(month=month, user=analyst)
kpi.open_draft(month=month)
yunjian = head.department
orders = list(department_complaints(month, city_id=head.org_unit.city_id, department_id=yunjian.pk)[:2])
from scorecard.grid.models import Department
tk = Department.objects.get(code="tk")
first = kpi.file_appeal(user=head, order=orders[0], to_department=tk, reason="该停电为调度计划停电，停电信息已按计划公告，非运检责任。")
kpi.decide_appeal(user=analyst, appeal=first, accept=False, reason="停电记录显示为故障停电，维持原归因。")
kpi.file_appeal(user=head, order=orders[1], to_department=tk, reason="计划停电未提前公告，应由调控负责。")
print("cycle done:", month, previous)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(args, env, **kw):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **kw)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--quality", type=int, default=70)
    parser.add_argument("--var", help="reuse this SCORECARD_VAR_DIR if already seeded (faster re-runs)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    var = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="scorecard-shots-"))
    var.mkdir(parents=True, exist_ok=True)
    seeded_before = (var / "scorecard.sqlite3").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(SCORECARD_VAR_DIR=str(var), DEBUG="0", SECURE_COOKIES="0", CELERY_TASK_ALWAYS_EAGER="1",
               STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", PYTHONUNBUFFERED="1")
    print(f"demo data in {var}")
    manage(["migrate", "-v", "0"], env)
    manage(["collectstatic", "--noinput", "-v", "0"], env)
    if not seeded_before:
        seeded = manage(["seed_demo", "--orders", str(args.orders)], env, capture_output=True, text=True).stdout
        print(seeded[-600:])
        manage(["shell", "-c", CYCLE], env)

    DEMO_PASSWORD = "scorecard-demo"  # accounts.services.DEMO_PASSWORD (printed by seed_demo above)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(base + "/accounts/login/")
        shoot(base, out, DEMO_PASSWORD, args.quality)
    finally:
        server.terminate()
        server.wait(timeout=10)
    for f in sorted(out.glob("*.jpg")):
        print(f"{f.resolve()}  {f.stat().st_size // 1024} KB")
    return 0


def shoot(base: str, out: Path, password: str, quality: int) -> None:
    from playwright.sync_api import sync_playwright

    def save(page, name, *, full=True, max_height=1800):
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(600)  # ECharts animations
        if full:  # the whole page, cut at max_height: long tables would make unreadable thumbnails
            height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
            page.screenshot(path=str(out / f"{name}.jpg"), type="jpeg", quality=quality, full_page=True,
                            clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height})
        else:
            page.screenshot(path=str(out / f"{name}.jpg"), type="jpeg", quality=quality)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    env={**os.environ, "LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN"})

        def login(username, *, width=1400, height=900):
            ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            return ctx, page

        ctx = browser.new_context(viewport={"width": 1400, "height": 800})
        page = ctx.new_page()
        page.goto(base + "/accounts/login/")
        save(page, "01-login", full=False)
        ctx.close()

        ctx, page = login("analyst")
        save(page, "02-home-analyst")
        page.goto(base + "/analysis/")
        page.wait_for_selector("#chart-hourly canvas")
        save(page, "06-analysis")
        page.goto(base + "/scorecard/")
        save(page, "07-scorecard")
        page.goto(base + "/scorecard/incidents/")
        save(page, "09-incidents")
        page.goto(base + "/scorecard/incidents/?sort=-linked")  # an incident with complaints linked to it
        first = page.query_selector("table.data tbody tr td a")
        if first:
            first.click()
            page.wait_for_load_state()
            save(page, "10-incident")
        page.goto(base + "/scorecard/appeals/")
        save(page, "11-appeals")
        link = page.query_selector("table.data tbody tr td a")
        if link:
            link.click()
            page.wait_for_load_state()
            save(page, "12-appeal")
        page.goto(base + "/notices/")
        save(page, "13-notices")
        # Two uploads (imports run inline here): one good file, one with row errors.
        good, bad = out.parent / ".districts-ok.csv", out.parent / ".districts-bad.csv"
        good.write_text("台区编号,台区名称,地市单位,用户数\nTQ-DEMO-1,演示新建1号台区,国网长沙供电公司,420\n"
                        "TQ-DEMO-2,演示新建2号台区,国网长沙供电公司,380\n", encoding="utf-8")
        bad.write_text("台区编号,台区名称,地市单位,用户数\nTQ-DEMO-3,演示台区,国网长沙供电公司,很多\n"
                       "TQ-DEMO-4,演示台区,国网不存在供电公司,100\n", encoding="utf-8")
        try:
            for f in (good, bad):
                page.goto(base + "/imports/")
                page.select_option("#id_kind", "districts")
                page.set_input_files("#id_file", str(f))
                page.click("main button[type=submit]")
                page.wait_for_url("**/imports/*/")
                page.wait_for_selector("#job[data-finished='1'], #job-status.status-succeeded, #job-status.status-failed")
            save(page, "16-import-errors")
        finally:
            good.unlink(missing_ok=True)
            bad.unlink(missing_ok=True)
        page.goto(base + "/imports/")
        save(page, "15-import")
        ctx.close()

        ctx, page = login("depthead")
        save(page, "03-home-depthead")
        page.click("#my-rank")
        page.wait_for_selector("#trend canvas")
        save(page, "08-department")
        page.goto(base + "/notifications/")
        save(page, "17-notifications")
        page.goto(base + "/")
        page.click("#lang-switch")
        page.wait_for_load_state()
        save(page, "18-home-depthead-english")
        page.click("#lang-switch")
        ctx.close()

        ctx, page = login("depthead", width=800, height=1100)  # a tablet in portrait
        save(page, "19-tablet-depthead", full=False)
        page.click(".nav-burger")
        save(page, "20-tablet-menu", full=False)
        page.goto(base + "/scorecard/")
        save(page, "21-tablet-scorecard", full=False)
        ctx.close()

        ctx, page = login("leader")
        save(page, "04-home-leader")
        ctx.close()

        ctx, page = login("auditor")
        save(page, "05-home-auditor")
        page.goto(base + "/notices/verify/")
        save(page, "14-verify")
        ctx.close()
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
