"""The message catalogues are complete and current.

Spanish is the default language and Portuguese is offered, so every string the UI shows must be
translated in both; English is the source language and may stay untranslated. A catalogue is
stale when the code or templates have a translatable string it does not list: `make makemessages`
adds it, then a person translates it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PACKAGE_DIR = Path(settings.BASE_DIR) / "alianza"
LOCALE_DIR = PACKAGE_DIR / "locale"
TRANSLATED_LANGUAGES = ("es", "pt")
ALL_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
# The same exclusions as `make makemessages`.
IGNORE_PATTERNS = ["static/vendor/*"]
HOW_TO_FIX = (
    "Run `make makemessages`, translate the new entries in alianza/locale/{es,pt}/LC_MESSAGES/"
    "django.po (remove any `#, fuzzy` flag once checked), then `make messages`."
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{(\w*)\}")

Key = tuple[str, str, str]  # (msgctxt, msgid, msgid_plural)


def _catalogue(language: str) -> polib.POFile:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing. {HOW_TO_FIX}"
    return polib.pofile(str(path))


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _placeholders(text: str) -> set[str]:
    return {named or braced for named, braced in _PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language: str) -> None:
    problems = []
    for entry in _live_entries(_catalogue(language)):
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        expected_placeholders = [_placeholders(source) for source in sources]
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not all(translation.strip() for translation in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
        elif any(
            _placeholders(translation) not in expected_placeholders for translation in translations
        ):
            problems.append(f"placeholders differ from the source: {entry.msgid!r}")
    assert not problems, f"{language}: " + "; ".join(problems) + f". {HOW_TO_FIX}"


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_catalogue_header_is_complete(language: str) -> None:
    po = _catalogue(language)
    assert po.metadata.get("Language") == language
    assert "nplurals=" in po.metadata.get("Plural-Forms", ""), "the Plural-Forms header is missing"
    for entry in _live_entries(po):
        if entry.msgid_plural and any(entry.msgstr_plural.values()):
            assert len(entry.msgstr_plural) == int(
                re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1)  # type: ignore[union-attr]
            ), f"{language}: {entry.msgid!r} has the wrong number of plural forms"


# What makemessages reads for the "django" domain; everything else (data, vendored JS) is skipped.
_MESSAGE_SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def _not_a_message_source(directory: str, names: list[str]) -> set[str]:
    skipped = {"locale", "__pycache__", "vendor"}
    return {
        name
        for name in names
        if name in skipped
        or (
            Path(name).suffix not in _MESSAGE_SOURCE_SUFFIXES and not Path(directory, name).is_dir()
        )
    }


@pytest.fixture(scope="module")
def extracted_keys(tmp_path_factory: pytest.TempPathFactory) -> set[Key]:
    """The translatable strings in the code and templates now, extracted as `make makemessages` does.

    makemessages writes working files beside the templates it reads, so it runs on a copy of the
    sources rather than in the tree other people are editing.
    """
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: install GNU gettext (apt-get install gettext).")
    work = tmp_path_factory.mktemp("makemessages")
    source = work / "alianza"
    shutil.copytree(PACKAGE_DIR, source, ignore=_not_a_message_source)
    locale = source / "locale"
    locale.mkdir()
    cwd = Path.cwd()
    try:
        os.chdir(source)
        with override_settings(LOCALE_PATHS=[str(locale)]):
            call_command(
                "makemessages",
                locale=["es"],
                ignore_patterns=IGNORE_PATTERNS,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    return {_key(entry) for entry in polib.pofile(str(locale / "es" / "LC_MESSAGES" / "django.po"))}


def test_extraction_finds_known_strings(extracted_keys: set[Key]) -> None:
    # Guards the staleness test below against passing because extraction found nothing.
    assert ("", "Skip to main content", "") in extracted_keys
    assert ("", "Case worker", "") in extracted_keys


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_catalogue_lists_every_translatable_string(language: str, extracted_keys: set[Key]) -> None:
    listed = {_key(entry) for entry in _live_entries(_catalogue(language))}
    missing = sorted(extracted_keys - listed)
    assert not missing, (
        f"alianza/locale/{language} lacks {len(missing)} string(s) from the code, e.g. "
        + ", ".join(repr(msgid) for _ctx, msgid, _plural in missing[:5])
        + f". {HOW_TO_FIX}"
    )
