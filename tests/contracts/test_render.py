from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal

import pytest
from pypdf import PdfReader

from contracts import record
from contracts.formatting import money, percent
from contracts.render import render_contract
from domain.errors import InputError
from domain.loans import quote
from tests.contracts.factories import deal_json, make_deal


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    "locale", [pytest.param("zh_CN", id="zh_CN"), pytest.param("en_US", id="en_US")]
)
def test_text_has_buyer_and_the_engines_figures_formatted_for_the_locale(locale):
    deal = make_deal()
    q = quote(deal.terms)
    text = _text(render_contract(deal, locale=locale))
    assert deal.buyer.name in text
    for amount in (q.amount_financed, q.finance_charge, q.total_of_payments, q.total_sale_price):
        assert money(amount, locale) in text
    assert percent(q.apr_percent, locale) in text
    assert money(q.payment, locale) in text


def test_figures_equal_chedai_quote_output():
    """The disclosure figures in the PDF are the ones `chedai quote` prints for the terms."""
    import json

    data = deal_json()
    out = subprocess.run(
        [sys.executable, "-m", "app", "quote", "-"],
        input=json.dumps(data["terms"]),
        capture_output=True,
        text=True,
        check=True,
    )
    wire = json.loads(out.stdout)
    text = _text(render_contract(make_deal(), locale="zh_CN"))
    assert f"{wire['apr']}%" in text
    for key in ("amount_financed", "finance_charge", "total_of_payments", "total_sale_price"):
        assert money(Decimal(wire[key]), "zh_CN") in text


def test_schedule_runs_across_pages_with_every_row_and_page_x_of_y():
    deal = make_deal()
    pdf = render_contract(deal, locale="en_US")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    text = _text(pdf)
    for n in range(1, len(pages) + 1):
        assert f"Page {n} of {len(pages)}" in text
    q = quote(deal.terms)
    assert all(f"{row.balance:,}" in text for row in q.schedule[:-1])
    assert "Year 5 subtotal" in text and "Total" in text


def test_two_renders_are_byte_identical():
    deal = make_deal()
    assert render_contract(deal, locale="zh_CN") == render_contract(deal, locale="zh_CN")


def test_render_is_unchanged_by_what_the_process_rendered_before():
    """Font subsets are cached per process: another deal in between changes nothing."""
    a, b = make_deal(), make_deal(buyer={**deal_json()["buyer"], "name": "欧阳震华"})
    first = render_contract(a, locale="zh_CN")
    render_contract(b, locale="en_US")
    assert render_contract(a, locale="zh_CN") == first


def test_render_is_byte_identical_across_processes():
    code = (
        "import sys,hashlib;from tests.contracts.factories import make_deal;"
        "from contracts.render import render_contract;"
        "print(hashlib.sha256(render_contract(make_deal(),locale='zh_CN')).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(digests) == 1


def test_a_different_deal_renders_different_bytes_and_document_id():
    a, b = make_deal(), make_deal(buyer={**deal_json()["buyer"], "name": "李娜"})
    assert a.resolved_id() != b.resolved_id()
    assert render_contract(a, locale="zh_CN") != render_contract(b, locale="zh_CN")


def test_cjk_and_latin_fonts_are_embedded_as_subsets():
    pdf = render_contract(make_deal(), locale="zh_CN")
    reader = PdfReader(io.BytesIO(pdf))
    embedded = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fd = desc.get("/FontDescriptor")
            if fd is not None and "/FontFile2" in fd.get_object():
                embedded[str(font["/BaseFont"])] = len(fd.get_object()["/FontFile2"].get_data())
    names = " ".join(embedded)
    assert "DroidSansFallback" in names and "DejaVuSans" in names
    assert all(size < 400_000 for size in embedded.values())  # subsets, not the 4 MB file
    assert "STSong" not in names  # never the non-embedded CID font


def test_buyer_id_number_is_masked():
    text = _text(render_contract(make_deal(), locale="zh_CN"))
    assert "110101199003071234" not in text
    assert "1101**********1234" in text


def test_record_carries_terms_and_disclosure_that_recheck_clean():
    deal = make_deal()
    rec = record.read(render_contract(deal, locale="zh_CN"))
    assert rec["document_id"] == deal.resolved_id()
    assert rec["disclosure"]["apr"] == str(quote(deal.terms).apr_percent)
    assert record.decode(type(deal.terms), rec["terms"]) == deal.terms
    assert record.recheck(rec) == []


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        pytest.param("en_US", "signed by an operator through the command line", id="en_US"),
        pytest.param("zh_CN", "由操作员通过命令行签署", id="zh_CN"),
    ],
)
def test_missing_consent_says_no_record_and_operator_signing_without_a_time(locale, says):
    text = " ".join(_text(render_contract(make_deal(consent=None), locale=locale)).split())
    assert says in text
    assert ("No electronic-consent record was supplied" if locale == "en_US" else "未提供") in text
    assert "UTC" not in text  # no made-up consent time
    assert record.read(render_contract(make_deal(consent=None), locale=locale))["consent"] is None


def test_consent_record_is_shown_when_present():
    text = " ".join(_text(render_contract(make_deal(), locale="en_US")).split())
    assert "Consented at" in text and "2026-11-30 09:30:00 UTC+08:00" in text
    assert "opened the sample PDF and confirmed" in text
    assert "operator through the command line" not in text


def test_unknown_locale_is_an_input_error():
    with pytest.raises(InputError) as err:
        render_contract(make_deal(), locale="fr_FR")
    assert err.value.field == "locale"


def test_pages_inherit_the_fonts_from_the_page_tree():
    from pyhanko.pdf_utils.reader import PdfFileReader

    pdf = render_contract(make_deal(), locale="zh_CN")
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    tree = reader.root["/Pages"]
    assert "/Font" in tree["/Resources"]
    for kid in tree["/Kids"]:
        assert "/Resources" not in kid.get_object()  # inherited (ISO 32000-1, 7.7.3.4)


def test_signature_section_keeps_its_heading_with_the_boxes():
    pdf = render_contract(make_deal(consent=None), locale="en_US")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    heading = next(i for i, text in enumerate(pages) if "Signatures" in text)
    assert "Buyer (borrower)" in pages[heading].split("Signatures", 1)[1]


def test_a_page_with_an_image_keeps_its_own_resources():
    from PIL import Image
    from pyhanko.pdf_utils.reader import PdfFileReader
    from reportlab.lib.utils import ImageReader

    from contracts.layout import Document

    doc = Document(header="h", footer_left="f", page_label=lambda x, y: f"{x}/{y}")
    doc.canvas.drawImage(ImageReader(Image.new("RGB", (4, 4), "red")), 50, 50, 20, 20)
    reader = PdfFileReader(io.BytesIO(doc.finish()), strict=False)
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    assert "/XObject" in page["/Resources"] and "/Font" in page["/Resources"]


def _flat_rate_terms() -> dict:
    terms = dict(deal_json()["terms"])
    terms.pop("annual_rate")
    return {**terms, "flat_rate": {"rate": "3.50", "per": "year"}}


@pytest.mark.parametrize(
    ("locale", "column", "payoff"),
    [("zh_CN", "剩余融资金额", "应付金额为剩余融资金额"),
     ("en_US", "Financed balance", "the payoff is the outstanding amount financed")],
)  # fmt: skip
def test_a_schedule_on_the_amount_financed_names_its_balance_so(locale, column, payoff):
    """A flat-rate quote with withheld fees counts down the amount financed, not the larger
    贷款本金: the schedule's column and the payoff clause say so; a loan's say principal."""
    flat = make_deal(terms=_flat_rate_terms())
    assert quote(flat.terms).balance_on_amount_financed
    text = " ".join(_text(render_contract(flat, locale=locale)).split())
    assert column in text and payoff in text
    assert ("偿还融资金额" if locale == "zh_CN" else "Amount financed repaid") in text
    assert "应付金额为剩余本金" not in text and "outstanding principal" not in text
    loan = " ".join(_text(render_contract(make_deal(), locale=locale)).split())
    assert "剩余融资金额" not in loan and "Financed balance" not in loan
    assert "应付金额为剩余本金" in loan and "the outstanding principal" in loan
