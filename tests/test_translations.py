"""The English switch is complete: every message of the project has an English
translation, and the compiled catalogue (committed, so runtime needs no gettext)
says the same as the .po file.

When this fails after you added strings: see README "Translations" —
makemessages, fill the English msgstr, compilemessages, commit .po and .mo."""
import gettext
import re
from pathlib import Path

import polib
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
HOW = ("Run `.venv/bin/python manage.py makemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules`, "
       "fill these msgstr in locale/en/LC_MESSAGES/django.po, then `manage.py compilemessages` (README \"Translations\")")


def entries():
    return [e for e in polib.pofile(str(EN_PO)) if not e.obsolete]


def test_every_english_message_is_translated_and_not_fuzzy():
    bad = [e for e in entries() if not e.translated() or e.fuzzy]
    assert not bad, f"{len(bad)} English message(s) untranslated or fuzzy:\n" + "\n".join(
        f"  {e.msgid!r}{' (fuzzy)' if e.fuzzy else ''}  [{', '.join(f'{f}:{n}' for f, n in e.occurrences[:2])}]" for e in bad) + "\n" + HOW


def test_placeholders_survive_translation():
    pattern = re.compile(r"%\((\w+)\)[sd]|%s|%d")
    bad = []
    for e in entries():
        for text in list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]:
            if sorted(pattern.findall(e.msgid)) != sorted(pattern.findall(text)):
                bad.append(f"  {e.msgid!r} → {text!r}")
    assert not bad, "placeholders differ between msgid and msgstr:\n" + "\n".join(bad)


def test_compiled_catalogue_matches_the_po_file():
    with open(EN_MO, "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for e in entries():
        if not e.msgid_plural:
            if catalogue.gettext(e.msgid) != e.msgstr:
                stale.append(e.msgid)
        elif catalogue.ngettext(e.msgid, e.msgid_plural, 2) != e.msgstr_plural.get(1):
            stale.append(e.msgid)
    assert not stale, (f"locale/en/LC_MESSAGES/django.mo is out of date for {len(stale)} message(s), e.g. "
                       f"{stale[:3]!r}: run `manage.py compilemessages` and commit the .mo file")


# Literal messages in the code: {% translate "…" %}, {% trans '…' %}, _("…") and gettext("…").
TEMPLATE_MSG = re.compile(r"""{%\s*trans(?:late)?\s+(?:"([^"]*)"|'([^']*)')""")
CALL_MSG = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(?:"((?:[^"\\\n])*)"|'((?:[^'\\\n])*)')\s*\)""")
SOURCES = ["scorecard", "templates"]


def literal_messages():
    base = Path(settings.BASE_DIR)
    for top in SOURCES:
        for path in sorted((base / top).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for regex in ((TEMPLATE_MSG, CALL_MSG) if path.suffix != ".py" else (CALL_MSG,)):
                for m in regex.finditer(text):
                    msg = m.group(1) if m.group(1) is not None else m.group(2)
                    if msg and not msg.isascii():
                        # Django's template extraction escapes % as %% (python-format).
                        yield (msg.replace("%", "%%") if path.suffix != ".py" else msg,
                               f"{path.relative_to(base)}:{text.count(chr(10), 0, m.start()) + 1}")


def test_no_message_in_the_code_is_missing_from_the_catalogue():
    known = {e.msgid for e in entries()}
    missing = sorted({(msg, where) for msg, where in literal_messages() if msg not in known})
    assert not missing, f"{len(missing)} message(s) in the code are not in locale/en/LC_MESSAGES/django.po:\n" + \
        "\n".join(f"  {msg!r}  [{where}]" for msg, where in missing) + "\n" + HOW
