from scorecard.core.numbers import COUNT, PER_10K, RATE, SCORE, display
from scorecard.kpis.selectors import scorecard_for_month

from ._month import MonthReadoutCommand


class Command(MonthReadoutCommand):
    help = "The departmental scorecard and ranking of a month (JSON with --json)."

    def read(self, month) -> dict:
        return scorecard_for_month(month)

    def write_table(self, card: dict) -> None:
        self.stdout.write(f"{card['month']} 地市公司排名")
        self.stdout.write(f"{'排名':>4}  {'单位':<14}{'投诉':>6}{'万户投诉':>10}{'得分':>8}")
        for u in card["units"]:
            self.stdout.write(f"{u['rank']:>4}  {u['unit']:<14}{display(u['complaints'], COUNT):>6}"
                              f"{display(u['per_10k'], PER_10K):>10}{display(u['score'], SCORE):>8}")
        self.stdout.write(f"\n{card['month']} 责任单位排名（部门内）")
        self.stdout.write(f"{'部门':<4}{'排名':>4}  {'单位':<14}{'投诉':>6}{'重复率':>8}{'及时率':>8}{'满意率':>8}"
                          f"{'得分':>8}")
        for d in card["departments"]:
            self.stdout.write(f"{d['department']:<4}{d['rank']:>4}  {d['unit']:<14}{display(d['complaints'], COUNT):>6}"
                              f"{display(d['repeat_rate'], RATE):>8}{display(d['on_time_rate'], RATE):>8}"
                              f"{display(d['satisfaction_rate'], RATE):>8}{display(d['score'], SCORE):>8}")


