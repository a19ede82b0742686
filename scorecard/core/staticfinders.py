"""A static-files finder that ships a named list of files out of ``node_modules``.

``STATICFILES_DIRS`` can only point at whole folders, and an npm package's folder holds
far more than a page loads (ECharts' ``dist/`` alone is 60 MB of alternative builds and
source maps); collecting and compressing all of it made ``make demo`` spend minutes in
``collectstatic`` (issue #14). ``settings.NPM_STATIC_FILES`` maps each URL path under
``STATIC_URL`` to one file under ``node_modules/``: a package added to package.json ships
nothing until its dist file is named there.
"""
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files import File
from django.core.files.storage import FileSystemStorage


class NpmFileFinder(BaseFinder):
    def __init__(self, app_names=None, *args, **kwargs):
        self.root = Path(settings.NPM_ROOT)
        self.files: dict[str, Path] = {
            url_path: self.root / source for url_path, source in settings.NPM_STATIC_FILES.items()
        }
        self.storage = FileSystemStorage(location=str(self.root))
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        # A missing file means `npm ci` has not run (or package.json moved the build):
        # said at `manage.py check` rather than as a blank chart on a page.
        return [
            Error(f"NPM_STATIC_FILES[{url_path!r}]: {path} does not exist (run `make setup`)",
                  id="scorecard.E001")
            for url_path, path in self.files.items() if not path.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        if source is None or not source.is_file():
            return []  # what Django's own finders answer for "not here"
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for url_path, source in self.files.items():
            if source.is_file():
                yield url_path, _OneFileStorage(source, url_path)


class _OneFileStorage(FileSystemStorage):
    """The storage collectstatic copies from: ``url_path`` opens ``source`` (its name may differ)."""

    def __init__(self, source: Path, url_path: str):
        super().__init__(location=str(source.parent))
        self.source = source
        self.url_path = url_path

    def path(self, name):
        return str(self.source) if name == self.url_path else super().path(name)

    def _open(self, name, mode="rb"):
        return File(open(self.path(name), mode))
