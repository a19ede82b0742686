"""Only the named front-end files leave node_modules (issue #14: collectstatic copied 106 MB)."""
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from scorecard.core.staticfinders import NpmFileFinder


def test_it_serves_the_echarts_build_the_pages_load():
    found = finders.find("echarts/echarts.min.js")
    assert found and Path(found) == settings.NPM_ROOT / "echarts" / "dist" / "echarts.min.js"


def test_it_serves_nothing_else_of_an_npm_package():
    assert finders.find("echarts/echarts.js") is None
    assert finders.find("echarts/dist/echarts.min.js") is None
    listed = [path for path, _ in NpmFileFinder().list([])]
    assert listed == list(settings.NPM_STATIC_FILES)


def test_it_collects_only_the_named_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", "-v", "0")
    collected = {p.relative_to(settings.STATIC_ROOT / "echarts").as_posix() for p in (settings.STATIC_ROOT / "echarts").rglob("*")}
    assert collected == {"echarts.min.js"}
    source = settings.NPM_ROOT / "echarts" / "dist" / "echarts.min.js"
    assert (settings.STATIC_ROOT / "echarts" / "echarts.min.js").read_bytes() == source.read_bytes()
    assert not (settings.STATIC_ROOT / "node_modules").exists()


def test_it_reports_a_missing_file_at_check_time(settings):
    settings.NPM_STATIC_FILES = {**settings.NPM_STATIC_FILES, "x/missing.js": "nowhere/missing.js"}
    errors = NpmFileFinder().check()
    assert [e.id for e in errors] == ["scorecard.E001"]
    assert "x/missing.js" in errors[0].msg
