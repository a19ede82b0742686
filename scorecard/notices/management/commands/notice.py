"""`notice generate --month YYYY-MM [--wait]` and
`notice publish --month YYYY-MM --by USERNAME [--reason TEXT]`.

``generate`` sends the same Celery task as the beat schedule and the web button;
``--wait`` polls the notice row until the worker is done and prints
"<pdf path>\\t<sha256>".
"""
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from scorecard.kpis.services import MonthPublished
from scorecard.core.months import label, parse_month
from scorecard.core.roles import can_publish
from scorecard.notices.models import Notice
from scorecard.notices.selectors import publish_warnings
from scorecard.notices.services import QUEUE_DOWN, latest_draft, publish_notice, request_generation


def _month(value: str):
    try:
        return parse_month(value)
    except ValueError as exc:
        raise CommandError(f"--month: {exc}") from exc


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class Command(BaseCommand):
    help = "月度通报：generate 生成草稿（Celery 任务），publish 发布最新草稿。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="生成（或重新生成）某月通报草稿")
        gen.add_argument("--month", required=True, help="YYYY-MM")
        gen.add_argument("--wait", action="store_true", help="等待生成完成并输出文件路径和 SHA-256")
        gen.add_argument("--timeout", type=float, default=300, help="--wait 的最长等待秒数（默认 300）")
        gen.add_argument("--by", default=None, help="申请人用户名（可选）")
        gen.add_argument("--correction-note", default="", help="已发布月份生成更正版时的更正说明")
        pub = sub.add_parser("publish", help="发布某月最新草稿")
        pub.add_argument("--month", required=True, help="YYYY-MM")
        pub.add_argument("--by", required=True, help="发布人用户名（分析员）")
        pub.add_argument("--reason", default="", help="申诉期内或尚有未处理申诉时提前发布的理由（记录在案）")

    def handle(self, *args, action, **options):
        if action == "generate":
            return self._generate(**options)
        return self._publish(**options)

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"--by: 用户 {username!r} 不存在") from None

    def _generate(self, *, month, wait, timeout, by, correction_note, **_):
        month = _month(month)
        user = self._user(by)
        try:
            notice = request_generation(month=month, user=user, correction_note=correction_note)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        if notice.stage == QUEUE_DOWN:
            self.stderr.write(QUEUE_DOWN)
        else:
            self.stderr.write(f"{label(month)} 通报第{notice.version}版：{notice.get_status_display()}（#{notice.pk}）")
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while True:
            notice.refresh_from_db()
            if notice.status == Notice.Status.FAILED:
                raise CommandError(f"生成失败：{notice.error}")
            if notice.status in (Notice.Status.DRAFT, Notice.Status.PUBLISHED):
                break
            if time.monotonic() > deadline:
                raise CommandError(f"等待 {timeout:g} 秒后仍未完成（状态：{notice.get_status_display()}，"
                                   f"{notice.stage}）；请确认 Celery worker 在运行")
            time.sleep(0.5)
        self.stdout.write(f"{notice.file.path}\t{notice.sha256}")

    def _publish(self, *, month, by, reason, **_):
        month = _month(month)
        user = self._user(by)
        if not can_publish(user):  # the same rule as the publish button
            raise CommandError(f"--by: 用户 {by!r} 不是分析员或管理员，不能发布通报")
        draft = latest_draft(month)
        if draft is None:
            raise CommandError(f"{label(month)} 没有可发布的通报草稿（先运行 notice generate --month {label(month)}）")
        try:
            notice = publish_notice(notice=draft, user=user, reason=reason)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        except MonthPublished as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已发布 {notice.number} 第{notice.version}版\t"
                          f"{notice.file.path}\t{notice.sha256}")
        for warning in publish_warnings(notice):
            self.stderr.write(f"注意：{warning}")
