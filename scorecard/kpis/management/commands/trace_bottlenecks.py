from scorecard.kpis.selectors import trace_for_month

from ._month import MonthReadoutCommand


class Command(MonthReadoutCommand):
    help = "Trace the month's supply-bottleneck incidents to the responsible departments (JSON with --json)."

    def read(self, month) -> dict:
        return trace_for_month(month)

    def write_table(self, trace: dict) -> None:
        self.stdout.write(f"{trace['month']} 供电瓶颈事件 {len(trace['incidents'])} 起")
        for i in trace["incidents"]:
            due = i["rectification"]["due_on"] if i["rectification"] else "—"
            self.stdout.write(f"{i['district']:<14}{i['kind']:<16}{i['unit']:<14}{i['department']:<4}"
                              f" 关联投诉 {len(i['complaints']):>3}  整改期限 {due}  ({i['rule']})")
