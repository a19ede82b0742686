"""Signals that cross app boundaries downwards-only: a lower app announces, a higher one listens.

``data_imported`` is sent by the import service after an import's transaction has
committed (never for a dry run or a failed file). The kpis app listens: it re-traces the
unpublished months the file touched and records the rows that arrived for a published
month as late data (补录). The import service thereby never imports kpis.

Arguments: ``kind`` (import kind), ``months`` (sorted list of first-of-month dates the
file's rows are dated in; empty when the kind has no month), ``user`` (or None for the
command line), ``result`` (the ImportResult), ``source`` (the file name as given).
"""
from django.dispatch import Signal

data_imported = Signal()

# Sent by kpis after an accepted appeal moved a complaint to another department (after the
# commit): the notices app renders the month's draft again. Arguments: ``month``, ``user``.
attribution_changed = Signal()
