"""Screenshots for the README and docs/screenshots.md (docs/screenshots/*.jpg).

    .venv/bin/python scripts/screenshots.py [--orders 20000] [--out docs/screenshots] [--var DIR]
                                            [--no-cycle] [--cycle-only]

Seeds the demo province into a temporary SCORECARD_VAR_DIR (SQLite, nothing in
var/ is touched), starts the web server and walks the latest month through the
monthly cycle with the real services (kpis.services, notices.services, the
importer), each step in a `manage.py shell` snippet while the server runs:

    cycle-1-open        last month published, this month still collecting data
    cycle-2-cutoff      an analyst declared this month's data cutoff
    cycle-3-appeal      the draft (征求意见稿) exists, appeal window open, one appeal
                        decided and one pending; here every page of 01-… to 21-… is
                        shot as each demo user sees it, and page 1 of the draft PDF is
                        rendered to cycle-draft-pdf.png (pdftoppm)
    cycle-4-review      the 5 working days went by, the last appeal accepted
    cycle-5-published   the month published (figures frozen)
    cycle-6-correction  a late work order imported (补录), a correction draft (更正版)

The cycle-* images are the notices page (/notices/) as the analyst sees it, with
the walked month's row of the cycle table outlined. Only the clock is simulated:
the appeal window "goes by" by moving ReportingMonth.appeal_deadline a second
into the past, as tests/notices/conftest.py after_appeal_window does; every
other step is the service an analyst's button or command calls. Playwright
drives Debian's chromium. With --var DIR the seeded database is kept in DIR
(seeded.sqlite3) and restored on the next run, so re-runs skip the seeding.
"""
import argparse
import os
import secrets
import shutil
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

# Run inside `manage.py shell` before every step below (imports that survive the package moves).
PRELUDE = r"""
import datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from scorecard.grid.models import Department
from scorecard.kpis import services as kpi
from scorecard.kpis.models import Appeal, ReportingMonth
from scorecard.complaints.selectors import latest_month
from scorecard.kpis.selectors import department_complaints
from scorecard.notices import services as notices
from scorecard.notices.models import Notice

User = get_user_model()
month = latest_month()
previous = (month - dt.timedelta(days=1)).replace(day=1)
analyst = User.objects.get(username="analyst")
head = User.objects.get(username="depthead")


REQUIREMENTS = ("各地市供电公司要针对频繁停电投诉集中的台区，于下月15日前完成隐患排查并报送整改计划。\n"
                "各专业部门要按照责任分工，对本月追责事件逐项落实整改，按期报送整改说明。")


def write_requirements(m):
    # What the analyst types into 「工作要求」 on /notices/ before publishing (re-renders the draft).
    notices.set_requirements(notice=Notice.objects.get(month=m, status="draft"), text=REQUIREMENTS, user=analyst)


def appeal_window_goes_by(m):
    # The only simulated thing: the 5 working days pass (tests/notices/conftest.py after_appeal_window).
    ReportingMonth.objects.filter(month=m, appeal_deadline__isnull=False).update(
        appeal_deadline=timezone.now() - dt.timedelta(seconds=1))
"""

# The monthly cycle, one snippet per step (Celery runs eagerly here: no worker needed).
STEPS = {
    # Last month went through its whole cycle: draft, appeal window over, published.
    "setup": r"""
head.email = "depthead@example.com"
head.save()
notices.request_generation(month=previous, user=analyst)
write_requirements(previous)
appeal_window_goes_by(previous)
notices.publish_notice(notice=Notice.objects.get(month=previous, status="draft"), user=analyst)
# The coming season's 迎峰 list, as the beat job computes it on May 1st / November 1st (kpis.tasks).
kpi.compute_seasonal_list(season="summer" if month.month <= 6 else "winter", year=month.year, user=analyst,
                          reason="screenshots")
""",
    "cutoff": r"""
kpi.declare_cutoff(month=month, user=analyst)
""",
    # The draft opens the appeal window; the head appeals two complaints, one is rejected.
    "appeal": r"""
draft = notices.request_generation(month=month, user=analyst)
orders = list(department_complaints(month, city_id=head.org_unit.city_id, department_id=head.department_id)[:2])
tk = Department.objects.get(code="tk")
first = kpi.file_appeal(user=head, order=orders[0], to_department=tk, reason="该停电为调度计划停电，停电信息已按计划公告，非运检责任。")
kpi.decide_appeal(user=analyst, appeal=first, accept=False, reason="停电记录显示为故障停电，维持原归因。")
kpi.file_appeal(user=head, order=orders[1], to_department=tk, reason="计划停电未提前公告，应由调控负责。")
print("DRAFT=" + Notice.objects.get(pk=draft.pk).file.name)
""",
    # The window is over: review. The pending appeal is accepted (the draft is rendered again).
    "review": r"""
appeal_window_goes_by(month)
pending = Appeal.objects.get(month=month, status=Appeal.Status.PENDING)
kpi.decide_appeal(user=analyst, appeal=pending, accept=True, reason="核实停电信息未提前公告，改由调控负责。")
""",
    "published": r"""
write_requirements(month)
published = notices.publish_notice(notice=Notice.objects.get(month=month, status="draft"), user=analyst)
print("PUBLISHED=" + published.file.name)
""",
    # Run after `import_data workorders <late file>` (补录): the correction draft.
    "correction": r"""
notices.request_generation(month=month, user=analyst, correction_note="补录月末漏报的投诉工单1件")
print("CORRECTION=" + Notice.objects.filter(month=month, status="draft").get().file.name)
""",
}
CYCLE_SHOTS = ["cycle-1-open", "cycle-2-cutoff", "cycle-3-appeal", "cycle-4-review", "cycle-5-published",
               "cycle-6-correction"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(args, env, **kw):
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, **kw)
    if done.returncode:
        sys.stderr.write((done.stdout or "") + (done.stderr or ""))
        raise subprocess.CalledProcessError(done.returncode, args)
    return done


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
    parser.add_argument("--var", help="keep the seeded demo in this SCORECARD_VAR_DIR and reuse it (faster re-runs)")
    parser.add_argument("--no-cycle", action="store_true", help="only the pages (01-…), not the cycle-* images")
    parser.add_argument("--cycle-only", action="store_true", help="only the cycle-* images")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    var = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="scorecard-shots-"))
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(SCORECARD_VAR_DIR=str(var), DEBUG="0", SECURE_COOKIES="0", CELERY_TASK_ALWAYS_EAGER="1",
               STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", PYTHONUNBUFFERED="1",
               # DEBUG off refuses the built-in fallback key (core.security): a throwaway one per run.
               SECRET_KEY=secrets.token_urlsafe(50))
    print(f"demo data in {var}")
    database, pristine = var / "scorecard.sqlite3", var / "seeded.sqlite3"
    if pristine.exists():  # a re-run: back to the freshly seeded province, no notices, no cycle
        sqlite_copy(pristine, database)
        shutil.rmtree(var / "media", ignore_errors=True)
    manage(["migrate", "-v", "0"], env)
    manage(["collectstatic", "--noinput", "-v", "0"], env)
    if not pristine.exists():
        seeded = manage(["seed_demo", "--orders", str(args.orders)], env, capture_output=True, text=True).stdout
        print(seeded[-600:])
        if args.var:
            sqlite_copy(database, pristine)

    def step(name: str) -> str:
        print(f"cycle: {name}")
        return manage(["shell", "-c", PRELUDE + STEPS[name]], env, capture_output=True, text=True).stdout

    step("setup")
    month = manage(["shell", "-c", PRELUDE + "print(f'{month:%Y-%m}')"], env, capture_output=True,
                   text=True).stdout.strip().splitlines()[-1]

    DEMO_PASSWORD = "scorecard-demo"  # accounts.services.DEMO_PASSWORD (printed by seed_demo above)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cycle = not args.no_cycle
    try:
        wait_for(base + "/accounts/login/")
        if cycle:
            notices_page(base, out, CYCLE_SHOTS[0], DEMO_PASSWORD, month, args.quality)
        step("cutoff")
        if cycle:
            notices_page(base, out, CYCLE_SHOTS[1], DEMO_PASSWORD, month, args.quality)
        draft = value(step("appeal"), "DRAFT")
        if cycle:
            notices_page(base, out, CYCLE_SHOTS[2], DEMO_PASSWORD, month, args.quality)
            draft_pdf_page(var / "media" / draft, out / "cycle-draft-pdf.png")
        if not args.cycle_only:
            shoot(base, out, DEMO_PASSWORD, args.quality)
        if cycle:
            step("review")
            notices_page(base, out, CYCLE_SHOTS[3], DEMO_PASSWORD, month, args.quality)
            published = value(step("published"), "PUBLISHED")
            print(f"published notice: {var / 'media' / published} (scripts/notice_pages.py --pdf)")
            notices_page(base, out, CYCLE_SHOTS[4], DEMO_PASSWORD, month, args.quality)
            late = var / "late-workorders.csv"  # one complaint of the published month, found late (补录)
            late.write_text("工单编号,受理时间,业务类型,一级分类,二级分类,客户编号,地市单位,受理内容\n"
                            f"GD-BULU-0001,{month}-28 10:15,投诉,供电质量,频繁停电,C-BULU-0001,国网长沙供电公司,"
                            "月末漏报、次月补录的投诉\n", encoding="utf-8")
            manage(["import_data", "workorders", str(late), "--by", "analyst"], env)
            step("correction")
            notices_page(base, out, CYCLE_SHOTS[5], DEMO_PASSWORD, month, args.quality)
    finally:
        server.terminate()
        server.wait(timeout=10)
    for f in sorted([*out.glob("*.jpg"), *out.glob("cycle-*.png")]):
        print(f"{f.resolve()}  {f.stat().st_size // 1024} KB")
    return 0


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database (WAL included), replacing ``target``."""
    import sqlite3

    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def value(output: str, key: str) -> str:
    return next(line.split("=", 1)[1] for line in output.splitlines() if line.startswith(key + "="))


def draft_pdf_page(pdf: Path, png: Path) -> None:
    """Page 1 of the draft notice at 60 dpi (it carries 「征求意见稿（草稿）」)."""
    stem = png.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True)


def notices_page(base: str, out: Path, name: str, password: str, month: str, quality: int) -> None:
    """The notices page as the analyst sees it, the walked month's cycle row outlined."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    env={**os.environ, "LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN"})
        ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", "analyst")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        page.goto(base + "/notices/")
        page.wait_for_load_state("networkidle")
        page.add_style_tag(content=f'tr[data-month="{month}"] {{ outline: 3px solid #d9480f; outline-offset: -2px; }}')
        height = min(page.evaluate("document.documentElement.scrollHeight"), 1300)
        page.screenshot(path=str(out / f"{name}.jpg"), type="jpeg", quality=quality, full_page=True,
                        clip={"x": 0, "y": 0, "width": 1400, "height": height})
        browser.close()


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

        # The seasonal risk list at the narrowest width the product supports (1366 px): it must not scroll sideways.
        ctx, page = login("analyst", width=1366, height=900)
        page.goto(base + "/scorecard/risk/seasonal/")
        page.wait_for_load_state("networkidle")
        # Neither the page nor the table inside its scrolling container may be wider than the window.
        wide = page.evaluate("Math.max(document.documentElement.scrollWidth, ...Array.from("
                             "document.querySelectorAll('.table-container'), c => c.scrollWidth - c.clientWidth + 1366))")
        if wide > 1366:
            print(f"WARNING: the seasonal list is {wide} px wide at 1366 px")
        height = min(page.evaluate("document.documentElement.scrollHeight"), 1800)
        page.screenshot(path=str(out / "23-seasonal-list.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1366, "height": height})
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
        page.focus(".nav-burger")  # opened by keyboard, as the accessibility test does (issue #17)
        page.keyboard.press("Enter")
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
