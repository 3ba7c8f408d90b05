"""What a revision after the buyer's signature may do, and the fast check that recognises a mere
signature: every attack must fail verification, and the fast path must leave it to pyHanko."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY

from app.cli import main
from contracts import record
from contracts.render import render_contract
from contracts.revisions import _mentions, signature_only_fields
from contracts.signing import FIELD_PREFIX, sign_contract
from contracts.verification import verify_contract
from domain.loans import LoanTerms, quote
from tests.contracts.factories import make_deal

CHANGED = "buyer: the document was changed after this signature"


@pytest.fixture(scope="module")
def by_buyer(pki) -> bytes:
    pdf = render_contract(make_deal(), locale="zh_CN")
    return sign_contract(pdf, role="buyer", signer=pki.signer("buyer"), signer_name="buyer").pdf


@pytest.fixture
def a_year_later(monkeypatch):
    """pyHanko dates /Info and the XMP metadata with "now" when it signs; the lender signing in
    the same second as the buyer would leave both unchanged, so move the lender's "now"."""
    from pyhanko.pdf_utils.metadata import info, xmp_xml

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2027, 12, 1, 9, 30, tzinfo=tz)

    for module in (info, xmp_xml):
        monkeypatch.setattr(module, "datetime", Later)


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf), strict=False)


def _buyer_revision(pdf: bytes) -> int:
    return _reader(pdf).embedded_signatures[0].signed_revision


# -- tampering, written through pyHanko's incremental writer --------------------------------
def _cover_a_figure(writer: IncrementalPdfFileWriter) -> None:
    """Page 1 gets a white box drawn over part of it: a new version of its content stream."""
    page = writer.root["/Pages"]["/Kids"][0]
    ref = page.raw_get("/Contents").reference
    data = page["/Contents"].data + b"\nq 1 1 1 rg 60 400 300 60 re f Q\n"
    writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(stream_data=data)


def _restate_the_loan(writer: IncrementalPdfFileWriter) -> None:
    """The record says 3.90% instead of the signed rate, with every figure recomputed to agree,
    so the loan engine finds nothing wrong with it: a new version of the record stream."""
    ref = writer.root.raw_get("/" + record.CATALOG_KEY).reference
    rec = json.loads(writer.root["/" + record.CATALOG_KEY].data)
    rec["terms"]["annual_rate"] = "3.90"
    rec["disclosure"] = record.disclosure_of(quote(record.decode(LoanTerms, rec["terms"])))
    text = json.dumps(rec, ensure_ascii=False).encode()
    writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(stream_data=text)


def _add_a_page(writer: IncrementalPdfFileWriter) -> None:
    content = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 595, 842)]
            ),
            generic.NameObject("/Contents"): content,
        }
    )
    writer.insert_page(page)


def _annotate(writer: IncrementalPdfFileWriter) -> None:
    """A free-text note on page 1, beside the lender's signature field."""
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0).reference
    page = writer.get_object(page_ref)
    note = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (60, 400, 360, 460)]
                ),
                generic.NameObject("/Contents"): generic.TextStringObject("rate 3.90%"),
                generic.NameObject("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
            }
        )
    )
    annots = page.get("/Annots", generic.ArrayObject())
    page[generic.NameObject("/Annots")] = generic.ArrayObject([*annots, note])
    writer.update_container(page)


ATTACKS = {
    "page-content-changed": _cover_a_figure,
    "disclosure-record-restated": _restate_the_loan,
    "page-added": _add_a_page,
    "annotation-added": _annotate,
}


def _lender_signs(writer: IncrementalPdfFileWriter, pki) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_PREFIX + "lender",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name="lender",
    )
    return signers.sign_pdf(writer, meta, signer=pki.signer("lender")).getvalue()


def _tampered(by_buyer: bytes, pki, attack: str, *, same_revision: bool) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(by_buyer), strict=False)
    ATTACKS[attack](writer)
    if same_revision:  # the change rides in the lender's own signing revision
        return _lender_signs(writer, pki)
    out = io.BytesIO()
    writer.write(out)
    writer = IncrementalPdfFileWriter(io.BytesIO(out.getvalue()), strict=False)
    return _lender_signs(writer, pki)


# -- the honest case ------------------------------------------------------------------------
def _metadata_changed(pdf: bytes, base: int) -> bool:
    """/Info's /ModDate and the XMP stream differ between ``base`` and the next revision."""
    seen = []
    for revision in (base, base + 1):
        at = _reader(pdf).get_historical_resolver(revision)
        info = at(at.trailer_view.raw_get("/Info").reference)
        xmp = at(at.root.raw_get("/Metadata").reference)
        seen.append((info["/ModDate"], xmp.data))
    return seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


def test_the_lenders_signature_is_recognised_as_what_pyhanko_finds(pki, by_buyer, a_year_later):
    both = sign_contract(by_buyer, role="lender", signer=pki.signer("lender"), signer_name="l").pdf
    base = _buyer_revision(both)
    assert _metadata_changed(both, base)
    fast = signature_only_fields(_reader(both), base)
    full = DEFAULT_DIFF_POLICY.review_file(_reader(both), base)
    assert fast == full.changed_form_fields == {FIELD_PREFIX + "lender"}
    assert verify_contract(both, trust_roots=pki.trust_roots).valid


def test_pyhankos_own_signing_revision_is_recognised(pki, by_buyer, a_year_later):
    writer = IncrementalPdfFileWriter(io.BytesIO(by_buyer), strict=False)
    both = _lender_signs(writer, pki)
    assert _metadata_changed(both, _buyer_revision(both))
    assert signature_only_fields(_reader(both), _buyer_revision(both)) == {"Signature_lender"}


def test_an_honest_contract_is_verified_without_pyhankos_full_analysis(pki, by_buyer, monkeypatch):
    both = sign_contract(by_buyer, role="lender", signer=pki.signer("lender"), signer_name="l").pdf

    def full_analysis(*args, **kwargs):
        raise AssertionError("the fast check should have answered")

    monkeypatch.setattr(DEFAULT_DIFF_POLICY, "review_file", full_analysis)
    assert verify_contract(both, trust_roots=pki.trust_roots).valid


# -- the attacks ----------------------------------------------------------------------------
@pytest.mark.parametrize("same_revision", [True, False], ids=["in-signing-revision", "before"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_change_after_the_buyer_signed_fails_verification(pki, by_buyer, attack, same_revision):
    pdf = _tampered(by_buyer, pki, attack, same_revision=same_revision)
    assert signature_only_fields(_reader(pdf), _buyer_revision(pdf)) is None
    result = verify_contract(pdf, trust_roots=pki.trust_roots)
    assert not result.valid
    assert CHANGED in result.problems
    lender = result.signers[-1]
    assert lender.intact and lender.trusted and lender.covers == "entire_file"


def test_the_restated_record_is_what_a_reader_would_see(pki, by_buyer):
    """The attack is real: the tampered file's record shows the other rate, and its figures
    agree with the loan engine, so only the revision check stands in the way."""
    pdf = _tampered(by_buyer, pki, "disclosure-record-restated", same_revision=True)
    rec = record.read(pdf)
    assert rec["terms"]["annual_rate"] == "3.90"
    assert record.recheck(rec) == []
    assert verify_contract(pdf, trust_roots=pki.trust_roots).disclosure_matches_engine


def test_a_tampered_contract_exits_1_from_the_command_line(
    pki, by_buyer, tmp_path, monkeypatch, capsys
):
    pdf = _tampered(by_buyer, pki, "page-content-changed", same_revision=True)
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    root = tmp_path / "root.pem"
    root.write_bytes(pki.trust_roots[0].dump())
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path / "data"))
    assert main(["contract", "verify", str(path), "--trust", str(root)]) == 1
    assert CHANGED in json.loads(capsys.readouterr().out)["problems"]


def test_what_the_fast_check_does_not_know_is_left_to_pyhanko(pki, by_buyer):
    """A new document title in /Info is outside the fast check; pyHanko allows /Info updates,
    and the verdict stays pyHanko's."""
    writer = IncrementalPdfFileWriter(io.BytesIO(by_buyer), strict=False)
    info = writer.trailer["/Info"]
    info[generic.NameObject("/Title")] = generic.TextStringObject("another title")
    writer.update_container(info)
    pdf = _lender_signs(writer, pki)
    assert signature_only_fields(_reader(pdf), _buyer_revision(pdf)) is None
    full = DEFAULT_DIFF_POLICY.review_file(_reader(pdf), _buyer_revision(pdf))
    result = verify_contract(pdf, trust_roots=pki.trust_roots)
    assert result.valid == (full.modification_level.value <= 2), result.problems


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (b"/Annots [12 0 R]", True),
        (b"/P 012\n0\rR>>", True),
        (b"[112 0 R 120 0 R]", False),
        (b"/V 12 1 R", False),
        (b"12 0 obj", False),
    ],
)
def test_a_reference_in_the_signed_bytes_is_found_however_it_is_spelled(text, found):
    assert _mentions(text, len(text), generic.Reference(12, 0)) is found
