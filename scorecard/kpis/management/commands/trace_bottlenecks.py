from django.core.management.base import BaseCommand

from scorecard.kpis.selectors import trace_for_month

from ._month import month_arg, write_json


class Command(BaseCommand):
    help = "Trace the month's supply-bottleneck incidents to the responsible departments (JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print the read-out of interfaces.md")

    def handle(self, *args, **opts):
        month = month_arg(opts["month"])
        trace = trace_for_month(month)
        if opts["json"]:
            write_json(self.stdout, trace)
            return
        self.stdout.write(f"{trace['month']} 供电瓶颈事件 {len(trace['incidents'])} 起")
        for i in trace["incidents"]:
            due = i["rectification"]["due_on"] if i["rectification"] else "—"
            self.stdout.write(f"{i['district']:<14}{i['kind']:<16}{i['unit']:<14}{i['department']:<4}"
                              f" 关联投诉 {len(i['complaints']):>3}  整改期限 {due}  ({i['rule']})")
