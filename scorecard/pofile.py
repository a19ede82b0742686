"""A tiny reader of gettext .po files, enough for the translation checks
(tests/test_translations.py) without another dependency."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]

    @property
    def untranslated(self) -> bool:
        return any(not t for t in self.translations)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a C string literal is a Python one for the escapes gettext uses


def parse(path: Path | str) -> list[Entry]:
    """Entries in file order, the header (msgid "") first."""
    entries, current, target = [], Entry(), None
    started = False

    def finish():
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            current.obsolete = True
            started = True
            continue
        if line.startswith("#,"):
            if started and target is not None:
                finish()
            current.flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#:"):
            current.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        key, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
        elif key == "msgid":
            if started and target is not None and target != "msgid":
                finish()
            started, target, value = True, "msgid", _unquote(rest)
            current.msgid = ""
        elif key == "msgid_plural":
            target, value, current.msgid_plural = "msgid_plural", _unquote(rest), ""
        elif key == "msgstr":
            target, value = "msgstr", _unquote(rest)
        elif key.startswith("msgstr["):
            target, value = int(key[7:-1]), _unquote(rest)
            current.msgstr_plural[target] = ""
        else:
            continue
        if target == "msgid":
            current.msgid += value
        elif target == "msgid_plural":
            current.msgid_plural += value
        elif target == "msgstr":
            current.msgstr += value
        elif isinstance(target, int):
            current.msgstr_plural[target] += value
    finish()
    return entries
