"""Shared shape of the monthly read-out commands: --month YYYY-MM [--json]."""
import json

from django.core.management.base import BaseCommand, CommandError

from scorecard.core.months import parse_month


def month_arg(value: str):
    try:
        return parse_month(value)
    except ValueError as exc:
        raise CommandError(f"--month: {exc}", returncode=2) from exc


def write_json(stdout, data) -> None:
    stdout.write(json.dumps(data, ensure_ascii=False, indent=1))


class MonthReadoutCommand(BaseCommand):
    """Subclasses give ``read(month) -> dict`` and ``write_table(data)``."""

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print the read-out of interfaces.md")

    def handle(self, *args, **opts):
        data = self.read(month_arg(opts["month"]))
        if opts["json"]:
            write_json(self.stdout, data)
        else:
            self.write_table(data)

    def read(self, month) -> dict:
        raise NotImplementedError

    def write_table(self, data: dict) -> None:
        raise NotImplementedError
