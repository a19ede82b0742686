"""Fixtures of the importer tests; the files themselves are written by tests/fixtures/import_files.py."""
import pytest

from tests.fixtures.import_files import create_units, SAMPLE_UNITS  # noqa: F401


@pytest.fixture
def units(db):
    """The org units of ``sample_orders`` (and of ``wo()``'s defaults)."""
    create_units(SAMPLE_UNITS)


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
