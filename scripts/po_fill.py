"""Fill the English catalogue from a {japanese: english} dict in a Python file.

Usage: python scripts/po_fill.py TRANSLATIONS.py   (defines T = {...})
A plural entry takes a (singular, plural) pair. Prints the entries still untranslated afterwards.
"""

import runpy
import sys

import polib

PO = "locale/en/LC_MESSAGES/django.po"

translations = runpy.run_path(sys.argv[1])["T"] if len(sys.argv) > 1 else {}
po = polib.pofile(PO, wrapwidth=0)
for entry in po:
    if entry.msgid in translations:
        english = translations[entry.msgid]
        if entry.msgid_plural:  # a (singular, plural) pair
            entry.msgstr_plural = dict(enumerate(english))
        else:
            entry.msgstr = english
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
if translations:
    po.save(PO)  # `make messages` afterwards rewraps it as makemessages does
missing = po.untranslated_entries() + po.fuzzy_entries()
for entry in missing:
    print(repr(entry.msgid), "|", entry.occurrences[0][0] if entry.occurrences else "")
print(f"{len(po)} entries, {len(missing)} untranslated", file=sys.stderr)
