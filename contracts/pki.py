"""Signing keys and certificates: a demo PKI created on first use, or a deployment's own
(:func:`key_dir_pki`, what ``Settings.signing_key_dir`` points at).

Demo mode makes a root CA and one EC P-256 certificate per signer role (buyer, lender) under
``<data_dir>/pki``, owner-only (directory 0700, keys 0600). Load the :class:`SignerPKI` once
and keep it: the signers hold their keys in memory, so signing does not reread files.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

ROLES = ("buyer", "lender")
ROOT_CERT = "root-ca.pem"


@dataclass(frozen=True)
class SignerPKI:
    """A signer per role and the root(s) a verifier should trust."""

    signers: dict[str, SimpleSigner]
    trust_roots: tuple[asn1_x509.Certificate, ...]

    def signer(self, role: str) -> SimpleSigner:
        from domain.errors import InputError

        if role not in self.signers:
            raise InputError(
                "role",
                "one_of",
                "must be one of {choices}",
                {"choices": ", ".join(sorted(self.signers))},
            )
        return self.signers[role]


def demo_pki(data_dir: Path) -> SignerPKI:
    """Load the demo PKI under ``data_dir/pki``, creating it on first use."""
    directory = Path(data_dir) / "pki"
    if not (directory / ROOT_CERT).exists():
        _create_demo_pki(directory)
    root = load_certificate(directory / ROOT_CERT)
    signers = {
        role: _signer(directory / f"{role}.key.pem", directory / f"{role}.pem", [root])
        for role in ROLES
    }
    return SignerPKI(signers=signers, trust_roots=(root,))


def deployment_pki(
    signers: dict[str, tuple[Path, Path]], trust_roots: list[Path], chain: list[Path] = ()
) -> SignerPKI:
    """A deployment's own keys: ``signers`` maps role -> (key PEM, certificate PEM)."""
    chain_certs = [load_certificate(p) for p in chain]
    roots = tuple(load_certificate(p) for p in trust_roots)
    return SignerPKI(
        signers={role: _signer(k, c, [*chain_certs, *roots]) for role, (k, c) in signers.items()},
        trust_roots=roots,
    )


def signing_pki(*, data_dir: Path, signing_key_dir: Path | None = None) -> SignerPKI:
    """What ``Settings`` asks for: the deployment's keys in ``signing_key_dir`` when set, else
    the demo PKI under ``data_dir/pki``. Load it once and keep it (the signers hold the keys)."""
    if signing_key_dir:
        return key_dir_pki(signing_key_dir)
    return demo_pki(data_dir)


def key_dir_pki(directory: Path) -> SignerPKI:
    """A deployment's keys laid out as the demo PKI is: ``<role>.key.pem`` and ``<role>.pem``
    per role, the trust root ``root-ca.pem`` and any intermediates as ``chain/*.pem``.
    InputError (field ``signing_key_dir``) names a missing or unreadable file."""
    from domain.errors import InputError

    directory = Path(directory)
    wanted = [directory / ROOT_CERT]
    for role in ROLES:
        wanted += [directory / f"{role}.key.pem", directory / f"{role}.pem"]
    for path in wanted:
        if not path.is_file():
            raise InputError(
                "signing_key_dir", "missing_file", "has no {file}", {"file": str(path)}
            )
    chain = sorted((directory / "chain").glob("*.pem"))
    try:
        return deployment_pki(
            {role: (directory / f"{role}.key.pem", directory / f"{role}.pem") for role in ROLES},
            [directory / ROOT_CERT],
            chain,
        )
    except (OSError, ValueError, TypeError) as exc:  # unreadable, not PEM, or encrypted
        raise InputError(
            "signing_key_dir",
            "unreadable",
            "holds a key or certificate that cannot be loaded: {error}",
            {"error": type(exc).__name__},
        ) from None


def load_certificate(path: Path) -> asn1_x509.Certificate:
    """A PEM or DER certificate file as an asn1crypto certificate (what pyHanko uses)."""
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(data)


def _signer(key_path: Path, cert_path: Path, others: list[asn1_x509.Certificate]) -> SimpleSigner:
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SimpleSigner(
        signing_cert=load_certificate(cert_path),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(others),
        # The CMS certificate bag is not signed: an embedded root could be altered without
        # breaking the signature. Verifiers bring their own root, so embed only the chain.
        embed_roots=False,
    )


def _create_demo_pki(directory: Path) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pki-", dir=directory.parent))  # mode 0700
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Chedai Demo Root CA (演示)")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    _write(staging / ROOT_CERT, root.public_bytes(serialization.Encoding.PEM), 0o600)
    _write(staging / "root-ca.key.pem", _pem_key(root_key), 0o600)
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"Chedai demo {role}", unit=role))
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
            )
            .sign(root_key, hashes.SHA256())
        )
        _write(staging / f"{role}.pem", cert.public_bytes(serialization.Encoding.PEM), 0o600)
        _write(staging / f"{role}.key.pem", _pem_key(key), 0o600)
    try:
        staging.rename(directory)
    except OSError:  # another process created it first: use theirs
        for child in staging.iterdir():
            child.unlink()
        staging.rmdir()
    os.chmod(directory, 0o700)


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chedai demo"),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
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


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
