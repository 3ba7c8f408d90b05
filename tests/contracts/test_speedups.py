"""The faster hex-string reader and name preparation give what the libraries' own give."""

from __future__ import annotations

import io
import random

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils import generic

from contracts import speedups


def _outcome(read, data: bytes):
    stream = io.BytesIO(data)
    try:
        value = read(stream)
    except Exception as exc:  # the error is part of the behaviour to match
        return ("error", type(exc), stream.tell())
    return (type(value), value, stream.tell())


CASES = [
    b"<48656c6c6f> rest",
    b"<>",
    b"<4>",
    b"<abc>",
    b"<4 8\n6\r5\t6\x0cc\x00>/Next",
    b"<FEFF00480069>",  # a UTF-16 text string
    b"<48 % a comment with > inside\n65>",
    b"<48656g>",
    b"<486565",  # truncated
    b"<" + b"0" * 20000 + b"ab>",  # longer than one block
]


@pytest.mark.parametrize("data", CASES)
def test_hex_strings_read_as_pyhanko_reads_them(data):
    assert _outcome(speedups.read_hex_string_from_stream, data) == _outcome(
        speedups.PYHANKO_READ_HEX, data
    )


def test_random_hex_strings_read_as_pyhanko_reads_them():
    rng = random.Random(7)
    alphabet = b"0123456789abcdefABCDEF \n\r\t\x00%>gz"
    for _ in range(400):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        data = b"<" + body + rng.choice([b">", b"> 1 0 R", b""])
        assert _outcome(speedups.read_hex_string_from_stream, data) == _outcome(
            speedups.PYHANKO_READ_HEX, data
        ), data


def test_pyhanko_uses_the_installed_reader():
    speedups.install()
    assert generic.read_hex_string_from_stream is speedups.read_hex_string_from_stream
    assert generic.read_object(io.BytesIO(b"<0a0B>"), None) == b"\n\x0b"


@pytest.mark.parametrize(
    "value", ["Chedai Demo Root CA (演示)", "  Two   spaces ", "ÅNGSTRÖM", "ﬁ ligature", ""]
)
def test_names_are_prepared_as_asn1crypto_prepares_them(value):
    assert speedups.ldap_string_prep(value) == speedups.ASN1_PREP(None, value)


def test_equal_and_different_names_compare_as_before():
    speedups.install()
    a = x509.Name.build({"common_name": "Chedai Demo Root CA (演示)", "country_name": "CN"})
    b = x509.Name.build({"common_name": "chedai  demo root ca (演示)", "country_name": "CN"})
    c = x509.Name.build({"common_name": "Chedai Demo Root CA (其他)", "country_name": "CN"})
    assert x509.Name.load(a.dump()) == x509.Name.load(b.dump())  # case and spaces fold
    assert x509.Name.load(a.dump()) != x509.Name.load(c.dump())
