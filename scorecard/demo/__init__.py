"""Demo province: generates realistic 95598 and grid exports for the demo and tests.

A plain package (not a Django app): it only writes CSV files; ``seed_demo`` imports
them through the same importers as real exports.
"""
from .generator import FILE_KIND, FILES, HEADERS, KINDS, default_end_month, write_demo_csvs

__all__ = ["FILE_KIND", "FILES", "HEADERS", "KINDS", "default_end_month", "write_demo_csvs"]
