"""The contract PDF: parties, vehicle, disclosure box, itemisation, schedule, terms, consent,
signature blocks, and a QR code with the document id and content digest.

Every figure comes from :func:`domain.loans.quote` of the deal's terms; the figures and the
terms are also embedded as the document's record (:mod:`contracts.record`) so signing and
verification can recompute them.
"""

from __future__ import annotations

from collections.abc import Sequence

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from contracts import formatting as fmt
from contracts import labels as L
from contracts import record
from contracts.deal import Deal
from contracts.layout import (
    ACCENT,
    CONTENT_W,
    INK,
    MARGIN,
    MUTED,
    PAGE_W,
    PEN,
    RULE,
    SHADE,
    WARN,
    Column,
    Document,
)
from domain.loans import Quote, quote
from domain.money import ZERO
from domain.privacy import mask_id_number, mask_phone
from domain.repayments import LateFeePolicy, PrepaymentPolicy


def render_contract(deal: Deal, *, locale: str) -> bytes:
    """The unsigned contract PDF of ``deal`` in ``locale`` (zh_CN or en_US).

    Pure and deterministic: the same deal and locale give byte-identical PDFs."""
    fmt.check_locale(locale)
    return render_with_quote(deal, quote(deal.terms), locale=locale)


def render_with_quote(deal: Deal, q: Quote, *, locale: str) -> bytes:
    """Render with a given quote. Only :func:`render_contract` (which takes the quote from the
    engine) is for producing contracts; this seam lets tests build a document whose figures
    disagree with the engine, to prove that signing refuses it."""
    doc_id = deal.resolved_id()
    digest = deal.content_digest()
    t = lambda key, **kw: L.text(key, locale, lease=deal.lease, **kw)  # noqa: E731
    header = f"Chedai 车贷 · {t('document_id')} {doc_id}"
    if deal.demo:
        header += " · " + t("demo")
    doc = Document(
        header=header,
        footer_left=f"{t('content_hash')} {digest}",
        page_label=lambda x, y: t("page", x=x, y=y),
        title=f"{t('title')} {doc_id}",
        subject=f"{deal.buyer.name} · {deal.lender.name}",
    )
    record.embed(
        doc.canvas,
        {
            "version": record.VERSION,
            "document_id": doc_id,
            "content_sha256": digest,
            "locale": locale,
            "terms": record.encode(deal.terms),
            "servicing": record.encode(deal.servicing),  # the late and prepayment terms
            "disclosure": record.disclosure_of(q),
            "parties": {
                "buyer": deal.buyer.name,
                "dealer": deal.dealer.name,
                "lender": deal.lender.name,
            },
            "consent": record.encode(deal.consent),
        },
    )
    _title_block(doc, deal, doc_id, digest, locale)
    _parties(doc, deal, locale)
    draw_disclosure_box(doc, q, locale, deal=deal)
    _itemisation(doc, deal, q, locale)
    doc.heading(t("schedule"), L.other("schedule", locale, lease=deal.lease))
    draw_schedule_table(doc, q, locale, lease=deal.lease)
    doc.heading(t("terms"), L.other("terms", locale))
    for clause in L.terms(locale, lease=deal.lease, financed=q.balance_on_amount_financed):
        doc.paragraph(clause, 8.5)
    _consent(doc, deal, locale)
    _signature_blocks(doc, deal, locale)
    return doc.finish()


# -- reusable blocks (statements reuse the disclosure and schedule tables) -----------------
def draw_disclosure_box(doc: Document, q: Quote, locale: str, *, deal: Deal | None = None) -> None:
    """The boxed disclosure: APR and finance charge largest, then amount financed, total of
    payments and total sale price, then the schedule summary, late charge, prepayment and
    security interest (when ``deal`` is given)."""
    lease = deal is not None and deal.lease
    t = lambda key, **kw: L.text(key, locale, lease=lease, **kw)  # noqa: E731
    doc.heading(t("disclosure"), L.other("disclosure", locale, lease=lease))
    c = doc.canvas
    big_h, small_h = 74.0, 66.0
    doc.ensure(big_h + small_h + 90)
    top = doc.y
    cells = [
        (
            ("apr", fmt.percent(q.apr_percent, locale)),
            ("finance_charge", fmt.money(q.finance_charge, locale)),
        ),
        (
            ("amount_financed", fmt.money(q.amount_financed, locale)),
            ("total_of_payments", fmt.money(q.total_of_payments, locale)),
            ("total_sale_price", fmt.money(q.total_sale_price, locale)),
        ),
    ]
    y = top
    for row, height, value_size in ((cells[0], big_h, 20), (cells[1], small_h, 12.5)):
        width = CONTENT_W / len(row)
        for i, (key, value) in enumerate(row):
            x = MARGIN + i * width
            if value_size > 15:
                c.setFillColor(SHADE)
                c.rect(x, y - height, width, height, 0, 1)
            c.setStrokeColor(ACCENT)
            c.setLineWidth(1.2 if value_size > 15 else 0.6)
            c.rect(x, y - height, width, height, 1, 0)
            doc.text(x + 6, y - 13, t(key), 9.5, bold=True)
            doc.text(x + 6, y - 23, L.other(key, locale, lease=lease), 6.5, color=MUTED)
            for j, line in enumerate(doc.wrap(t(key + "_desc"), 6.5, width - 12)[:2]):
                doc.text(x + 6, y - 32 - j * 8, line, 6.5, color=MUTED)
            doc.text(
                x + 6,
                y - height + 8,
                value,
                value_size,
                bold=True,
                color=ACCENT if value_size > 15 else INK,
            )
        y -= height
    doc.y = y - 4
    first, last = q.schedule[0], q.schedule[-1]
    freq = t(q.terms.frequency.value)
    summary = t(
        "summary_line",
        count=len(q.schedule),
        payment=fmt.money(q.payment, locale),
        first=fmt.day(first.date, locale),
        frequency=freq,
    )
    if last.payment != q.payment:
        summary += ("；" if locale == "zh_CN" else "; ") + t(
            "summary_last", last=fmt.money(last.payment, locale), date=fmt.day(last.date, locale)
        )
    pairs = [(t("payment_summary"), summary)]
    if deal is not None:
        pairs += [
            (t("late_charge"), late_charge_text(deal.servicing.late_fee, locale, lease=lease)),
            (
                t("prepayment"),
                prepayment_text(
                    deal.servicing.prepayment,
                    locale,
                    financed=q.balance_on_amount_financed,
                    lease=lease,
                ),
            ),
            security_term(deal.lease, deal.vehicle.vin, locale),
        ]
    doc.key_values(pairs, size=8.5, key_width=95)
    doc.space(4)


def security_term(lease: bool, vin: str, locale: str) -> tuple[str, str]:
    """What the car stands as: the lender's security for a loan; for a finance lease, the
    lessor's property until the last rent (the fact a lessee most needs told)."""
    if lease:
        return L.text("ownership", locale), L.text("ownership_text", locale, vin=vin)
    return L.text("security", locale), L.text("security_text", locale, vin=vin)


def late_charge_text(late: LateFeePolicy, locale: str, *, lease: bool = False) -> str:
    """The late-payment terms in words, from the very policy the loan is serviced by
    (``lease``: a finance lease's words, rent for payments)."""
    t = lambda key, **kw: L.text(key, locale, lease=lease, **kw)  # noqa: E731
    if late.amount == ZERO and late.daily_penalty_rate == ZERO:
        return t("late_none")
    parts = [t("late_grace", days=late.grace_days) if late.grace_days else t("late_no_grace")]
    if late.daily_penalty_rate:
        # the engine charges the days after the grace days; a daily rate alone hides its size
        parts.append(
            t(
                "late_penalty",
                day=late.grace_days + 1,
                rate=fmt.rate(late.daily_penalty_rate, locale),
                yearly=fmt.rate(late.yearly_penalty_rate, locale),
            )
        )
    if late.amount:
        parts.append(t("late_fixed", fee=fmt.money(late.amount, locale)))
        if late.cap is not None:
            parts.append(t("late_fixed_cap", cap=fmt.money(late.cap, locale)))
    return _sentences(parts, locale)


def prepayment_text(
    pre: PrepaymentPolicy, locale: str, *, financed: bool = False, lease: bool = False
) -> str:
    """When early repayment is possible and what it costs, from the servicing policy;
    ``financed``: the fee's base is the amount financed the schedule counts down
    (``Quote.balance_on_amount_financed``); ``lease``: a finance lease's words."""
    t = lambda key, **kw: L.text(key, locale, lease=lease, **kw)  # noqa: E731
    if not pre.allowed:
        return t("prepayment_not_allowed")
    when = (
        t("prepayment_after", n=pre.lockout_instalments)
        if pre.lockout_instalments
        else t("prepayment_anytime")
    )
    if pre.fee_rate == ZERO or pre.fee_free_after == 0:
        return when + t("prepayment_free")
    n = pre.fee_free_after
    free = "" if n is None else t("prepayment_fee_free_after", n=n)
    fee = "prepayment_fee_financed" if financed else "prepayment_fee"
    return when + t(fee, rate=fmt.rate(pre.fee_rate, locale), free=free)


def _sentences(parts: list[str], locale: str) -> str:
    return ("" if locale == "zh_CN" else " ").join(parts)


def draw_schedule_table(doc: Document, q: Quote, locale: str, *, lease: bool = False) -> None:
    """The full schedule with a subtotal row after each loan year and a totals row; the header
    repeats on every page (``lease``: a finance lease's rent)."""
    t = lambda key, **kw: L.text(key, locale, lease=lease, **kw)  # noqa: E731
    num = lambda d: fmt.number(d, locale)  # noqa: E731
    basis = "_financed" if q.balance_on_amount_financed else ""  # what the columns count
    w = CONTENT_W
    columns = [
        Column(t("col_n"), w * 0.08, "center"),
        Column(t("col_date"), w * 0.20),
        Column(t("col_payment"), w * 0.18, "right"),
        Column(t(f"col_interest{basis}"), w * 0.17, "right"),
        Column(t(f"col_principal{basis}"), w * 0.18, "right"),
        Column(t(f"col_balance{basis}"), w * 0.19, "right"),
    ]
    per_year = q.terms.frequency.periods_per_year  # the engine's loan years, not calendar
    rows: list[Sequence[str]] = []
    strong: set[int] = set()
    for k, r in enumerate(q.schedule):
        rows.append(
            (
                str(r.n),
                fmt.day(r.date, locale),
                num(r.payment),
                num(r.interest),
                num(r.principal),
                num(r.balance),
            )
        )
        if (k + 1) % per_year == 0 or k + 1 == len(q.schedule):
            y = q.yearly[k // per_year]
            strong.add(len(rows))
            rows.append(
                (
                    "",
                    t("year_subtotal", year=y.year),
                    num(y.payment),
                    num(y.interest),
                    num(y.principal),
                    num(y.closing_balance),
                )
            )
    strong.add(len(rows))
    rows.append(
        ("", t("total"), num(q.totals.payment), num(q.totals.interest), num(q.totals.principal), "")
    )
    doc.table(columns, rows, size=7.5, row_height=11.5, emphasis=strong.__contains__)


# -- contract-only blocks -----------------------------------------------------------------
def _title_block(doc: Document, deal: Deal, doc_id: str, digest: str, locale: str) -> None:
    t = lambda key, **kw: L.text(key, locale, lease=deal.lease, **kw)  # noqa: E731
    qr_size = 74.0
    top = doc.y
    title_size = 18.0
    while doc.fonts.width(t("title"), title_size, bold=True) > CONTENT_W - qr_size - 12:
        title_size -= 1  # the English title is long: shrink it to clear the QR code
    doc.text(MARGIN, top - 20, t("title"), title_size, bold=True, color=ACCENT)
    doc.text(MARGIN, top - 36, L.other("title", locale, lease=deal.lease), 10, color=MUTED)
    doc.text(MARGIN, top - 52, f"{t('document_id')}: {doc_id}", 8)
    if deal.demo:
        doc.text(
            MARGIN,
            top - 66,
            t("demo") + " / " + L.other("demo", locale, lease=deal.lease),
            8,
            bold=True,
            color=WARN,
        )
    draw_qr(
        doc,
        f"chedai:contract:{doc_id}:sha256:{digest}",
        PAGE_W - MARGIN - qr_size,
        top - qr_size - 4,
        qr_size,
    )
    doc.text(
        PAGE_W - MARGIN - qr_size / 2,
        top - qr_size - 12,
        t("qr_caption"),
        5.5,
        color=MUTED,
        align="center",
    )
    doc.y = top - qr_size - 18


def draw_qr(doc: Document, payload: str, x: float, y: float, size: float) -> None:
    """A QR code as one vector path (computed by ``qrcode``; far cheaper than reportlab's)."""
    # A fixed mask skips the search over all eight (most of the QR time); any mask is valid.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    cell = size / n
    c = doc.canvas
    path = c.beginPath()
    for row, line in enumerate(matrix):
        col = 0
        while col < n:
            if line[col]:
                start = col
                while col < n and line[col]:
                    col += 1
                path.rect(x + start * cell, y + size - (row + 1) * cell, (col - start) * cell, cell)
            else:
                col += 1
    c.setFillColor(INK)
    c.drawPath(path, stroke=0, fill=1)


def _parties(doc: Document, deal: Deal, locale: str) -> None:
    t = lambda key, **kw: L.text(key, locale, lease=deal.lease, **kw)  # noqa: E731
    doc.heading(t("parties"), L.other("parties", locale))
    width = CONTENT_W / 3
    top = doc.y
    lowest = top
    for i, (role, party) in enumerate(
        (("buyer", deal.buyer), ("dealer", deal.dealer), ("lender", deal.lender))
    ):
        x = MARGIN + i * width
        y = top - 11
        doc.text(x, y, t(role), 9, bold=True)
        lines = [party.name]
        if party.id_number:
            lines.append(f"{t('id_number')}: {mask_id_number(party.id_number)}")
        if party.phone:  # the buyer's masked like their ID number; a business's is public
            phone = mask_phone(party.phone) if role == "buyer" else party.phone
            lines.append(f"{t('phone')}: {phone}")
        if party.address:
            lines.extend(doc.wrap(party.address, 8, width - 10))
        for line in lines:
            y -= 11
            doc.text(x, y, line, 8)
        lowest = min(lowest, y)
    doc.y = lowest - 6
    v = deal.vehicle
    doc.heading(t("vehicle"), L.other("vehicle", locale))
    doc.key_values(
        [
            (t("make_model"), f"{v.make} {v.model}"),
            (t("year"), str(v.year)),
            (t("vin"), v.vin),
            (t("cash_price"), fmt.money(v.price, locale)),
        ],
        size=8.5,
        key_width=95,
    )


def _itemisation(doc: Document, deal: Deal, q: Quote, locale: str) -> None:
    t = lambda key, **kw: L.text(key, locale, lease=deal.lease, **kw)  # noqa: E731
    m = lambda d: fmt.money(d, locale)  # noqa: E731
    terms = q.terms
    doc.heading(t("itemisation"), L.other("itemisation", locale))
    pairs = [
        (t("cash_price"), m(terms.cash_price)),
        (t("down_payment"), "− " + m(terms.down_payment)),
    ]
    if terms.trade_in:
        pairs.append((t("trade_in"), "− " + m(terms.trade_in)))
    for fee in terms.fees:
        if fee.financed:
            pairs.append((t("fee_financed", name=fee.name), "+ " + m(fee.amount)))
    for fee in terms.fees:
        if fee.prepaid_finance_charge:
            pairs.append((t("fee_prepaid", name=fee.name), "− " + m(fee.amount)))
    pairs.append((t("amount_financed"), m(q.amount_financed)))
    if terms.annual_rate is not None:
        pairs.append((t("note_rate"), fmt.percent(terms.annual_rate * 100, locale)))
    doc.key_values(pairs, size=8.5, key_width=200)


def _consent(doc: Document, deal: Deal, locale: str) -> None:
    t = lambda key, **kw: L.text(key, locale, **kw)  # noqa: E731
    doc.heading(t("consent"), L.other("consent", locale))
    if deal.consent is None:  # an operator's command-line signing: said plainly, no made-up time
        doc.paragraph(t("consent_missing"), 9, bold=True, color=WARN)
        return
    doc.key_values(
        [
            (t("consented_at"), fmt.moment(deal.consent.consented_at, locale)),
            (t("consent_scope"), deal.consent.scope),
            (t("consent_method"), deal.consent.method),
        ],
        size=8.5,
        key_width=110,
    )


def _signature_blocks(doc: Document, deal: Deal, locale: str) -> None:
    t = lambda key, **kw: L.text(key, locale, lease=deal.lease, **kw)  # noqa: E731
    height = 86.0
    doc.ensure(height + 46)  # the heading and its note stay on the page of the boxes
    doc.heading(t("signatures"), L.other("signatures", locale))
    doc.paragraph(t("signed_pades"), 8, color=MUTED)
    doc.ensure(height + 6)
    top = doc.y - 6
    width = (CONTENT_W - 20) / 2
    c = doc.canvas
    for i, (role, party) in enumerate((("buyer", deal.buyer), ("lender", deal.lender))):
        x = MARGIN + i * (width + 20)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.rect(x, top - height, width, height, 1, 0)
        caption = f"{t(role)} · {L.other(role, locale, lease=deal.lease)}"
        doc.text(x + 6, top - 12, caption, 8.5, bold=True)
        doc.text(x + 6, top - 24, party.name, 8.5)
        box = (x + 10, top - height + 18, width - 20, height - 46)  # x, y, w, h
        strokes = deal.signatures.get(role, ())
        _draw_strokes(doc, strokes, box)
        c.setStrokeColor(RULE)
        c.line(x + 8, top - height + 14, x + width - 8, top - height + 14)
        doc.text(x + 8, top - height + 5, t("sign_here"), 6.5, color=MUTED)
    doc.y = top - height - 6


def _draw_strokes(doc: Document, strokes, box: tuple[float, float, float, float]) -> None:
    """A drawn signature: strokes of (x, y) points in a 0..1 box, y downwards as on screen."""
    bx, by, bw, bh = box
    c = doc.canvas
    c.setStrokeColor(PEN)
    c.setLineWidth(1.3)
    c.setLineCap(1)
    c.setLineJoin(1)
    for stroke in strokes:
        if len(stroke) < 2:
            continue
        p = c.beginPath()
        p.moveTo(bx + stroke[0][0] * bw, by + (1 - stroke[0][1]) * bh)
        for px, py in stroke[1:]:
            p.lineTo(bx + px * bw, by + (1 - py) * bh)
        c.drawPath(p, stroke=1, fill=0)
    c.setLineCap(0)
    c.setLineJoin(0)


__all__ = ["draw_disclosure_box", "draw_qr", "draw_schedule_table", "render_contract"]
