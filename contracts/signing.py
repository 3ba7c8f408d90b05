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
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError

from contracts import record as rec
from contracts import speedups
from contracts.pki import ROLES
from domain.errors import InputError

speedups.install()

FIELD_PREFIX = "Signature_"


@dataclass(frozen=True)
class SignedContract:
    pdf: bytes
    sha256: str  # hex digest of ``pdf``: the audit-log entry


def signed_roles(pdf: bytes) -> list[str]:
    """Roles that have signed so far, in signing order."""
    return _roles(rec.open_pdf(pdf))


def sign_contract(
    pdf: bytes,
    *,
    role: str,
    signer: signers.Signer,
    signer_name: str,
    timestamp_url: str | None = None,
) -> SignedContract:
    """Add ``role``'s PAdES signature to ``pdf``.

    Refuses (InputError) when the document is not a Chedai contract, its disclosed figures
    differ from the loan engine's, or the role signs out of order (buyer, then lender) or
    twice. A contract without a consent record is signed: its consent section says so (see
    :mod:`contracts.render`). With ``timestamp_url`` an RFC 3161 timestamp from that server is
    embedded (PAdES B-T); without it the signing time is the signer's claim (B-B).
    """
    if role not in ROLES:
        raise InputError(
            "role", "one_of", "must be one of {choices}", {"choices": ", ".join(ROLES)}
        )
    reader = rec.open_pdf(pdf)  # parsed once: record, signatures and the incremental writer
    record = rec.read_record(reader)
    problems = rec.recheck(record)
    if problems:
        first = problems[0]
        raise InputError(
            f"disclosure.{first['field']}",
            "disclosure_mismatch",
            "the document states {stated} but the loan engine gives {engine}; refusing to sign",
            {"stated": first["stated"], "engine": first["engine"]},
        )
    done = _roles(reader)
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
        reason=f"{role} signs contract {record['document_id']}"
        + ("" if record.get("consent") else " (operator, command line; no consent record)"),
    )
    # Reserving the space up front skips pyHanko's dry-run signature; keeping it tight matters
    # too, as verifiers parse the hex /Contents in pure Python, once per revision they read.
    # An estimate that proves short falls back to pyHanko's own.
    reserved = 16384 if timestamper else reserve_for(signer)
    try:
        try:
            out = signers.sign_pdf(
                IncrementalPdfFileWriter.from_reader(reader),
                meta,
                signer=signer,
                timestamper=timestamper,
                bytes_reserved=reserved,
            )
        except SigningError:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper)
    except TimestampRequestError as exc:
        raise InputError(
            "tsa_url",
            "timestamp_failed",
            "the timestamp server {url} gave no timestamp: {error}",
            {"url": timestamp_url, "error": " ".join(str(exc).split()) or type(exc).__name__},
        ) from None
    data = out.getvalue()
    return SignedContract(pdf=data, sha256=hashlib.sha256(data).hexdigest())


#: A PAdES CMS container without a timestamp, less its certificates, the signing certificate's
#: issuer name and serial (in the ESS signing-certificate attribute) and the signature value:
#: about 350 bytes of fixed structure and signed attributes; the rest is margin.
_CMS_FIXED = 448


def reserve_for(signer: signers.Signer) -> int:
    """Hex digits to reserve for ``signer``'s signature container (no timestamp): twice the
    DER size of what it embeds, from its certificates and its key size."""
    cert = signer.signing_cert
    if cert is None:
        return 16384
    certs = [cert]
    embed_roots = getattr(signer, "embed_roots", True)
    certs += [c for c in signer.cert_registry or () if embed_roots or c.self_signed == "no"]
    key_bytes = (cert.public_key.bit_size + 7) // 8
    signature = 2 * key_bytes + 9  # an ECDSA (r, s) in DER; more than an RSA value needs
    tbs = cert["tbs_certificate"]
    der = (
        sum(len(c.dump()) for c in {c.dump(): c for c in certs}.values())
        + len(tbs["issuer"].dump())
        + len(tbs["serial_number"].dump())
        + signature
        + _CMS_FIXED
    )
    return 2 * der


def _roles(reader) -> list[str]:
    return [_role(sig.field_name) for sig in reader.embedded_signatures]


def _role(field_name: str) -> str:
    return field_name.removeprefix(FIELD_PREFIX) if field_name.startswith(FIELD_PREFIX) else "?"
