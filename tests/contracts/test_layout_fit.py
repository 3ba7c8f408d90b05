"""No two pieces of text drawn on one line of a contract or statement overlap, in either
language: a label longer than its column shrinks to fit it, values start past their widest
label."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from contracts import layout
from contracts.deal import parse_deal
from contracts.render import render_contract
from contracts.statement import render_statement
from domain.repayment_statement import statement
from tests.contracts.factories import deal_json
from tests.domain.test_repayments_statement import make_case

DEMO_LIKE_LEASE = {
    "terms": {
        **deal_json()["terms"],
        "annual_rate": None,
        "flat_rate": {"rate": "3.50", "per": "year"},
    },
    "lease": True,
    "late_fee": {"amount": "50", "grace_days": 3, "daily_penalty_rate": "0.05"},
    "prepayment": {"lockout_months": 12, "fee_rate": "5", "fee_free_after_months": 24},
}


def drawn_lines(monkeypatch, render) -> dict[tuple[int, float], list[tuple[float, float, str]]]:
    """Every piece of text ``render()`` draws, as (left, right, text), by page and baseline."""
    lines: dict[tuple[int, float], list[tuple[float, float, str]]] = {}
    real = layout.Document.text

    def text(self, x, y, s, size, *, align="left", **kw):
        width = real(self, x, y, s, size, align=align, **kw)
        left = {"left": x, "right": x - width, "center": x - width / 2}[align]
        page = self.canvas.getPageNumber()  # the footers are drawn on each page at the end
        lines.setdefault((page, round(y, 1)), []).append((left, left + width, s))
        return width

    monkeypatch.setattr(layout.Document, "text", text)
    render()
    return lines


def overlapping(lines) -> list[tuple[str, str]]:
    clashes = []
    for pieces in lines.values():
        pieces = sorted(pieces)
        for (_, right, a), (left, _, b) in pairwise(pieces):
            if left < right - 0.01:
                clashes.append((a, b))
    return clashes


@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
@pytest.mark.parametrize("financed", [False, True])
def test_a_statements_labels_and_columns_do_not_overlap_their_neighbours(
    monkeypatch, locale, financed
):
    plan, events, terms = make_case()
    st = statement(plan, events, date(2026, 3, 1), date(2026, 3, 31), terms)
    lines = drawn_lines(
        monkeypatch,
        lambda: render_statement(
            st, loan_id="LN-1", borrower="张伟", locale=locale, financed=financed
        ),
    )
    assert overlapping(lines) == []
    headers = [s for pieces in lines.values() for _, _, s in pieces]
    assert ("Interest incl. fees" in headers) == (financed and locale == "en_US")


@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
@pytest.mark.parametrize("overrides", [{}, DEMO_LIKE_LEASE], ids=["loan", "demo-like lease"])
def test_a_contracts_text_does_not_overlap_on_any_line(monkeypatch, locale, overrides):
    deal = parse_deal(deal_json(**overrides))
    lines = drawn_lines(monkeypatch, lambda: render_contract(deal, locale=locale))
    assert overlapping(lines) == []
