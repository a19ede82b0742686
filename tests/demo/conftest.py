import csv
from pathlib import Path

import pytest

from scorecard.demo import write_demo_csvs

# A moderate province, generated once for all shape tests of this package.
SHAPE = {"seed": 95598, "orders": 30_000, "months": 13, "end_month": "2026-10"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> dict[str, Path]:
    return write_demo_csvs(tmp_path_factory.mktemp("demo"), **SHAPE)


@pytest.fixture(scope="session")
def demo_rows(demo_files) -> dict[str, list[dict[str, str]]]:
    return {kind: read_csv(path) for kind, path in demo_files.items()}
