"""The committed catalogue translates every string, placeholders intact."""

import re
from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_string_is_translated():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing and not fuzzy, (missing, fuzzy)


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)).translated_entries():
        source = sorted(PLACEHOLDER.findall(entry.msgid))
        targets = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for target in targets:
            assert sorted(PLACEHOLDER.findall(target)) == source, entry.msgid
