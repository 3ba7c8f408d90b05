"""Offline verification of a signed contract: signatures, coverage, trust and the figures."""

from __future__ import annotations

import asyncio
import binascii
from dataclasses import asdict, dataclass, field
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from contracts import record as rec
from contracts import speedups
from contracts.revisions import SIGNING_ONLY
from contracts.signing import FIELD_PREFIX
from domain.errors import InputError

speedups.install()

# Later revisions may only add signatures (form filling) or validation data.
_ALLOWED_LATER_CHANGES = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)


@dataclass(frozen=True)
class SignerResult:
    name: str
    role: str
    signed_at: str | None
    intact: bool
    trusted: bool
    covers: str  # "entire_file" | "entire_revision" | "partial"


@dataclass(frozen=True)
class Verification:
    valid: bool
    document_id: str | None
    signers: list[SignerResult]
    disclosure: dict[str, str] | None
    disclosure_matches_engine: bool
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verify_contract(
    pdf: bytes,
    *,
    trust_roots: tuple[asn1_x509.Certificate, ...] | list,
    refuse_unreadable: bool = False,
) -> Verification:
    """Check every signature of ``pdf`` against ``trust_roots`` without any network access.

    Valid means: at least one signature; every signature intact, cryptographically valid and
    chaining to a trusted root; the last one covering the entire file and earlier ones followed
    only by signature or validation-data updates; and the disclosed figures equal to what the
    loan engine computes from the embedded terms. Never raises on a damaged file: it is
    reported invalid with the reason — except, with ``refuse_unreadable``, bytes that are not
    a readable PDF at all (text, an empty or a truncated file), which raise InputError (rule
    ``not_a_pdf``): bad input, not a contract that fails to verify.
    """
    problems: list[str] = []
    try:
        reader = rec.open_pdf(pdf)  # one parse: the record and every signature come from it
        record = rec.read_record(reader)
    except InputError as exc:
        if refuse_unreadable and exc.rule == "not_a_pdf":
            raise
        return Verification(False, None, [], None, False, [str(exc)])
    mismatches = rec.recheck(record)
    problems += [
        f"disclosure.{m['field']}: document states {m['stated']}, engine gives {m['engine']}"
        for m in mismatches
    ]
    results: list[SignerResult] = []
    try:
        sigs = list(reader.embedded_signatures)
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
        statuses = asyncio.run(_validate_all(sigs, context)) if sigs else []
        for i, (sig, status) in enumerate(zip(sigs, statuses, strict=True)):
            last = i == len(sigs) - 1
            covers = _coverage(status.coverage)
            role = sig.field_name.removeprefix(FIELD_PREFIX)
            ok_cover = (
                (covers == "entire_file")
                if last
                else (
                    covers == "entire_revision"
                    and status.modification_level in _ALLOWED_LATER_CHANGES
                )
            )
            name = (
                str(sig.sig_object.get("/Name", "")) or status.signing_cert.subject.human_friendly
            )
            results.append(
                SignerResult(
                    name=name,
                    role=role,
                    signed_at=status.signer_reported_dt.isoformat()
                    if status.signer_reported_dt
                    else None,
                    intact=bool(status.intact and status.valid),
                    trusted=bool(status.trusted),
                    covers=covers,
                )
            )
            if not (status.intact and status.valid):
                problems.append(f"{role}: signature does not match the signed content")
            elif not status.trusted:
                problems.append(f"{role}: certificate does not chain to a trusted root")
            if not ok_cover:
                problems.append(f"{role}: the document was changed after this signature")
            if not _contents_are_canonical(pdf, sig):
                problems.append(f"{role}: the signature container was altered")
            if not status.bottom_line and status.intact and status.valid and status.trusted:
                problems.append(f"{role}: {status.summary()}")
    except Exception as exc:  # a damaged file of untrusted bytes is invalid, not a crash
        problems.append(f"cannot validate signatures: {type(exc).__name__}: {exc}")
    if not results and not any(p.startswith("cannot validate") for p in problems):
        problems.append("the document is not signed")
    return Verification(
        valid=not problems and bool(results),
        document_id=record.get("document_id"),
        signers=results,
        disclosure={
            k: record["disclosure"][k]
            for k in ("apr", "amount_financed", "finance_charge", "total_of_payments")
            if k in record.get("disclosure", {})
        },
        disclosure_matches_engine=not mismatches,
        problems=problems,
    )


async def _validate_all(sigs: list, context: ValidationContext) -> list:
    """Every signature in one event loop (pyHanko's synchronous call starts one per signature);
    one after the other, as they share the reader and the validation context's caches."""
    return [
        await async_validate_pdf_signature(sig, context, diff_policy=SIGNING_ONLY) for sig in sigs
    ]


def _contents_are_canonical(pdf: bytes, sig) -> bool:
    """The one part of the file no signature covers is the hex /Contents hole itself. The CMS
    inside is checked cryptographically, but its zero padding and the hex spelling are not:
    require exactly what pyHanko writes (upper-case hex, zeros after the DER object), so that
    every byte of a valid file is pinned down."""
    _, len1, start2, _ = (int(v) for v in sig.byte_range)
    content = sig.pkcs7_content
    if pdf[len1:start2] != b"<" + binascii.hexlify(content).upper() + b">":
        return False
    if len(content) < 2:
        return False
    first = content[1]
    if first < 0x80:
        end = 2 + first
    else:
        n = first & 0x7F
        end = 2 + n + int.from_bytes(content[2 : 2 + n], "big")
    return not any(content[end:])


def _coverage(level: SignatureCoverageLevel | None) -> str:
    if level == SignatureCoverageLevel.ENTIRE_FILE:
        return "entire_file"
    if level == SignatureCoverageLevel.ENTIRE_REVISION:
        return "entire_revision"
    return "partial"
