"""``CHEDAI_LOCALE`` is read one way everywhere (``app.i18n.supported_locale``): Settings, the
command line's messages and what a command makes with Settings' locale (the contract PDF) all
agree. A language the app does not speak (``fr_FR``) is the default, Chinese, with its number
and date formats; another spelling or region of one it speaks (``en``, ``en_GB``, ``zh-CN``,
``zh_Hans_CN``) is that one. The app's screens: tests/ui/test_unsupported_locale_falls_back.py."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from app.i18n import cli_locale
from app.settings import Settings
from contracts.deal import parse_deal
from contracts.formatting import day, money
from domain.loans import quote
from tests.app.cli_run import cjk, cli, data_dir  # noqa: F401 (data_dir: each test its own)
from tests.contracts.factories import minimal_deal_json

SPELLINGS = [
    ("fr_FR", "zh_CN"),
    ("C", "zh_CN"),
    ("", "zh_CN"),
    ("zh", "zh_CN"),
    ("zh-CN", "zh_CN"),
    ("zh_Hans_CN", "zh_CN"),
    ("zh_TW", "zh_CN"),
    ("en", "en_US"),
    ("en_GB", "en_US"),
    ("en-US", "en_US"),
    ("en_US.UTF-8", "en_US"),
]


@pytest.mark.parametrize(("setting", "spoken"), SPELLINGS)
def test_settings_and_the_command_line_read_the_locale_alike(monkeypatch, setting, spoken):
    monkeypatch.setenv("CHEDAI_LOCALE", setting)
    assert Settings().locale == cli_locale() == spoken
    assert Settings(locale=setting).locale == spoken


@pytest.mark.parametrize("setting", ["en", "en_GB", "en-US"])
def test_another_english_gets_the_messages_in_english(capsys, monkeypatch, setting):
    code, _, err = cli(capsys, monkeypatch, ["serve", "--port", "0"], locale=setting)
    assert code == 2
    assert "must be a whole number from 1 to 65535" in err and not cjk(err)


def rendered_text(tmp_path, capsys, monkeypatch, setting) -> tuple[str, object]:
    """``chedai contract render`` of the minimal deal with ``CHEDAI_LOCALE=setting``: the
    PDF's text and the deal's quote."""
    deal = minimal_deal_json()
    source = tmp_path / "deal.json"
    source.write_text(json.dumps(deal, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "contract.pdf"
    argv = ["contract", "render", "--json", str(source), "--out", str(out)]
    code, _, err = cli(capsys, monkeypatch, argv, locale=setting)
    assert code == 0, err
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    text = "\n".join(page.extract_text() for page in pages)
    return text, quote(parse_deal(deal).terms)


@pytest.mark.parametrize("setting", ["fr_FR", "zh-CN", "zh_Hans_CN"])
def test_a_contract_rendered_under_another_locale_is_chinese_with_its_formats(
    tmp_path, capsys, monkeypatch, setting
):
    text, q = rendered_text(tmp_path, capsys, monkeypatch, setting)
    assert money(q.payment, "zh_CN") in text  # ¥1,234.56, not French's 1 234,56 CNY
    assert day(q.schedule[0].date, "zh_CN") in text
    assert "汽车消费贷款合同" in text and "第 1 页" in text


def test_a_contract_rendered_under_british_english_is_english(tmp_path, capsys, monkeypatch):
    text, q = rendered_text(tmp_path, capsys, monkeypatch, "en_GB")
    assert money(q.payment, "en_US") in text
    assert day(q.schedule[0].date, "en_US") in text
    assert "Page 1 of" in text
