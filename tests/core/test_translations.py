from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.po"


def test_every_japanese_string_has_its_english_translation():
    catalogue = polib.pofile(str(CATALOGUE))

    missing = [
        entry.msgid
        for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()
    ]

    assert missing == [], "run `make messages` and translate these"


def test_placeholders_survive_translation():
    catalogue = polib.pofile(str(CATALOGUE))

    broken = [
        entry.msgid
        for entry in catalogue.translated_entries()
        for english in (
            entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        )
        if sorted(set(_placeholders(entry.msgid)))
        != sorted(set(_placeholders(english)))
    ]

    assert broken == []


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}", text)
