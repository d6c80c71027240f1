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


def test_the_village_centre_has_one_name():
    """The portal calls it 村(社区)为民服务分中心 (or by its own name), never by
    another: a resident must not wonder whether two places are meant."""
    catalogue = polib.pofile(str(PO))
    other_names = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if "service station" in entry.msgid.lower()
        or "便民服务站" in entry.msgstr
        or any("便民服务站" in text for text in entry.msgstr_plural.values())
    ]
    assert not other_names


def test_only_the_account_page_is_called_my_requests():
    """我的办件 is the signed-in resident's page; the tracking page, the apply form and
    their buttons are about one request."""
    catalogue = polib.pofile(str(PO))
    called = sorted(e.msgid for e in catalogue if e.msgstr.strip("“”") == "我的办件")
    assert called == ["My requests"]
    assert "我的办件" not in catalogue.find("Done — hide my request").msgstr
