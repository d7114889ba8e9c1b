"""The Chinese catalogue is complete and compiled: no English leaks onto Chinese pages.

`make lint` (run by CI before the tests) extracts the messages afresh with makemessages, so a
message added to the code without a translation fails the first test here.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_message_translated():
    catalogue = polib.pofile(str(PO))
    missing = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]
    assert missing == []
    assert fuzzy == []


def test_compiled_catalogue_is_current():
    """Every live translation of the .po is in the compiled .mo with the same text."""
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO))}
    source = polib.pofile(str(PO))
    stale = [
        e.msgid
        for e in source.translated_entries()
        if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural)
    ]
    assert stale == [], "run: make messages"
