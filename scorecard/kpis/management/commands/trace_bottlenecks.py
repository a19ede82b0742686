from scorecard.kpis.selectors import is_accountable, trace_for_month

from ._month import MonthReadoutCommand


class Command(MonthReadoutCommand):
    help = "Trace the month's supply-bottleneck incidents to the responsible departments (JSON with --json)."

    def read(self, month) -> dict:
        return trace_for_month(month)

    def write_table(self, trace: dict) -> None:
        accountable = sum(1 for i in trace["incidents"] if is_accountable(i))
        self.stdout.write(f"{trace['month']} 供电瓶颈事件 {len(trace['incidents'])} 起"
                          f"（追责事件 {accountable} 起，隐患预警 {len(trace['incidents']) - accountable} 起）")
        for i in trace["incidents"]:
            due = i["rectification"]["due_on"] if i["rectification"] else "—"
            self.stdout.write(f"{i['district']:<14}{i['kind']:<16}{i['unit']:<14}{i['department']:<4}"
                              f" {'追责事件' if is_accountable(i) else '隐患预警'}"
                              f" 关联投诉 {len(i['complaints']):>3}  整改期限 {due}  ({i['rule']})")
