"""The floors of the house hold: apps import only downwards, and no import hides in a function body."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import check_inner_imports  # noqa: E402


def lint_imports(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--config", str(config)],
                          cwd=ROOT, capture_output=True, text=True)


def test_it_keeps_the_layers_contract():
    run = lint_imports(ROOT / ".importlinter")
    assert run.returncode == 0, run.stdout + run.stderr


def test_it_breaks_the_contract_when_a_lower_app_imports_a_higher_one(tmp_path):
    # The same contract with grid above complaints: the real tree's complaints → grid imports break it,
    # which shows the check can fail (and names the import).
    config = (ROOT / ".importlinter").read_text().replace(
        "    scorecard.complaints\n    scorecard.accounts\n    scorecard.grid\n",
        "    scorecard.grid\n    scorecard.complaints\n    scorecard.accounts\n")
    assert config != (ROOT / ".importlinter").read_text()
    (tmp_path / "contract.ini").write_text(config)
    run = lint_imports(tmp_path / "contract.ini")
    assert run.returncode == 1
    assert "scorecard.complaints is not allowed to import scorecard.grid" in run.stdout


def test_it_finds_no_unexplained_import_inside_a_function():
    bad = [f"{p.relative_to(ROOT)}:{line}" for p in sorted((ROOT / "scorecard").rglob("*.py"))
           for line in check_inner_imports.inner_imports(p)]
    assert bad == []


def test_it_flags_an_inner_import_without_a_comment(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import os\n    return os\n\n\ndef g():\n"
                      "    # app loading: models are ready only now\n    import sys\n    return sys\n")
    assert check_inner_imports.inner_imports(module) == [2]
