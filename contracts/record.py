"""The machine-readable record a contract PDF carries about itself.

The record (document id, content digest, the loan terms and the disclosed figures) is UTF-8
JSON in a compressed stream that the document catalogue names under ``/ChedaiContract`` (files
from before kept it as a string in the catalogue itself; both are read). Every signature covers
the catalogue and the stream (a later revision that changed either fails the modification
check), so a verifier can read the record back, recompute the figures with the loan engine from
the embedded terms, and be sure the record is the one the signers saw. A stream, because PDF
readers take a stream's bytes as they are but parse a string character by character, and a
verifier reads the catalogue once per revision it compares.
"""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from domain.errors import InputError

CATALOG_KEY = "ChedaiContract"
VERSION = 1
#: Disclosed APR must be within 1/8 percentage point of the engine's (Reg Z, regular loans).
APR_TOLERANCE = Decimal("0.125")


# -- a generic, reversible JSON form for the engine's frozen dataclasses --------------------
def encode(value: Any) -> Any:
    """Dataclasses, Decimal, dates, enums and tuples to JSON-able values (exact, no float)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(cls: Any, data: Any) -> Any:
    """The inverse of :func:`encode` for a value of type ``cls``."""
    if data is None:
        return None
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(cls) if a is not type(None)]
        return decode(options[0], data)
    if origin in (tuple, list):
        args = typing.get_args(cls)
        return origin(decode(args[0], v) for v in data)
    if dataclasses.is_dataclass(cls):
        hints = _type_hints(cls)
        kwargs = {
            f.name: decode(hints[f.name], data[f.name])
            for f in dataclasses.fields(cls)
            if f.name in data
        }
        return cls(**kwargs)
    if cls is Decimal:
        return Decimal(data)
    if cls is datetime:
        return datetime.fromisoformat(data)
    if cls is date:
        return date.fromisoformat(data)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        return cls(data)
    return data


@cache
def _type_hints(cls: type) -> dict[str, Any]:
    # resolving string annotations compiles each one: once per class per process, not per call
    return typing.get_type_hints(cls)


# -- the record ----------------------------------------------------------------------------
def disclosure_of(q: Any) -> dict[str, str]:
    """The disclosed figures of a quote as stated in the document (APR rounded for display)."""
    return {
        "apr": str(q.apr_percent),
        "finance_charge": str(q.finance_charge),
        "amount_financed": str(q.amount_financed),
        "total_of_payments": str(q.total_of_payments),
        "total_sale_price": str(q.total_sale_price),
        "payment": str(q.payment),
        "count": str(len(q.schedule)),
    }


def embed(canvas: Any, record: dict[str, Any]) -> None:
    """Put ``record`` into the catalogue of the reportlab ``canvas`` being drawn."""
    from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress

    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    stream = PDFStream(content=text.encode("utf-8"), filters=[PDFZCompress])
    doc = canvas._doc
    catalog = doc.Catalog
    # reportlab writes only the catalogue keys it knows; extend the list for this document.
    # (pyHanko rewrites /Metadata when it signs, so XMP cannot carry the record.)
    catalog.__NoDefault__ = [*type(catalog).__NoDefault__, CATALOG_KEY]
    setattr(catalog, CATALOG_KEY, doc.Reference(stream, "ChedaiContractRecord"))


def open_pdf(pdf: bytes) -> Any:
    """A pyHanko reader over ``pdf``; InputError when the bytes are not a readable PDF. Read
    the record with :func:`read_record` and the signatures from the same reader."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except Exception:  # any parse failure of untrusted bytes means "not readable"
        raise InputError("file", "not_a_pdf", "is not a readable PDF") from None


def read(pdf: bytes) -> dict[str, Any]:
    """The record of a contract PDF; InputError when the file is not a Chedai contract."""
    return read_record(open_pdf(pdf))


def read_record(reader: Any) -> dict[str, Any]:
    """The record of the contract open in the pyHanko ``reader`` (see :func:`read`)."""
    from pyhanko.pdf_utils.generic import StreamObject

    try:
        raw = reader.root.get("/" + CATALOG_KEY)
        raw = None if raw is None else raw.get_object()
        if raw is None:
            text = None
        elif isinstance(raw, StreamObject):
            text = raw.data.decode("utf-8")
        else:
            text = str(raw)
    except Exception:  # any parse failure of untrusted bytes means "not readable"
        raise InputError("file", "not_a_pdf", "is not a readable PDF") from None
    if text is None:
        raise InputError("file", "not_a_contract", "is not a Chedai contract (no record)")
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        raise InputError("file", "bad_record", "carries an unreadable contract record") from None
    if not isinstance(record, dict) or record.get("version") != VERSION:
        raise InputError("file", "bad_record", "carries an unreadable contract record")
    return record


def recheck(record: dict[str, Any]) -> list[dict[str, str]]:
    """Recompute the figures from the record's terms with the loan engine; return every
    disagreement as ``{"field", "stated", "engine"}`` (empty when the document is right).
    Money must agree to the cent; the APR within :data:`APR_TOLERANCE` percentage point."""
    from domain.loans import LoanTerms, quote

    try:
        terms = decode(LoanTerms, record["terms"])
        engine = disclosure_of(quote(terms))
        stated = dict(record["disclosure"])
        problems = []
        for field, value in engine.items():
            said = stated.get(field)
            if field == "apr":
                ok = said is not None and abs(Decimal(said) - Decimal(value)) <= APR_TOLERANCE
            else:
                ok = said == value
            if not ok:
                problems.append({"field": field, "stated": str(said), "engine": value})
    except (KeyError, TypeError, ValueError, ArithmeticError, InputError) as exc:
        return [{"field": "terms", "stated": "unreadable", "engine": type(exc).__name__}]
    return problems
