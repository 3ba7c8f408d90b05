"""Contract render / sign / verify speed beside plain reportlab and plain pyHanko floors.

    .venv/bin/python bench/bench_contract.py [--repeat 15]

Ours: a 60-month bilingual contract (3 pages, embedded CJK + Latin subsets, QR code), signed
by the buyer then the lender (EC P-256, signers kept loaded), and verified (both signatures,
trust, coverage, the figures re-checked with the loan engine). Floors, measured in the same
run: a plain one-page reportlab document (Helvetica, one line), pyHanko signing that one-page
document with the same key, and pyHanko validating that one signature. Medians in ms.
Targets (issue 7): render < 100 ms, each signature < 80 ms, verification < 50 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas

from contracts.fonts import font_set
from contracts.pki import demo_pki
from contracts.render import render_contract
from contracts.signing import sign_contract
from contracts.verification import verify_contract
from tests.contracts.factories import make_deal


def median_ms(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def plain_page() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "Loan contract")
    c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat

    t0 = time.perf_counter()
    font_set()
    font_load_ms = (time.perf_counter() - t0) * 1000
    data_dir = Path(tempfile.mkdtemp(prefix="bench-contract-"))
    pki = demo_pki(data_dir)
    deal = make_deal()
    assert deal.terms.count == 60

    unsigned = render_contract(deal, locale="zh_CN")
    by_buyer = sign_contract(
        unsigned, role="buyer", signer=pki.signer("buyer"), signer_name="buyer"
    ).pdf
    both = sign_contract(
        by_buyer, role="lender", signer=pki.signer("lender"), signer_name="lender"
    ).pdf
    assert verify_contract(both, trust_roots=pki.trust_roots).valid

    floor_pdf = plain_page()

    def floor_sign() -> bytes:
        w = IncrementalPdfFileWriter(io.BytesIO(floor_pdf), strict=False)
        meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256")
        return signers.sign_pdf(w, meta, signer=pki.signer("buyer")).getvalue()

    floor_signed = floor_sign()

    def floor_verify() -> bool:
        sig = PdfFileReader(io.BytesIO(floor_signed), strict=False).embedded_signatures[0]
        ctx = ValidationContext(trust_roots=list(pki.trust_roots), allow_fetching=False)
        return validate_pdf_signature(sig, ctx).bottom_line

    assert floor_verify()

    rows = [
        (
            "render",
            median_ms(lambda: render_contract(deal, locale="zh_CN"), repeat),
            "plain 1-page reportlab",
            median_ms(plain_page, repeat),
            100,
        ),
        (
            "sign buyer",
            median_ms(
                lambda: sign_contract(
                    unsigned, role="buyer", signer=pki.signer("buyer"), signer_name="b"
                ),
                repeat,
            ),
            "pyHanko sign_pdf, 1 page",
            median_ms(floor_sign, repeat),
            80,
        ),
        (
            "sign lender",
            median_ms(
                lambda: sign_contract(
                    by_buyer, role="lender", signer=pki.signer("lender"), signer_name="l"
                ),
                repeat,
            ),
            "pyHanko sign_pdf, 1 page",
            median_ms(floor_sign, repeat),
            80,
        ),
        (
            "verify (2 signatures)",
            median_ms(lambda: verify_contract(both, trust_roots=pki.trust_roots), repeat),
            "pyHanko validate, 1 sig",
            median_ms(floor_verify, repeat),
            50,
        ),
    ]
    print(
        f"contract: 60 payments, {len(unsigned) / 1024:.0f} KB unsigned, "
        f"{len(both) / 1024:.0f} KB signed; font registration once per process: "
        f"{font_load_ms:.0f} ms; repeat={repeat}"
    )
    print(f"{'step':<24}{'ours ms':>9}  {'floor':<26}{'floor ms':>9}{'ratio':>8}{'target':>8}")
    for step, ours, floor_name, floor, target in rows:
        flag = "ok" if ours < target else "OVER"
        print(
            f"{step:<24}{ours:>9.1f}  {floor_name:<26}{floor:>9.1f}{ours / floor:>7.1f}x"
            f"{'<' + str(target):>6} {flag}"
        )


if __name__ == "__main__":
    main()
