"""File importers: readers (encodings, CSV/XLSX streaming), schemas per kind,
parsing and set-based upserts. ``scorecard.imports.services.import_file``
is the entry point; see ``base`` for the pipeline."""
from .base import Column, ImportResult, RowError
from .events import EventImporter
from .grid import DistrictImporter, LoadImporter, OutageImporter, ProjectImporter
from .taxonomy import TaxonomyImporter
from .workorders import WorkOrderImporter

IMPORTERS = {
    cls.kind: cls
    for cls in (WorkOrderImporter, DistrictImporter, LoadImporter, OutageImporter, ProjectImporter, TaxonomyImporter,
                EventImporter)
}

__all__ = ["IMPORTERS", "Column", "ImportResult", "RowError"]
