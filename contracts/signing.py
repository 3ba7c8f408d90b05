"""PAdES signing of a contract: buyer first, then the lender, as incremental updates.

Before each signature the figures recorded in the document are recomputed with the loan
engine; a document whose disclosure disagrees is refused. The caller stores the returned
SHA-256 in the audit log.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError

from contracts import record as rec
from contracts.pki import ROLES
from domain.errors import InputError

FIELD_PREFIX = "Signature_"


@dataclass(frozen=True)
class SignedContract:
    pdf: bytes
    sha256: str  # hex digest of ``pdf``: the audit-log entry


def signed_roles(pdf: bytes) -> list[str]:
    """Roles that have signed so far, in signing order."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return [_role(sig.field_name) for sig in reader.embedded_signatures]


def sign_contract(
    pdf: bytes,
    *,
    role: str,
    signer: signers.Signer,
    signer_name: str,
    timestamp_url: str | None = None,
) -> SignedContract:
    """Add ``role``'s PAdES signature to ``pdf``.

    Refuses (InputError) when the document is not a Chedai contract, its consent record is
    missing, its disclosed figures differ from the loan engine's, or the role signs out of
    order (buyer, then lender) or twice. With ``timestamp_url`` an RFC 3161 timestamp from that
    server is embedded (PAdES B-T); without it the signing time is the signer's claim (B-B).
    """
    if role not in ROLES:
        raise InputError(
            "role", "one_of", "must be one of {choices}", {"choices": ", ".join(ROLES)}
        )
    record = rec.read(pdf)
    problems = rec.recheck(record)
    if problems:
        first = problems[0]
        raise InputError(
            f"disclosure.{first['field']}",
            "disclosure_mismatch",
            "the document states {stated} but the loan engine gives {engine}; refusing to sign",
            {"stated": first["stated"], "engine": first["engine"]},
        )
    if not record.get("consent"):
        raise InputError("consent", "required", "is required before signing")
    done = signed_roles(pdf)
    expected = list(ROLES[: len(done)])
    if done != expected or len(done) >= len(ROLES) or ROLES[len(done)] != role:
        raise InputError(
            "role",
            "signing_order",
            "cannot sign now: signed so far {done}; the order is {order}",
            {"done": ", ".join(done) or "none", "order": ", ".join(ROLES)},
        )
    timestamper = None
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(timestamp_url)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_PREFIX + role,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name,
        reason=f"{role} signs contract {record['document_id']}",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # Reserving the space up front skips pyHanko's dry-run signature (about 40% of the time);
    # keeping it small matters too, as verifiers parse the hex /Contents in pure Python. A
    # P-256 signature with two certificates needs about 1.5 KB; a larger chain or key falls
    # back to pyHanko's own estimate.
    reserved = 16384 if timestamper else 4096
    try:
        out = signers.sign_pdf(
            writer, meta, signer=signer, timestamper=timestamper, bytes_reserved=reserved
        )
    except SigningError:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper)
    data = out.getvalue()
    return SignedContract(pdf=data, sha256=hashlib.sha256(data).hexdigest())


def _role(field_name: str) -> str:
    return field_name.removeprefix(FIELD_PREFIX) if field_name.startswith(FIELD_PREFIX) else "?"
