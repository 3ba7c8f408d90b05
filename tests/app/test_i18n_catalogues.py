"""The gettext catalogues are complete, current and compiled, in every locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.i18n import LOCALE_DIR, LOCALES

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def extracted_msgids() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    return extracted_msgids()


def load_po(locale: str):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_the_source_is_in_the_catalogue(locale, source_ids):
    catalogue = load_po(locale)
    missing = sorted(i for i in source_ids if i not in catalogue)
    assert not missing, f"run the extraction (see app/i18n.py); missing in {locale}: {missing}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_entry_is_fuzzy_or_untranslated(locale):
    catalogue = load_po(locale)
    bad = [m.id for m in catalogue if m.id and (m.fuzzy or not all(t for _, t in _forms(m)))]
    assert not bad


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale):
    catalogue = load_po(locale)
    bad = [
        m.id
        for m in catalogue
        if m.id
        for msgid, text in _forms(m)
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert not bad


def _forms(m) -> list[tuple[str, str]]:
    """(msgid, translation) of each form: one, or for a plural message each form beside the
    plural msgid (every form names the same placeholders)."""
    if isinstance(m.id, str):
        return [(m.id, m.string)]
    return [(m.id[1], text) for text in m.string]


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_mo_matches_the_po(locale):
    po = {_hashable(m.id): _hashable(m.string) for m in load_po(locale) if m.id}
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        mo = {_hashable(m.id): _hashable(m.string) for m in read_mo(f) if m.id}
    assert mo == po, "the .mo is stale: run `pybabel compile -d assets/locales`"


def test_chinese_catalogue_really_is_chinese():
    catalogue = load_po("zh_CN")
    assert catalogue["Cars"].string == "车辆"
    assert catalogue["is required"].string != "is required"


def _hashable(value):
    return value if isinstance(value, str) else tuple(value)
