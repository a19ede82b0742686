"""The product's main journeys in a real browser (Debian's chromium via Playwright)."""
import re

from django.core import mail

from scorecard.accounts.models import Notification
from scorecard.kpis import services as kpi_services
from scorecard.kpis.models import Appeal
from scorecard.notices import services as notice_services
from scorecard.notices.models import Notice

from .conftest import MONTH, PASSWORD
from tests.fixtures.cycle import after_appeal_window


def check_each_role_logs_in_to_its_own_home(browser):
    expected = {
        "fenxi": ("#dashboard-analyst", "2024-10 投诉总量"),
        "yunjian": ("#dashboard-dept-head", "运检专业排名"),
        "lingdao": ("#dashboard-leader", "国网长沙供电公司 排名"),
        "shenji": ("#dashboard-auditor", "审计快捷入口"),
    }
    for username, (marker, text) in expected.items():
        page = browser.login(username)
        assert page.is_visible(marker), username
        assert text in page.inner_text("main"), username
        nav = page.inner_text("nav.mainnav")
        assert ("数据导入" in nav) == (username in ("fenxi", "shenji"))  # auditors read the import list
        assert ("审计日志" in nav) == (username == "shenji")
        page.context.close()


def test_department_head_files_an_appeal_and_hears_the_decision(browser, site):
    kpi_services.open_draft(month=MONTH)  # the draft notice opens the appeal window
    page = browser.login("yunjian")
    assert "申诉期至" in page.inner_text("main")
    assert page.inner_text("#unread-count") == "1"  # "the appeal window is open"

    # home → scorecard → own department → a complaint → appeal
    page.click("nav.mainnav >> text=考核排名")
    page.wait_for_url(re.compile(r"/scorecard/$"))
    # The ranking of responsible units links to the department page (the city ranking's name to the drill-down).
    page.click("a[href*='/yj/']:has-text('国网长沙供电公司')")
    page.wait_for_url(re.compile(r"/scorecard/unit/\d+/yj/"))
    assert "国网长沙供电公司 · 运检" in page.inner_text("h1")
    row = page.locator("tr", has_text="GD-CS-1")
    row.locator("a.button", has_text="申诉").click()
    page.wait_for_url(re.compile(r"/scorecard/appeals/new/\d+/"))
    page.select_option("#id_to_department", label="调控")
    page.fill("#id_reason", "该停电为调度计划停电，应由调控负责。")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/scorecard/appeals/\d+/$"))
    assert "申诉已提交" in page.inner_text(".messages")
    appeal = Appeal.objects.get()
    assert (appeal.work_order.order_no, appeal.to_department.name, appeal.status) == ("GD-CS-1", "调控", "pending")

    # The analyst is told, and rejects it in the portal.
    assert Notification.objects.filter(user=site["analyst"], kind="appeal_filed").count() == 1
    analyst = browser.login("fenxi")
    analyst.click("#bell")
    analyst.click("text=新的归因申诉：工单 GD-CS-1")
    analyst.wait_for_url(re.compile(rf"/scorecard/appeals/{appeal.pk}/$"))
    analyst.check("input[name=decision][value=reject]")
    analyst.fill("#id_reason", "停电记录为故障停电，维持原归因。")
    analyst.click("main button[type=submit]")
    assert "申诉已处理" in analyst.inner_text(".messages")

    # The department head sees the decision in the bell, the list and by e-mail.
    page.goto(browser.url + "/")
    assert page.inner_text("#unread-count") == "2"
    page.click("#bell")
    item = page.locator("#notifications li", has_text="申诉已驳回：工单 GD-CS-1")
    assert "维持原归因" in item.inner_text()
    assert any("申诉已驳回" in m.subject and m.to == ["yunjian@example.com"] for m in mail.outbox)
    item.locator("button", has_text="申诉已驳回").click()  # opens the appeal, marks it read
    page.wait_for_url(re.compile(rf"/scorecard/appeals/{appeal.pk}/$"))
    assert "已驳回" in page.inner_text("h1")
    assert page.inner_text("#unread-count") == "1"


def test_analyst_imports_a_file_sees_the_result_then_generates_and_publishes_the_notice(browser, site, tmp_path):
    page = browser.login("fenxi")
    page.click("nav.mainnav >> text=数据导入")
    csv = tmp_path / "districts.csv"
    csv.write_text("台区编号,台区名称,地市单位,用户数\nTQ0100,新建台区,国网长沙供电公司,800\n", encoding="utf-8")
    page.select_option("#id_kind", "districts")
    page.set_input_files("#id_file", str(csv))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    page.wait_for_selector("#job-status.status-succeeded")
    assert "仅校验" in page.inner_text("#job") and "新增 1" in page.inner_text("#job")  # checked, not written
    check = page.url
    page.click("#job-confirm button[type=submit]")  # 确认导入: the same file, for real
    page.wait_for_url(lambda url: url != check and re.search(r"/imports/\d+/$", url) is not None)
    page.wait_for_selector("#job-status.status-succeeded")
    assert page.get_attribute("#job-progress", "value") == "100"
    assert "新增 1" in page.inner_text("#job") and "仅校验" not in page.inner_text("#job")

    page.click("nav.mainnav >> text=月度通报")
    page.fill("main form[action$='/notices/generate/'] input[name=month]", "2024-10")
    page.click("main form[action$='/notices/generate/'] button[type=submit]")
    row = page.locator("tr[data-notice]", has_text="2024-10")
    row.locator(".status-draft").wait_for()  # rendered (eagerly here; the poller covers a real worker)
    page.once("dialog", lambda dialog: dialog.accept())  # "publishing freezes the month": confirmed
    row.locator("button", has_text="发布").click()
    # Inside the appeal window: refused until the analyst gives a reason, which is recorded.
    page.locator("#early-publish").wait_for()
    assert "申诉期尚未结束" in page.inner_text("#refusal")
    page.fill("#early-publish textarea[name=reason]", "省公司要求提前通报")
    page.click("#early-publish button[type=submit]")
    assert "已发布" in page.inner_text(".messages")
    assert "省公司要求提前通报" in page.inner_text("#cycles")
    notice = Notice.objects.get(month=MONTH)
    assert notice.status == "published" and len(notice.sha256) == 64
    # Department heads were told: first that the window opened, then that the notice is out.
    kinds = set(Notification.objects.filter(user=site["head"]).values_list("kind", flat=True))
    assert kinds == {"appeal_window", "notice_published"}


def test_auditor_downloads_the_published_notice_and_verifies_it(browser, site, tmp_path):
    notice = notice_services.request_generation(month=MONTH, user=site["analyst"])
    after_appeal_window()
    notice = notice_services.publish_notice(notice=Notice.objects.get(pk=notice.pk), user=site["analyst"])
    page = browser.login("shenji")
    with page.expect_download() as download:
        page.click("#dashboard-auditor ~ .grid-2 a:has-text('下载')")
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    page.click("text=核验通报文件")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("main button[type=submit]")
    result = page.inner_text(".verify-result")
    assert "逐字节一致" in result and notice.sha256 in result and "不一致" not in result
    # A file that is not the published one is told apart.
    other = tmp_path / "other.pdf"
    other.write_bytes(pdf.read_bytes() + b"\n")
    page.set_input_files("input[name=file]", str(other))
    page.click("main button[type=submit]")
    assert "不一致" in page.inner_text(".verify-result")


def check_five_failed_logins_lock_the_account(browser):
    page = browser.new()
    for attempt in range(1, 6):
        page.goto(browser.url + "/accounts/login/")
        page.fill("#id_username", "lingdao")
        page.fill("#id_password", f"wrong-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if attempt < 5:
            assert page.is_visible("#id_username"), attempt
    assert page.is_visible("#locked-out") and "账号已锁定" in page.inner_text("main")
    # Even the right password is refused now.
    page.goto(browser.url + "/accounts/login/")
    page.fill("#id_username", "lingdao")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert page.is_visible("#locked-out")


def check_english_switch_and_back(browser):
    # An English-language browser still starts in Chinese.
    page = browser.login("yunjian", accept_language="en-US,en;q=0.9")
    assert page.get_attribute("html", "lang") == "zh-CN" and "首页" in page.inner_text("nav.mainnav")
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    nav = page.inner_text("nav.mainnav")
    assert "Home" in nav and "Scorecard" in nav and "首页" not in nav
    if page.is_visible(".nav-burger"):  # the English entries are wider: at 1400 px they fold into the menu
        page.click(".nav-burger")
    page.click("nav.mainnav >> text=Scorecard")
    assert "scorecard" in page.inner_text("h1").lower()
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=zh-CN]")
    assert "考核排名" in page.inner_text("h1")


def check_tablet_width_folds_the_navigation(browser):
    page = browser.login("yunjian", width=768, height=1024)
    assert not page.is_visible("nav.mainnav")
    page.click(".nav-burger")
    assert page.is_visible("nav.mainnav >> text=考核排名")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, "the home page scrolls sideways on a tablet"


def test_roles_language_tablet_and_lockout(browser, site):
    """One test (one database set-up) for the short checks; the lockout last, as it locks a user."""
    check_each_role_logs_in_to_its_own_home(browser)
    check_english_switch_and_back(browser)
    check_tablet_width_folds_the_navigation(browser)
    check_five_failed_logins_lock_the_account(browser)
