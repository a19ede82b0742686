from django.core.management.base import CommandError

from scorecard.kpis.selectors import is_accountable, trace_for_month
from scorecard.kpis.services import MonthPublished, trace_month

from ._month import MonthReadoutCommand


class Command(MonthReadoutCommand):
    help = ("The month's supply-bottleneck incidents and their responsible departments (JSON with --json). "
            "A read-out: it traces nothing unless --write is given.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--write", action="store_true",
                            help="trace the month from current data first (a write, audited; refused once published)")

    def handle(self, *args, **opts):
        self._write = opts["write"]
        super().handle(*args, **opts)

    def read(self, month) -> dict:
        if self._write:
            try:
                trace_month(month=month, reason="command --write")
            except MonthPublished as exc:
                raise CommandError(str(exc), returncode=2) from exc
        return trace_for_month(month)

    def write_table(self, trace: dict) -> None:
        if not trace.get("traced", True):
            self.stdout.write(f"{trace['month']} 尚未溯源（运行 trace_bottlenecks --month {trace['month']} --write）")
        accountable = sum(1 for i in trace["incidents"] if is_accountable(i))
        self.stdout.write(f"{trace['month']} 供电瓶颈事件 {len(trace['incidents'])} 起"
                          f"（追责事件 {accountable} 起，隐患预警 {len(trace['incidents']) - accountable} 起）")
        for i in trace["incidents"]:
            due = i["rectification"]["due_on"] if i["rectification"] else "—"
            self.stdout.write(f"{i['district']:<14}{i['kind']:<16}{i['unit']:<14}{i['department']:<4}"
                              f" {'追责事件' if is_accountable(i) else '隐患预警'}"
                              f" 关联投诉 {len(i['complaints']):>3}  整改期限 {due}  ({i['rule']})")
