"""Deals for contract tests: ``deal_json(**overrides)`` is a valid deal.json document."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from contracts.deal import Deal, parse_deal

# A wavy scribble, to show the drawn signature image.
_SCRIBBLE = [
    [[0.05, 0.7], [0.15, 0.2], [0.25, 0.8], [0.35, 0.3], [0.45, 0.75], [0.55, 0.35]],
    [[0.6, 0.6], [0.7, 0.4], [0.8, 0.65], [0.95, 0.45]],
]

BASE: dict[str, Any] = {
    "buyer": {
        "name": "张伟",
        "id_number": "110101199003071234",
        "phone": "138-0013-8000",
        "address": "北京市朝阳区建国路 88 号 3 单元 1201 室",
    },
    "dealer": {"name": "星途汽车销售服务有限公司（演示）", "address": "北京市朝阳区汽车城 1 号"},
    "lender": {"name": "安信汽车金融有限公司（演示）", "address": "上海市浦东新区世纪大道 100 号"},
    "vehicle": {
        "vin": "LGXCE4CB5R0123456",
        "make": "比亚迪 BYD",
        "model": "Song PLUS DM-i",
        "year": 2026,
        "price": "150000.00",
    },
    "terms": {
        "cash_price": "150000.00",
        "down_payment": "45000.00",
        "loan_date": "2026-12-01",
        "term_months": 60,
        "annual_rate": "6.90",
        "fees": [
            {"name": "手续费", "amount": "400.00", "financed": True, "prepaid_finance_charge": True}
        ],
    },
    "consent": {
        "consented_at": "2026-11-30T09:30:00+08:00",
        "scope": "本合同及其还款通知以电子形式提供和签署 / "
        "this contract and its notices, electronically",
        "method": "打开示例 PDF 并确认 / opened the sample PDF and confirmed",
    },
    "signatures": {"buyer": _SCRIBBLE, "lender": _SCRIBBLE[::-1]},
}


def deal_json(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def make_deal(**overrides: Any) -> Deal:
    return parse_deal(deal_json(**overrides))


#: The issue's minimal deal.json: the five required objects only (no consent record, no drawn
#: signatures, no optional fields), as outside checks send it.
MINIMAL: dict[str, Any] = {
    "buyer": {
        "name": "李娜",
        "id_number": "310101198807154321",
        "phone": "139-1234-5678",
        "address": "上海市徐汇区漕溪北路 18 号",
    },
    "dealer": {"name": "申城汽车销售有限公司（演示）", "address": "上海市闵行区沪闵路 1 号"},
    "lender": {"name": "安信汽车金融有限公司（演示）", "address": "上海市浦东新区世纪大道 100 号"},
    "vehicle": {
        "vin": "LSVAU2180N2123456",
        "make": "特斯拉 Tesla",
        "model": "Model 3",
        "year": 2026,
        "price": "235000.00",
    },
    "terms": {
        "cash_price": "235000.00",
        "down_payment": "70500.00",
        "loan_date": "2026-12-01",
        "term_months": 36,
        "annual_rate": "4.80",
    },
}


def minimal_deal_json() -> dict[str, Any]:
    return copy.deepcopy(MINIMAL)


def make_key_dir(directory: Path, *, rsa: bool = True) -> Path:
    """A deployment's signing keys in ``Settings.signing_key_dir`` layout: a root CA, an
    intermediate under ``chain/`` and per role a leaf key and certificate (RSA-2048 by default,
    unlike the demo PKI's P-256), so nothing about it is the demo's."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys
    from cryptography.x509.oid import NameOID

    def key():
        if rsa:
            return rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
        return ec.generate_private_key(ec.SECP256R1())

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Deployment Test Bank"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    now = dt.datetime.now(dt.UTC)

    def cert(subject, subject_key, issuer, issuer_key, *, ca: bool):
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=not ca,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(subject_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
            )
            .sign(issuer_key, hashes.SHA256())
        )

    def pem(obj) -> bytes:
        if hasattr(obj, "private_bytes"):
            return obj.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        return obj.public_bytes(serialization.Encoding.PEM)

    (directory / "chain").mkdir(parents=True)
    root_key, mid_key = key(), key()
    root_name, mid_name = name("Deployment Root CA"), name("Deployment Signing CA")
    (directory / "root-ca.pem").write_bytes(
        pem(cert(root_name, root_key, root_name, root_key, ca=True))
    )
    (directory / "chain" / "signing-ca.pem").write_bytes(
        pem(cert(mid_name, mid_key, root_name, root_key, ca=True))
    )
    for role in ("buyer", "lender"):
        leaf_key = key()
        leaf = cert(name(f"Deployment {role}"), leaf_key, mid_name, mid_key, ca=False)
        (directory / f"{role}.pem").write_bytes(pem(leaf))
        (directory / f"{role}.key.pem").write_bytes(pem(leaf_key))
    return directory
