"""Shared argument handling of the read-out commands."""
import json

from django.core.management.base import CommandError

from scorecard.months import parse_month


def month_arg(value: str):
    try:
        return parse_month(value)
    except ValueError as exc:
        raise CommandError(f"--month: {exc}", returncode=2) from exc


def write_json(stdout, data) -> None:
    stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
