from __future__ import annotations

import dataclasses
import io
import os
import stat
from decimal import Decimal

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from contracts import record
from contracts.pki import demo_pki, key_dir_pki
from contracts.render import render_contract, render_with_quote
from contracts.signing import sign_contract, signed_roles
from contracts.verification import verify_contract
from domain.errors import InputError
from domain.loans import quote
from tests.contracts.factories import make_deal, make_key_dir


def _signed(pki, *, roles=("buyer", "lender"), deal=None) -> bytes:
    pdf = render_contract(deal or make_deal(), locale="zh_CN")
    for role in roles:
        pdf = sign_contract(pdf, role=role, signer=pki.signer(role), signer_name=role).pdf
    return pdf


@pytest.fixture(scope="module")
def signed(pki) -> bytes:
    return _signed(pki)


def test_sign_buyer_then_lender_verifies_valid(pki, signed):
    result = verify_contract(signed, trust_roots=pki.trust_roots)
    assert result.valid, result.problems
    assert [s.role for s in result.signers] == ["buyer", "lender"]
    assert all(s.intact and s.trusted for s in result.signers)
    assert result.signers[-1].covers == "entire_file"
    q = quote(make_deal().terms)
    assert result.disclosure == {
        "apr": str(q.apr_percent),
        "amount_financed": str(q.amount_financed),
        "finance_charge": str(q.finance_charge),
        "total_of_payments": str(q.total_of_payments),
    }
    assert result.disclosure_matches_engine


def test_signing_returns_the_sha256_of_the_signed_bytes(pki):
    import hashlib

    out = sign_contract(
        render_contract(make_deal(), locale="en_US"),
        role="buyer",
        signer=pki.signer("buyer"),
        signer_name="x",
    )
    assert out.sha256 == hashlib.sha256(out.pdf).hexdigest()


def test_only_the_buyer_signed_is_valid_for_what_is_signed(pki):
    pdf = _signed(pki, roles=("buyer",))
    result = verify_contract(pdf, trust_roots=pki.trust_roots)
    assert result.valid and [s.role for s in result.signers] == ["buyer"]


@pytest.mark.parametrize(
    "where", [pytest.param(f, id=f"at-{f:.2f}-of-file") for f in (0.01, 0.2, 0.5, 0.75, 0.9, 0.999)]
)
def test_any_changed_byte_after_signing_is_invalid(pki, signed, where):
    data = bytearray(signed)
    i = int(len(data) * where)
    data[i] = (data[i] + 1) % 256
    result = verify_contract(bytes(data), trust_roots=pki.trust_roots)
    assert not result.valid
    assert result.problems


def test_changed_bytes_across_the_file_and_inside_the_signature_hole_are_invalid(pki, signed):
    """Spread over the whole file, plus the last signature's hex /Contents (the CMS and its
    zero padding, which no byte range covers): not one change may pass."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    last = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures[-1]
    _, len1, start2, _ = (int(v) for v in last.byte_range)
    positions = list(range(0, len(signed), len(signed) // 25))
    positions += [*range(len1 + 1, start2 - 1, (start2 - len1) // 12), start2 - 2]
    passed = []
    for i in positions:
        for change in (lambda b: b ^ 0x01, lambda b: ord("1") if b == ord("0") else b ^ 0x01):
            data = bytearray(signed)
            data[i] = change(data[i])
            if verify_contract(bytes(data), trust_roots=pki.trust_roots).valid:
                passed.append(i)
    assert passed == []


def test_lower_case_hex_in_the_signature_hole_is_invalid(pki, signed):
    from pyhanko.pdf_utils.reader import PdfFileReader

    last = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures[-1]
    _, len1, start2, _ = (int(v) for v in last.byte_range)
    hole = signed[len1:start2]
    at = next(k for k, ch in enumerate(hole) if chr(ch) in "ABCDEF")
    data = bytearray(signed)
    data[len1 + at] = ord(chr(hole[at]).lower())
    assert not verify_contract(bytes(data), trust_roots=pki.trust_roots).valid


def test_untrusted_root_is_invalid(pki, signed, tmp_path):
    other = demo_pki(tmp_path)
    result = verify_contract(signed, trust_roots=other.trust_roots)
    assert not result.valid
    assert not any(s.trusted for s in result.signers)
    assert all(s.intact for s in result.signers)  # the content is fine; the trust is not


def test_a_later_revision_that_rewrites_the_record_is_invalid(pki, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    rec = record.read(signed)
    rec["disclosure"]["apr"] = "1.00"
    import json

    writer.root["/" + record.CATALOG_KEY] = generic.TextStringObject(json.dumps(rec))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify_contract(out.getvalue(), trust_roots=pki.trust_roots)
    assert not result.valid


def test_signing_refuses_a_document_whose_figures_differ_from_the_engine(pki):
    deal = make_deal()
    q = quote(deal.terms)
    doctored = dataclasses.replace(q, apr=q.apr - Decimal("0.005"))  # 0.5 pp lower
    pdf = render_with_quote(deal, doctored, locale="zh_CN")
    with pytest.raises(InputError) as err:
        sign_contract(pdf, role="buyer", signer=pki.signer("buyer"), signer_name="x")
    assert err.value.rule == "disclosure_mismatch"
    assert err.value.field == "disclosure.apr"


def test_signing_accepts_an_apr_within_an_eighth_of_a_point(pki):
    deal = make_deal()
    q = quote(deal.terms)
    close = dataclasses.replace(q, apr=q.apr - Decimal("0.001"))  # 0.1 pp
    pdf = render_with_quote(deal, close, locale="zh_CN")
    assert sign_contract(pdf, role="buyer", signer=pki.signer("buyer"), signer_name="x").pdf


def test_signing_refuses_a_changed_amount_even_by_a_cent(pki):
    deal = make_deal()
    q = quote(deal.terms)
    off = dataclasses.replace(q, finance_charge=q.finance_charge - Decimal("0.01"))
    pdf = render_with_quote(deal, off, locale="zh_CN")
    with pytest.raises(InputError, match="finance_charge"):
        sign_contract(pdf, role="buyer", signer=pki.signer("buyer"), signer_name="x")


@pytest.mark.parametrize(
    ("already", "role"),
    [
        pytest.param((), "lender", id="lender-before-buyer"),
        pytest.param(("buyer",), "buyer", id="buyer-twice"),
        pytest.param(("buyer", "lender"), "lender", id="after-both"),
    ],
)
def test_signing_out_of_order_is_refused(pki, already, role):
    pdf = _signed(pki, roles=already)
    with pytest.raises(InputError) as err:
        sign_contract(pdf, role=role, signer=pki.signer(role), signer_name="x")
    assert err.value.rule == "signing_order"


def test_a_contract_without_consent_is_signed_and_its_signature_says_operator(pki):
    pdf = _signed(pki, deal=make_deal(consent=None))
    result = verify_contract(pdf, trust_roots=pki.trust_roots)
    assert result.valid, result.problems
    reasons = [str(sig.sig_object["/Reason"]) for sig in record.open_pdf(pdf).embedded_signatures]
    assert all("operator, command line; no consent record" in r for r in reasons)


def test_a_deployments_key_dir_signs_and_verifies_with_its_own_root(tmp_path, pki):
    """RSA-2048 leaves under an intermediate CA: not the demo's keys, sizes or chain."""
    deployment = key_dir_pki(make_key_dir(tmp_path / "keys"))
    pdf = _signed(deployment)
    result = verify_contract(pdf, trust_roots=deployment.trust_roots)
    assert result.valid, result.problems
    assert not verify_contract(pdf, trust_roots=pki.trust_roots).valid


@pytest.mark.parametrize(
    ("missing", "rule"),
    [
        pytest.param("lender.key.pem", "missing_file", id="no-lender-key"),
        pytest.param("root-ca.pem", "missing_file", id="no-root"),
    ],
)
def test_key_dir_with_a_missing_file_names_it(tmp_path, missing, rule):
    keys = make_key_dir(tmp_path / "keys", rsa=False)
    (keys / missing).unlink()
    with pytest.raises(InputError) as err:
        key_dir_pki(keys)
    assert (err.value.field, err.value.rule) == ("signing_key_dir", rule)
    assert missing in str(err.value)


def test_key_dir_with_a_garbage_key_is_an_input_error(tmp_path):
    keys = make_key_dir(tmp_path / "keys", rsa=False)
    (keys / "buyer.key.pem").write_text("not a key")
    with pytest.raises(InputError) as err:
        key_dir_pki(keys)
    assert (err.value.field, err.value.rule) == ("signing_key_dir", "unreadable")


def test_reserved_space_fits_the_signature_tightly(pki):
    pdf = _signed(pki, roles=("buyer",))
    sig = record.open_pdf(pdf).embedded_signatures[0]
    der = len(sig.pkcs7_content.rstrip(b"\0"))
    assert der <= len(sig.pkcs7_content) <= der + 256


def test_too_small_a_reservation_falls_back_to_pyhankos_estimate(pki, monkeypatch):
    import contracts.signing as signing

    monkeypatch.setattr(signing, "_CMS_FIXED", -400)  # far too small: pyHanko refuses it
    pdf = _signed(pki)
    assert verify_contract(pdf, trust_roots=pki.trust_roots).valid


def test_a_later_revision_that_replaces_the_record_stream_is_invalid(pki, signed):
    import json

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    ref = writer.root.raw_get("/" + record.CATALOG_KEY)
    rec = record.read(signed)
    rec["disclosure"]["apr"] = "1.00"
    stream = generic.StreamObject(stream_data=json.dumps(rec).encode())
    writer.objects[(ref.generation, ref.idnum)] = stream  # a new version of the same object
    out = io.BytesIO()
    writer.write(out)
    tampered = out.getvalue()
    assert record.read(tampered)["disclosure"]["apr"] == "1.00"  # the override took effect
    assert not verify_contract(tampered, trust_roots=pki.trust_roots).valid


def test_a_record_kept_as_a_catalogue_string_is_still_read():
    import json

    pdf = render_contract(make_deal(), locale="zh_CN")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    rec = record.read(pdf)
    writer.root["/" + record.CATALOG_KEY] = generic.TextStringObject(json.dumps(rec))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert record.read(out.getvalue()) == rec


def test_signing_something_that_is_not_a_contract_is_refused(pki):
    with pytest.raises(InputError) as err:
        sign_contract(
            b"%PDF-1.4 nonsense", role="buyer", signer=pki.signer("buyer"), signer_name="x"
        )
    assert err.value.field == "file"


def test_verify_reports_garbage_as_invalid_without_raising(pki):
    result = verify_contract(b"not a pdf at all", trust_roots=pki.trust_roots)
    assert not result.valid and result.problems


def test_unsigned_contract_is_not_valid(pki):
    result = verify_contract(
        render_contract(make_deal(), locale="zh_CN"), trust_roots=pki.trust_roots
    )
    assert not result.valid
    assert "not signed" in " ".join(result.problems)


def test_signed_roles_lists_signers_in_order(signed):
    assert signed_roles(signed) == ["buyer", "lender"]


def test_demo_pki_is_owner_only_and_reused(tmp_path):
    first = demo_pki(tmp_path)
    directory = tmp_path / "pki"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for key in directory.glob("*.key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    second = demo_pki(tmp_path)
    assert first.trust_roots[0].dump() == second.trust_roots[0].dump()
    assert os.listdir(tmp_path) == ["pki"]  # no staging directory left behind
