"""Logging filters (settings.LOGGING)."""
import logging


class DeniedOnOneLine(logging.Filter):
    """A refused request (403) is an expected outcome, not an error: Django logs it with the whole
    traceback of the PermissionDenied, dozens of lines per refusal. Keep the one line
    (``Forbidden (Permission denied): /path``); the audit log has the who and what (issue #15)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
