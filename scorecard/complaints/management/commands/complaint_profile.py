"""`python manage.py complaint_profile --month YYYY-MM [--unit NAME] [--json]` (interfaces.md).

With ``--json`` prints the profile as one UTF-8 JSON object; without it a
readable table. Bad parameters exit with code 2 and a message naming them.
"""
import json
import unicodedata
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from scorecard.complaints import selectors


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)  # 45.14 → 45.14: two decimals survive the float repr
    raise TypeError(f"not JSON serialisable: {value!r}")


class Command(BaseCommand):
    help = "投诉画像：某月投诉的分类占比、电压异常客户、热点台区与时段分布"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--unit", help="单位名称（地市/县公司/供电所），缺省为全省")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, month, unit=None, json=False, **options):
        try:
            window = selectors.month_window(month)
        except ValueError as exc:
            raise CommandError(f"--month: {exc}", returncode=2) from exc
        org_unit = None
        if unit:
            try:
                org_unit = selectors.find_unit(unit)
            except selectors.UnknownUnit as exc:
                raise CommandError(str(exc), returncode=2) from exc
        profile = selectors.complaint_profile(window, org_unit)
        if json:
            self.stdout.write(_dumps(profile))
        else:
            self.stdout.write(render_table(profile))


def _dumps(profile: dict) -> str:
    return json.dumps(profile, ensure_ascii=False, default=_json_default)


def _pad(text: str, width: int) -> str:
    """Left-justify to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)


def _pct(value) -> str:
    return "—" if value is None else f"{value:+.2f}%"


def render_table(p: dict) -> str:
    lines = [
        f"{p['month']} 投诉画像 · {p['unit'] or '全省'}",
        f"投诉总量 {p['total']}（上月 {p['previous_month_total']}，环比 {_pct(p['mom_change_pct'])}；"
        f"去年同期 {p['last_year_total']}，同比 {_pct(p['yoy_change_pct'])}）",
        "",
        "  " + _pad("一级分类", 30) + "  件数     占比",
    ]
    lines += [f"  {_pad(c['name'], 30)}{c['count']:>6}  {c['share']:>6.2f}%" for c in p["categories"]]
    lines += ["", "  " + _pad("二级分类", 30) + "  件数     占比"]
    lines += [f"  {_pad(s['category'] + '/' + s['name'], 30)}{s['count']:>6}  {s['share']:>6.2f}%"
              for s in p["subcategories"]]
    v = p["voltage_customers"]
    h = p["hotspots"]
    lines += [
        "",
        f"电压异常客户：过电压 {v['过电压']} 户，低电压 {v['低电压']} 户",
        f"热点台区：多客户 {len(h['multi_customer_districts'])} 个，连续两月 {len(h['consecutive_month_districts'])} 个，"
        f"去年同月 {len(h['same_month_last_year_districts'])} 个",
        "",
        "时段  " + " ".join(f"{hour:>4}" for hour in range(24)),
        "件数  " + " ".join(f"{n:>4}" for n in p["hourly"]),
        "高峰时段：" + "、".join(f"{hour}时" for hour in p["peak_hours"][:3]),
    ]
    return "\n".join(lines)
