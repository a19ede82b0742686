"""python manage.py import_data KIND FILE [--dry-run] [--by USERNAME] [--errors FILE]

Output contract (interfaces.md): on success a summary on stdout (the counts, then the SHA-256
and months, then what the header told: skipped title rows, columns found by alias, ignored
columns), exit 0; a warning on stderr for each absent column a figure needs. On failure the
errors on stderr, one line per distinct cause (``row N, <column>: <reason>`` for a cause of one
row, ``第 N、M… 行（共 K 行），<column>：<reason>`` for many), followed by a one-line summary, exit 1;
``--errors FILE`` writes every bad row as ``row N, <column>: <reason>``. Nothing is written
unless the whole file is valid.
"""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scorecard.core.months import label
from scorecard.imports.calendar import import_calendar
from scorecard.imports.errors import error_lines, group_errors
from scorecard.imports.profiles import load_profile
from scorecard.imports.services import KINDS, import_file


class Command(BaseCommand):
    help = "导入 CSV/XLSX 文件（工单、台区、负载电压、停电、项目、分类目录、节假日安排）；任何一行有错则整个文件不导入。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=(*KINDS, "calendar"),
                            help="数据类型（taxonomy：分类目录；calendar：节假日与调休安排）")
        parser.add_argument("file", help=".csv（UTF-8/UTF-8 BOM/GBK）或 .xlsx（第一个工作表）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告结果，不写入数据库")
        parser.add_argument("--by", metavar="USERNAME", help="审计日志中记录的导入人（用户名）；不填则记为“命令行”")
        parser.add_argument("--errors", metavar="FILE", dest="errors_file",
                            help="把每一处错误（每行一处：row N, <列>: <原因>）写入该文件；没有错误时写入空文件")

    def handle(self, *args, kind, file, dry_run, by=None, errors_file=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"未知用户：{by}")
        self.errors_file = Path(errors_file) if errors_file else None
        if kind == "calendar":
            return self._calendar(path, dry_run, user)
        verbose = options.get("verbosity", 1) >= 2

        def progress(rows):
            if verbose:
                self.stderr.write(f"… {rows} 行")

        result = import_file(kind=kind, path=path, dry_run=dry_run, progress=progress, user=user, source=path.name)
        self._summary(kind, path, dry_run, result)
        self.stdout.write(f"sha256 {result.sha256}, months {' '.join(label(m) for m in result.months) or '-'}")
        for line in result.note_lines():
            self.stdout.write(line)

    def _calendar(self, path: Path, dry_run: bool, user) -> None:
        result = import_calendar(path=path, dry_run=dry_run, user=user, profile=load_profile("calendar"))
        self._summary("calendar", path, dry_run, result, extra=f", years {','.join(map(str, result.years))}")

    def _summary(self, kind: str, path: Path, dry_run: bool, result, *, extra: str = "") -> None:
        """The contract of interfaces.md for every kind: the errors and exit 1, or one summary line."""
        if self.errors_file is not None:
            lines = error_lines(result.errors)
            self.errors_file.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        for warning in getattr(result, "warnings", ()):
            self.stderr.write(f"警告：{warning}")
        if not result.ok:
            for group in group_errors(result.errors):
                self.stderr.write(str(group))
            raise CommandError(f"{path.name}: {len(result.errors)} 处错误，未导入任何数据（共读取 {result.rows} 行）")
        prefix = "[dry-run，未写入] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{kind} {path.name}: rows {result.rows}, created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged}{extra}"
        )
