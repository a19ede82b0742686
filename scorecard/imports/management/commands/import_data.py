"""python manage.py import_data KIND FILE [--dry-run] [--by USERNAME]

Output contract (interfaces.md): on success a summary on stdout, exit 0; on
failure every bad row as ``row N, <column>: <reason>`` on stderr (one per
line, followed by a one-line summary), exit 1. Nothing is written unless the
whole file is valid.
"""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scorecard.imports.calendar import import_calendar
from scorecard.imports.services import KINDS, import_file
from scorecard.core.months import label


class Command(BaseCommand):
    help = "导入 CSV/XLSX 文件（工单、台区、负载电压、停电、项目、节假日安排）；任何一行有错则整个文件不导入。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=(*KINDS, "calendar"), help="数据类型（calendar：节假日与调休安排）")
        parser.add_argument("file", help=".csv（UTF-8/UTF-8 BOM/GBK）或 .xlsx（第一个工作表）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告结果，不写入数据库")
        parser.add_argument("--by", metavar="USERNAME", help="审计日志中记录的导入人（用户名）；不填则记为“命令行”")

    def handle(self, *args, kind, file, dry_run, by=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"未知用户：{by}")
        if kind == "calendar":
            return self._calendar(path, dry_run, user)
        verbose = options.get("verbosity", 1) >= 2

        def progress(rows):
            if verbose:
                self.stderr.write(f"… {rows} 行")

        result = import_file(kind=kind, path=path, dry_run=dry_run, progress=progress, user=user, source=path.name)
        self._summary(kind, path, dry_run, result)
        self.stdout.write(f"sha256 {result.sha256}, months {' '.join(label(m) for m in result.months) or '-'}")

    def _calendar(self, path: Path, dry_run: bool, user) -> None:
        result = import_calendar(path=path, dry_run=dry_run, user=user)
        self._summary("calendar", path, dry_run, result, extra=f", years {','.join(map(str, result.years))}")

    def _summary(self, kind: str, path: Path, dry_run: bool, result, *, extra: str = "") -> None:
        """The contract of interfaces.md for every kind: each bad row and exit 1, or one summary line."""
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name}: {len(result.errors)} 处错误，未导入任何数据（共读取 {result.rows} 行）")
        prefix = "[dry-run，未写入] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{kind} {path.name}: rows {result.rows}, created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged}{extra}"
        )
