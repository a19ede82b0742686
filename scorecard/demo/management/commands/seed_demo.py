"""Load the demo province: generate its CSV exports and import them like real files.

Going through ``import_file`` (not bulk_create) means the demo data passes the same
validation as a real export, and the importers get exercised on every demo start.
"""
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scorecard.accounts.services import DEMO_PASSWORD, create_demo_users
from scorecard.complaints.models import WorkOrder
from scorecard.core.months import label, parse_month
from scorecard.demo import FILE_KIND, FILES, default_end_month, write_demo_csvs

KIND_LABELS = {"districts": "台区", "district_changes": "台区经理变更", "loads": "负载电压", "outages": "停电记录",
               "projects": "电网项目", "workorders": "95598工单"}


def _end_month(value: str) -> str:
    return label(parse_month(value))  # argparse reports a ValueError as an invalid --end-month


class Command(BaseCommand):
    help = "生成并导入演示省份数据（台区、负载、停电、项目、95598工单），并创建各角色演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=200_000, help="工单数（默认 200000）")
        parser.add_argument("--months", type=int, default=13, help="月数（默认 13，含去年同月）")
        parser.add_argument("--seed", type=int, default=95598, help="随机种子（默认 95598）")
        parser.add_argument("--end-month", type=_end_month, default=None,
                            help="最后一个月 YYYY-MM（默认上个月）")
        parser.add_argument("--if-empty", action="store_true", help="已有工单时不生成数据（仍创建演示账号）")
        parser.add_argument("--users-only", action="store_true", help="只创建演示账号")
        parser.add_argument("--keep-files", metavar="DIR", default=None,
                            help="把生成的 CSV 留在该目录（默认用临时目录并删除）")
        parser.add_argument("--keep-bands", action="store_true",
                            help="不按演示数据校准万户投诉量档位（保留 domain.md 的默认界值）")

    def handle(self, *args, orders, months, seed, end_month, if_empty, users_only, keep_files, keep_bands,
               **options):
        if orders < 0:
            raise CommandError(f"--orders: must be >= 0, got {orders}")
        if not 1 <= months <= 120:
            raise CommandError(f"--months: must be between 1 and 120, got {months}")
        if not users_only:
            if if_empty and WorkOrder.objects.exists():
                self.stdout.write("已有工单数据，跳过演示数据生成（--if-empty）。")
            else:
                end_month = end_month or default_end_month()
                if keep_files:
                    self._seed(Path(keep_files), orders=orders, months=months, seed=seed, end_month=end_month)
                else:
                    with tempfile.TemporaryDirectory(prefix="scorecard-demo-") as tmp:
                        self._seed(Path(tmp), orders=orders, months=months, seed=seed, end_month=end_month)
                if orders and not keep_bands:
                    self._calibrate(end_month)
        self._users()

    def _seed(self, outdir: Path, *, orders: int, months: int, seed: int, end_month: str | None) -> None:
        # Imported here so that --users-only works while the import service is being changed.
        from scorecard.imports.services import import_file

        self.stdout.write(f"生成演示数据：{orders} 张工单，{months} 个月（截至 {end_month}），种子 {seed} …")
        counts: dict[str, int] = {}
        t0 = time.perf_counter()
        try:
            paths = write_demo_csvs(outdir, seed=seed, orders=orders, months=months, end_month=end_month,
                                    counts=counts)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        gen_s = time.perf_counter() - t0
        self.stdout.write(f"  生成完成 {gen_s:.1f} 秒：" + "，".join(
            f"{KIND_LABELS[k]} {counts[k]} 行" for k in FILES))
        t_import = time.perf_counter()
        for kind in FILES:
            t1 = time.perf_counter()
            total = counts[kind]
            if not total and kind in FILE_KIND:
                continue  # no 台区经理 changed (fewer than 3 months): an empty file would be refused
            step = max(50_000, total // 10)
            last = [0]

            def progress(rows: int, kind=kind, total=total, step=step, last=last) -> None:
                if rows - last[0] >= step and rows < total:
                    last[0] = rows
                    self.stdout.write(f"    {KIND_LABELS[kind]} {rows}/{total} …")
                    self.stdout.flush()

            result = import_file(kind=FILE_KIND.get(kind, kind), path=paths[kind], progress=progress)
            if not result.ok:
                shown = "\n".join(f"  {e}" for e in result.errors[:20])
                more = f"\n  …共 {len(result.errors)} 处错误" if len(result.errors) > 20 else ""
                raise CommandError(f"导入演示数据 {kind} ({paths[kind].name}) 失败：\n{shown}{more}")
            self.stdout.write(
                f"  导入 {KIND_LABELS[kind]}：{result.rows} 行（新增 {result.created}，更新 {result.updated}，"
                f"未变 {result.unchanged}）{time.perf_counter() - t1:.1f} 秒")
        import_s = time.perf_counter() - t_import
        self.stdout.write(self.style.SUCCESS(
            f"演示数据就绪：生成 {gen_s:.1f} 秒，导入 {import_s:.1f} 秒，共 {gen_s + import_s:.1f} 秒。"))

    def _calibrate(self, end_month: str) -> None:
        # The demo's 台区 carry ~200x a real province's complaints per customer; against the
        # real cut-offs every unit would be band E on 万户投诉量 (see calibrate_bands).
        from scorecard.kpis.services import calibrate_bands

        cuts = calibrate_bands(month=parse_month(end_month))
        names = {"unit": "地市公司", "department": "责任单位"}
        for level, (a, b, c, d) in cuts.items():
            self.stdout.write(f"  万户投诉量档位按 {end_month} 演示数据五分位校准（{names[level]}）："
                              f"A≤{a} B≤{b} C≤{c} D≤{d}（--keep-bands 保留默认界值）")

    def _users(self) -> None:
        rows = create_demo_users()
        self.stdout.write("演示账号（用户名 / 密码 / 角色 / 范围）：")
        for username, role, scope in rows:
            self.stdout.write(f"  {username} / {DEMO_PASSWORD} / {role} / {scope}")
