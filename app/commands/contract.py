"""``chedai contract render|sign|verify``: the electronic loan contract.

render  deal.json -> contract PDF (``--sign``: buyer then lender sign)
sign    add one role's PAdES signature to a contract PDF
verify  check every signature and the disclosed figures offline; exit 0 valid, 1 invalid
        (a PDF whose signatures or figures do not verify), 2 bad input (a file that cannot be
        read or is not a PDF, an unusable trust root)

Signing uses ``Settings.signing_key_dir`` when set (a deployment's keys), else the demo PKI
under ``data_dir/pki``; ``--tsa-url`` or ``Settings.tsa_url`` adds an RFC 3161 timestamp. Each
signature's SHA-256 is appended to the local database's audit log.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import UsageError, print_json, read_json
from app.settings import Settings
from domain.errors import InputError


def locale_argument(value: str) -> str:
    """``--locale``: a language the app speaks, in any spelling of it (``zh``, ``en-US``,
    ``en_GB``); anything else is refused, so argparse exits 2 naming the option."""
    from app.i18n import LOCALES, spoken_locale

    found = spoken_locale(value)
    if found is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a language the app speaks: {' or '.join(LOCALES)} (zh, en)"
        )
    return found


def add_parser(sub) -> None:
    p = sub.add_parser("contract", help="render, sign and verify the electronic loan contract")
    actions = p.add_subparsers(dest="action", required=True)

    r = actions.add_parser("render", help="render deal.json to a contract PDF")
    r.add_argument("--json", required=True, dest="deal", help="deal.json, or - for stdin")
    r.add_argument("--out", required=True, help="where to write the PDF")
    r.add_argument("--locale", default=None, type=locale_argument,
                   help="zh_CN or en_US, or another spelling of either (zh, en-US)")  # fmt: skip
    r.add_argument("--sign", action="store_true", help="sign as buyer, then lender")
    r.add_argument("--tsa-url", default=None, help="RFC 3161 timestamp server (optional)")
    r.set_defaults(func=run_render)

    s = actions.add_parser("sign", help="add one signer's PAdES signature")
    s.add_argument("file", help="contract PDF")
    s.add_argument("--role", required=True, choices=("buyer", "lender"))
    s.add_argument("--out", required=True, help="where to write the signed PDF")
    s.add_argument("--tsa-url", default=None, help="RFC 3161 timestamp server (optional)")
    s.set_defaults(func=run_sign)

    v = actions.add_parser("verify", help="verify a signed contract offline")
    v.add_argument("file", help="contract PDF")
    v.add_argument(
        "--trust",
        action="append",
        default=None,
        help="trusted root certificate (PEM/DER); default: the signing keys' root",
    )
    v.set_defaults(func=run_verify)


def run_render(args) -> int:
    from contracts.deal import parse_deal
    from contracts.render import render_contract

    settings = Settings()
    deal = parse_deal(read_json(args.deal))
    pdf = render_contract(deal, locale=args.locale or settings.locale)
    document_id = deal.resolved_id()
    signed: list[dict] = []
    if args.sign:
        from contracts.pki import ROLES

        _audit_possible(settings)
        pki = _pki(settings)  # loaded once, both signers kept in memory
        names = {"buyer": deal.buyer.name, "lender": deal.lender.name}
        for role in ROLES:
            pdf, digest = _sign(pdf, role, names[role], pki, args.tsa_url or settings.tsa_url)
            signed.append({"role": role, "sha256": digest})
    _write(args.out, pdf)  # first: a signature whose file was never saved was never made
    if signed:
        _audit(settings, document_id=document_id, entries=signed)
    print_json({"out": args.out, "document_id": document_id, "signed": signed})
    return 0


def run_sign(args) -> int:
    from contracts import record

    settings = Settings()
    pdf = _read(args.file)
    rec = record.read(pdf)
    names = rec.get("parties", {})
    _audit_possible(settings)
    pdf, digest = _sign(
        pdf,
        args.role,
        str(names.get(args.role, args.role)),
        _pki(settings),
        args.tsa_url or settings.tsa_url,
    )
    _write(args.out, pdf)
    _audit(
        settings,
        document_id=str(rec["document_id"]),
        entries=[{"role": args.role, "sha256": digest}],
    )
    print_json({"out": args.out, "role": args.role, "sha256": digest})
    return 0


def run_verify(args) -> int:
    from contracts.pki import ROOT_CERT, load_certificate
    from contracts.verification import verify_contract

    settings = Settings()
    keys = settings.signing_key_dir or (settings.data_dir / "pki")
    paths = [Path(p) for p in args.trust] if args.trust else [keys / ROOT_CERT]
    roots = []
    for path in paths:
        try:
            roots.append(load_certificate(path))
        except OSError as exc:
            raise UsageError(
                "cannot read trust root {path}: {reason}", path=path, reason=exc.strerror
            ) from None
        except ValueError:
            raise UsageError("{path} is not a certificate (PEM or DER)", path=path) from None
    try:
        result = verify_contract(_read(args.file), trust_roots=tuple(roots), refuse_unreadable=True)
    except InputError:  # only "not a readable PDF": anything else is reported invalid
        raise UsageError("{path} is not a readable PDF", path=args.file) from None
    print_json(result.to_json())
    return 0 if result.valid else 1


def _pki(settings: Settings):
    """The deployment's keys when ``signing_key_dir`` is set, else the demo PKI."""
    from contracts.pki import signing_pki

    return signing_pki(data_dir=settings.data_dir, signing_key_dir=settings.signing_key_dir)


def _sign(pdf: bytes, role: str, name: str, pki, tsa_url: str | None):
    from contracts.signing import sign_contract

    signed = sign_contract(
        pdf, role=role, signer=pki.signer(role), signer_name=name, timestamp_url=tsa_url
    )
    return signed.pdf, signed.sha256


def _audit_possible(settings: Settings) -> None:
    """Before signing: a signature is recorded in the local audit log, which a database a
    newer Chedai wrote cannot take (SchemaTooNewError, nothing signed or written)."""
    from local_db.migrations import refuse_newer

    refuse_newer(settings.local_db_path)


def _audit(settings: Settings, *, document_id: str, entries: list[dict]) -> None:
    """Append each signed file's SHA-256 to the local audit log (evidence preservation)."""
    from sqlmodel import Session

    from local_db import audit
    from local_db.engine import make_engine
    from local_db.migrations import migrate

    engine = make_engine(settings.local_db_path)
    try:
        migrate(engine)
        with Session(engine) as session:
            for entry in entries:
                audit.append(
                    session,
                    actor=entry["role"],
                    action="contract.signed",
                    entity="contract",
                    entity_id=document_id,
                    details={"sha256": entry["sha256"], "role": entry["role"]},
                )
            session.commit()
    finally:
        engine.dispose()


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError("cannot read {path}: {reason}", path=path, reason=exc.strerror) from None


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise UsageError("cannot write {path}: {reason}", path=path, reason=exc.strerror) from None
