from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation

from scorecard.kpis import risk
from scorecard.kpis.services import compute_risk_list, request_risk_list

from ._month import MonthReadoutCommand


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Command(MonthReadoutCommand):
    help = ("The early-warning list of the predicted month: each 台区's probability of becoming a multi-customer "
            "complaint hotspot, from data dated before the month, with its reasons and the 6-month backtest "
            "(JSON with --json). A read-out: it stores nothing unless --write is given.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--top", type=int, default=None, metavar="N", help="only the N riskiest 台区")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[c for c, _n in settings.LANGUAGES],
                            help=f"the language of the reasons (default {settings.LANGUAGE_CODE})")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true",
                           help="compute and store the month's list now (a write, audited as risk.compute)")
        group.add_argument("--enqueue", action="store_true",
                           help="send the computation to a worker (kpis.compute_risk_list) and print nothing else")

    def handle(self, *args, **opts):
        if opts["top"] is not None and opts["top"] < 1:
            raise CommandError(f"--top: must be >= 1, got {opts['top']}", returncode=2)
        self._top, self._write, self._enqueue = opts["top"], opts["write"], opts["enqueue"]
        # Reasons are stored as codes and numbers and written in words here: Chinese unless asked,
        # whatever language the calling process had active.
        with translation.override(opts["language"]):
            super().handle(*args, **opts)

    def read(self, month) -> dict:
        if self._enqueue:
            request_risk_list(month=month)
            return {"month": month.strftime("%Y-%m"), "enqueued": True}
        if self._write:
            compute_risk_list(month=month, reason="command --write")
        return risk.readout(month, top=self._top)

    def write_table(self, data: dict) -> None:
        if data.get("enqueued"):
            self.stdout.write(f"{data['month']} 投诉风险清单已提交后台计算（kpis.compute_risk_list）")
            return
        self.stdout.write(f"{data['month']} 投诉风险清单（模型 {data['model']}，数据版本 {data['data_version']}，"
                          f"{len(data['districts'])} 个台区）")
        for rank, d in enumerate(data["districts"], start=1):
            self.stdout.write(f"{rank:>5} {d['code']:<14}{d['station'] or '—':<12}{d['manager'] or '—':<8}"
                              f"{d['probability']:>7.4f}  {'；'.join(d['reasons'])}")
        self.stdout.write("回测（月份 K 模型精确率 延续法 去年同月 模型召回率 延续法 去年同月 提升倍数）")
        for r in data["backtest"]:
            lift = "—" if r["lift"] is None else f"{r['lift']:.2f}"
            self.stdout.write(f"{r['month']} {r['k']:>4} {_pct(r['model_precision']):>7} "
                              f"{_pct(r['persistence_precision']):>7} {_pct(r['last_year_precision']):>7} "
                              f"{_pct(r['model_recall']):>7} {_pct(r['persistence_recall']):>7} "
                              f"{_pct(r['last_year_recall']):>7} {lift:>6}")
