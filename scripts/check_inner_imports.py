"""Fail when a function body in scorecard/ imports something without a comment saying why.

Imports belong at the top of the module, where the reader (and import-linter) sees a module's
dependencies. The few that must wait — app loading in AppConfig.ready, an optional heavy library —
carry a comment on the import's line or on the line above it.

    python scripts/check_inner_imports.py [ROOT ...]     (default: scorecard)
Prints each offending import as path:line and exits 1 if there is any.
"""
import ast
import sys
from pathlib import Path


def inner_imports(path: Path) -> list[int]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for child in ast.walk(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                here = lines[child.lineno - 1]
                above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
                if "#" not in here and not above.startswith("#"):
                    found.append(child.lineno)
    return sorted(set(found))


def main(roots: list[str]) -> int:
    bad = []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            bad += [f"{path}:{line}" for line in inner_imports(path)]
    for where in bad:
        print(f"{where}: import inside a function without a comment saying why")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["scorecard"]))
