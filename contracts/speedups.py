"""Two pure functions of pyHanko and asn1crypto, replaced by equivalent faster ones.

Verifying a contract spent about a third of its time in two places that do the same work over
and over for no gain in safety:

* pyHanko reads a hex string one character at a time through a Python generator: the
  signature container in each /Contents (2,000-4,000 hex digits) took about 3 ms to parse.
* asn1crypto prepares every name it compares (RFC 4518 string preparation, character by
  character) from scratch on each freshly parsed certificate: about 0.8 ms per comparison of
  the demo CA's name, and pyHanko compares the issuer five times per signature.

The replacements give the same results and raise the same errors: the hex reader hands any
string with a comment or a character that is not a hex digit or white space back to pyHanko's
own reader, and the name preparation only remembers results (it depends on the string alone).
Installed once, by :mod:`contracts.verification` and :mod:`contracts.signing`.
"""

from __future__ import annotations

import binascii
import functools

from asn1crypto import x509
from pyhanko.pdf_utils import generic, misc

_HEX_AND_SPACE = frozenset(generic.HEX_DIGITS + misc.PDF_WHITESPACE)
#: the library's own functions, as they were on import
PYHANKO_READ_HEX = generic.read_hex_string_from_stream
ASN1_PREP = x509.NameTypeAndValue._ldap_string_prep


def read_hex_string_from_stream(stream):
    """pyHanko's reader of a hex string (``<...>``) at the position of ``stream``, in one slice."""
    start = stream.tell()
    stream.read(1)  # "<"
    body = b""
    while (end := body.find(b">")) < 0:
        block = stream.read(8192)
        if not block:
            break
        body += block
    if end < 0 or not _HEX_AND_SPACE.issuperset(body[:end]):
        stream.seek(start)  # truncated, a comment or a stray character: pyHanko's way
        return PYHANKO_READ_HEX(stream)
    stream.seek(start + 1 + end + 1)
    digits = body[:end].translate(None, misc.PDF_WHITESPACE)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


@functools.lru_cache(maxsize=4096)
def ldap_string_prep(string: str) -> str:
    """asn1crypto's RFC 4518 preparation of a name's value, remembered."""
    return ASN1_PREP(None, string)


def _ldap_string_prep(self, string):
    return ldap_string_prep(string)


def install(enabled: bool = True) -> None:
    """Put both replacements in place (idempotent); ``enabled=False`` puts the libraries' own
    back (for a benchmark's plain-pyHanko floor)."""
    generic.read_hex_string_from_stream = (
        read_hex_string_from_stream if enabled else PYHANKO_READ_HEX
    )
    x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep if enabled else ASN1_PREP
