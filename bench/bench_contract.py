"""Contract render / sign / verify speed beside plain reportlab and plain pyHanko floors.

    .venv/bin/python bench/bench_contract.py [--repeat 21]

Ours: a 60-month bilingual contract (3 pages, embedded CJK + Latin subsets, QR code), signed
by the buyer then the lender (EC P-256, signers kept loaded), and verified (both signatures,
trust, coverage, modifications between them, the figures re-checked with the loan engine).
"render, new deal" renders a different deal every time (buyer, price, VIN), so no cache of a
previous document's font subsets or figures can help it. Floors, measured in the same run and
interleaved sample by sample with ours (so both see the same load): a plain one-page reportlab
document (Helvetica, one line), pyHanko signing that one-page document with the same key, and
pyHanko validating that one signature; the floors run with pyHanko's and asn1crypto's own
functions, not the equivalent faster ones of contracts.speedups that ours uses. The machine is
shared and noisy: the medians of both CPU time (time.process_time, what this process itself
spent) and wall-clock time are printed, with ratios to the floor. Targets (issue 7): render
< 100 ms, each signature < 80 ms, verification < 50 ms; a target is "ok" when the CPU median
meets it.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas

from contracts import speedups
from contracts.fonts import font_set
from contracts.pki import demo_pki
from contracts.render import render_contract
from contracts.signing import sign_contract
from contracts.verification import verify_contract
from tests.contracts.factories import deal_json, make_deal


def plain_page() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "Loan contract")
    c.showPage()
    c.save()
    return buf.getvalue()


def paired(ours: Callable[[], object], floor: Callable[[], object], repeat: int):
    """Median (cpu ms, wall ms) of ``ours`` and of ``floor``, sampled alternately."""
    ours(), floor()
    samples: dict[str, list[tuple[float, float]]] = {"ours": [], "floor": []}
    for _ in range(repeat):
        for name, fn in (("ours", ours), ("floor", floor)):
            speedups.install(enabled=name == "ours")  # the floor is pyHanko as it comes
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            samples[name].append(
                ((time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000)
            )
    speedups.install()
    return tuple(
        (
            statistics.median(s[0] for s in samples[name]),
            statistics.median(s[1] for s in samples[name]),
        )
        for name in ("ours", "floor")
    )


def other_deals(n: int):
    """``n`` deals that differ in buyer name, VIN and price (so in figures and glyphs)."""
    base = deal_json()
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    deals = []
    for i in range(n):
        price = f"{150000 + 1370 * (i + 1)}.00"
        deals.append(
            make_deal(
                buyer={**base["buyer"], "name": surnames[i % len(surnames)] + "晓" + "明芳"[i % 2]},
                vehicle={**base["vehicle"], "vin": f"LGXCE4CB5R0{123457 + i}", "price": price},
                terms={**base["terms"], "cash_price": price},
            )
        )
    return deals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    repeat = parser.parse_args().repeat

    c0, w0 = time.process_time(), time.perf_counter()
    font_set()
    font_load = ((time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000)
    pki = demo_pki(Path(tempfile.mkdtemp(prefix="bench-contract-")))
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
    fresh = iter(other_deals(repeat + 1))

    rows = [
        (
            "render",
            paired(lambda: render_contract(deal, locale="zh_CN"), plain_page, repeat),
            "plain 1-page reportlab",
            100,
        ),
        (
            "render, new deal",
            paired(lambda: render_contract(next(fresh), locale="zh_CN"), plain_page, repeat),
            "plain 1-page reportlab",
            100,
        ),
        (
            "sign buyer",
            paired(
                lambda: sign_contract(
                    unsigned, role="buyer", signer=pki.signer("buyer"), signer_name="b"
                ),
                floor_sign,
                repeat,
            ),
            "pyHanko sign_pdf, 1 page",
            80,
        ),
        (
            "sign lender",
            paired(
                lambda: sign_contract(
                    by_buyer, role="lender", signer=pki.signer("lender"), signer_name="l"
                ),
                floor_sign,
                repeat,
            ),
            "pyHanko sign_pdf, 1 page",
            80,
        ),
        (
            "verify (2 signatures)",
            paired(
                lambda: verify_contract(both, trust_roots=pki.trust_roots), floor_verify, repeat
            ),
            "pyHanko validate, 1 sig",
            50,
        ),
    ]
    print(
        f"contract: 60 payments, {len(unsigned) / 1024:.0f} KB unsigned, "
        f"{len(both) / 1024:.0f} KB signed; font registration once per process: "
        f"{font_load[0]:.0f} ms cpu / {font_load[1]:.0f} ms wall; repeat={repeat}; medians"
    )
    print(
        f"{'step':<23}{'cpu ms':>7}{'wall ms':>8}  {'floor':<25}{'cpu ms':>7}{'wall ms':>8}"
        f"{'cpu x':>7}{'wall x':>7}{'target':>7}"
    )
    for step, ((cpu, wall), (fcpu, fwall)), floor_name, target in rows:
        flag = "ok" if cpu < target else "OVER"
        print(
            f"{step:<23}{cpu:>7.1f}{wall:>8.1f}  {floor_name:<25}{fcpu:>7.1f}{fwall:>8.1f}"
            f"{cpu / fcpu:>6.1f}x{wall / fwall:>6.1f}x{'<' + str(target):>6} {flag}"
        )


if __name__ == "__main__":
    main()
