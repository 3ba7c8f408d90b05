"""My loans: per loan progress, next due date and amount, the balance chart, the schedule with
paid rows marked, "Record a payment", a payoff quote, reminders, and its documents (the
signed contract, repayment statements)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import flet as ft

from domain.money import from_cents
from domain.statement_periods import WHOLE_LOAN, statement_months
from views import labels, palette
from views.charts import loan_chart, loan_legend
from views.context import ViewContext, run_in_background
from views.offer_detail import schedule_table
from views.shell import Screen
from views.widgets import N_, busy_row, empty_state, notice_line, panel, section_title, sem

#: A paid-out loan's repayment status, in a loan's and a lease's words.
STATUS = {
    "current": (N_("Up to date"), N_("Rent up to date")),
    "in_grace": (N_("Payment late, within the grace days"),
                 N_("Rent late, within the grace days")),
    "past_due": (N_("Past due"), N_("Past due")),
    "closed": (N_("Paid off"), N_("Paid off")),
}  # fmt: skip


def loans_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    user = ctx.state.user
    loans = ctx.services.my_loans(user.id) if user else []
    title = ctx.t("My loans")
    if not loans:
        return Screen(title=title, body=empty_state(
            "loans-empty", ft.Icons.ACCOUNT_BALANCE_OUTLINED,
            ctx.t("No loans yet — find a car, check your rate and sign an offer."),
            sem("loans-find", ft.FilledButton(ctx.t("Find a car"),
                                              on_click=lambda e: ctx.go("/cars")))))  # fmt: skip
    cards = [loan_card(ctx, loan) for loan in loans]
    return Screen(title=title, body=ft.ResponsiveRow(cards, key="loans-list", spacing=12))


def loan_card(ctx: ViewContext, loan) -> ft.Control:
    n = instalment_count(loan)
    name = labels.car_name(ctx, loan.vehicle) if loan.vehicle else ""
    return ft.Container(
        sem(f"loan-{loan.contract.id}", ft.Card(ft.Container(ft.Column([
            ft.Row([ft.Text(name, size=17, weight=ft.FontWeight.BOLD, expand=True),
                    ft.Icon(ft.Icons.CHEVRON_RIGHT, color=ft.Colors.ON_SURFACE_VARIANT)]),
            ft.Row([
                ft.Text(labels.lender_of(ctx, loan), size=12, color=ft.Colors.ON_SURFACE_VARIANT,
                        key=f"lender-of-{loan.contract.id}"),
                # the day it was signed tells apart two loans on one model
                ft.Text("· " + ctx.t("signed {date}", date=ctx.day(loan.contract.signed_at)),
                        size=12, color=ft.Colors.ON_SURFACE_VARIANT,
                        key=f"signed-of-{loan.contract.id}"),
            ], spacing=4),
            # which car: two loans on one model differ by their cars' colour and VIN
            *([ft.Text(" · ".join((labels.label(ctx, labels.COLOUR, loan.vehicle.colour),
                                   ctx.t("VIN ending {tail}", tail=loan.vehicle.vin[-6:]))),
                       size=12, color=ft.Colors.ON_SURFACE_VARIANT,
                       key=f"car-of-{loan.contract.id}")] if loan.vehicle else []),
            # the bar says nothing the line below does not; heard, it made the card a
            # progress bar a screen reader could not open
            *([] if loan.never_paid_out else [
                ft.Semantics(exclude_semantics=True, content=ft.ProgressBar(
                    value=loan.paid_count / n if n else 0, bar_height=8)),
                ft.Text(ctx.t(labels.of_kind(loan, N_("{paid} of {n} payments made"),
                                             N_("{paid} of {n} rent payments made")),
                              paid=loan.paid_count, n=n))]),
            # a loan with nothing more to pay says its status once, in the line for the next
            *([ft.Text(line, weight=ft.FontWeight.W_500)]
              if (line := next_payment(ctx, loan)) else []),
            ft.Text(status_text(ctx, loan), key=f"status-of-{loan.contract.id}",
                    color=status_colour(loan), weight=ft.FontWeight.W_500),
        ], spacing=6), padding=14, ink=True,
            on_click=lambda e: ctx.go(f"/loans/{loan.contract.id}")))),
        col={"xs": 12, "md": 6, "xl": 4},
    )  # fmt: skip


def status_text(ctx: ViewContext, loan) -> str:
    """Where the loan stands: waiting for its payout (or lapsed, or cancelled before it),
    then its repayment status."""
    if loan.cancelled:
        return ctx.t("Cancelled before the payout")
    if loan.car_taken:
        return ctx.t("Not accepted: another contract on this car came first")
    if loan.lapsed:
        return ctx.t("Lapsed: not paid out by the first repayment date")
    if not loan.paid_out:
        return ctx.t(labels.of_kind(loan, N_("Waiting for the lender's payout"),
                                    N_("Waiting for the lessor to pay for the car")))  # fmt: skip
    status = loan.status.status
    return ctx.t(labels.of_kind(loan, *STATUS[status])) if status in STATUS else status


class Coming(NamedTuple):
    """The payment to come: the first (the loan waits for its payout) or the next one due."""

    first: bool
    amount: Decimal
    due: date


def coming_payment(loan) -> Coming | None:
    """None once nothing is left to pay, or nothing ever will be."""
    if loan.never_paid_out:
        return None
    if not loan.paid_out:
        first = loan.quote.schedule[0]
        return Coming(True, first.payment, first.date)
    nxt = loan.status.next_due
    return None if nxt is None else Coming(False, from_cents(nxt.amount), nxt.date)


def next_payment(ctx: ViewContext, loan) -> str:
    """The payment to come in a line ("" if none)."""
    if (coming := coming_payment(loan)) is None:
        return ""
    amount, when = ctx.money(coming.amount), ctx.date(coming.due)
    if coming.first:
        said = labels.of_kind(
            loan, N_("First payment: {amount} on {date}"), N_("First rent: {amount} on {date}")
        )
    else:
        said = labels.of_kind(
            loan, N_("Next: {amount} on {date}"), N_("Next rent: {amount} on {date}")
        )
    return ctx.t(said, amount=amount, date=when)


def awaiting_payout(ctx: ViewContext, loan) -> list[ft.Control]:
    """A signed loan the lender has not paid out yet: nothing is owed, so nothing is recorded
    or quoted; in demo mode the buyer plays the lender (``Services.pay_out_demo``)."""
    user = ctx.state.user
    if user is None or user.role != "buyer":
        return []  # staff see it, and confirm it, on the application (views.dealer.payout_row)
    if loan.never_paid_out:
        return ended_before_payout(ctx, loan, user.id)
    lines: list[ft.Control] = [ft.Text(ctx.t(labels.of_kind(
        loan,
        N_("The lender pays the loan out to the dealership once the contract is signed, "
           "usually within a few working days. Your repayments start then; nothing is owed "
           "before it."),
        N_("The lessor pays the dealership for the car once the contract is signed, usually "
           "within a few working days. Your rent starts then; nothing is owed before it."),
    )), key="loan-awaiting-payout")]  # fmt: skip
    if not ctx.services.demo_mode:
        return lines  # the dealership confirms it; the status arrives by sync
    lines.append(demo_action(
        ctx, ctx.t(labels.of_kind(
            loan,
            N_("Demo: no lender stands behind the demo market, so you confirm its payout. In "
               "a live deployment the dealership confirms it when the money arrives, and the "
               "loan updates here."),
            N_("Demo: no lessor stands behind the demo market, so you confirm its payment for "
               "the car. In a live deployment the dealership confirms it when the money "
               "arrives, and the lease updates here."),
        )),
        "loan-pay-out",
        ctx.t(labels.of_kind(loan, N_("Pay the loan out as the lender"),
                             N_("Pay for the car as the lessor"))),
        ft.Icons.ACCOUNT_BALANCE_OUTLINED,
        lambda: ctx.services.pay_out_demo(user.id, loan.application.id),
        ctx.t(labels.of_kind(
            loan, N_("The lender paid the loan out: your repayments have started."),
            N_("The lessor paid for the car: your rent payments have started.")))))  # fmt: skip
    return lines


def ended_before_payout(ctx: ViewContext, loan, user_id: str) -> list[ft.Control]:
    """A contract that will never be paid out: cancelled by the dealership, refused by the
    server (another contract on the car reached it first), or lapsed (its first repayment
    date came first), which the dealership cancels; in demo mode the buyer plays the
    dealership (``Services.cancel_demo``)."""
    if loan.cancelled:
        return [ft.Text(ctx.t(
            "The dealership cancelled this contract before the lender paid the loan out: "
            "nothing is owed. Check your rate again for a new contract."),
            key="loan-cancelled")]  # fmt: skip
    if loan.car_taken:
        return [ft.Text(ctx.t(
            "Another contract on this car reached Chedai before yours, so yours was not "
            "accepted: a car is financed once. Nothing is owed, and it will not be paid out. "
            "Ask the dealership about another car, then check your rate for it."),
            key="loan-car-taken")]  # fmt: skip
    lines: list[ft.Control] = [ft.Text(ctx.t(
        "The lender did not pay this loan out before its first repayment date, {date}, so "
        "the contract has lapsed: nothing is owed, and it will not be paid out. The "
        "dealership cancels it; check your rate again for a new contract.",
        date=ctx.date(loan.pay_out_by)), key="loan-lapsed")]  # fmt: skip
    if not ctx.services.demo_mode:
        return lines
    lines.append(demo_action(
        ctx, ctx.t("Demo: no dealership stands behind the demo market, so you cancel it as its "
                   "staff would."),
        "loan-cancel", ctx.t("Cancel the contract as the dealership"), ft.Icons.BLOCK,
        lambda: ctx.services.cancel_demo(user_id, loan.application.id),
        ctx.t("The contract is cancelled: nothing is owed.")))  # fmt: skip
    return lines


def demo_action(
    ctx: ViewContext, note: str, key: str, label: str, icon, act, done: str
) -> ft.Control:
    """What the demo lets the buyer do in another party's place: ``note`` says so, and the
    button ``key`` does it (``act()``; ``done`` is said once it has, a refusal instead)."""

    def clicked(e) -> None:
        if ctx.attempt(act):
            ctx.tell(done)

    return ft.Container(ft.Column([
        ft.Text(note, size=13, key="loan-demo-note"),
        sem(key, ft.FilledTonalButton(label, icon=icon, on_click=clicked)),
    ], spacing=6), padding=12, border_radius=12,
        bgcolor=ft.Colors.SECONDARY_CONTAINER)  # fmt: skip


def loan_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    loan = ctx.services.loan(state.user.id, params["id"]) if state.user else None
    if loan is None:
        return Screen(title=ctx.t("Loan"), body=empty_state(
            "loan-missing", ft.Icons.ACCOUNT_BALANCE_OUTLINED, ctx.t("No such loan."),
            ft.TextButton(ctx.t("My loans"), on_click=lambda e: ctx.go("/loans"))))  # fmt: skip
    return loan_detail(ctx, loan)


#: How each kind of payment event is named in the list of payments made.
PAYMENT_KINDS = {
    "instalment": N_("Payment made"),
    "prepayment": N_("Early repayment"),
    "late_fee": N_("Late fee"),
}


def past_due_box(ctx: ViewContext, st, fill) -> list[ft.Control]:
    """What is overdue, how late, and the fees it has run up, in the error colours, with a
    tap that puts all of it in the amount to record (``fill(text)``)."""
    if st.past_due_amount <= 0:
        return []
    owed = from_cents(st.past_due_amount + st.fees_due)
    text = ctx.tn(
        "Overdue: {amount}, {days} day late · late fees so far {fees}",
        "Overdue: {amount}, {days} days late · late fees so far {fees}",
        st.days_past_due,
        amount=ctx.money(from_cents(st.past_due_amount)),
        days=st.days_past_due,
        fees=ctx.money(from_cents(st.fees_due)),
    )
    return [
        ft.Container(
            ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.ON_ERROR_CONTAINER),
                    ft.Text(text, color=ft.Colors.ON_ERROR_CONTAINER, expand=True,
                            key="loan-past-due")]),
            bgcolor=ft.Colors.ERROR_CONTAINER, padding=12, border_radius=12,
        ),
        sem("loan-overdue-fill", ft.TextButton(
            ctx.t("Fill in the overdue amount with its fees ({amount})", amount=ctx.money(owed)),
            icon=ft.Icons.DONE, on_click=lambda e: fill(f"{owed:.2f}"))),
    ]  # fmt: skip


def payments_made(ctx: ViewContext, payments) -> list[ft.Control]:
    """The payments recorded on the loan (``payments`` oldest first, as stored), newest first."""
    if not payments:
        return []
    rows = [
        ft.Row([
            ft.Text(ctx.date(p.paid_on), width=120),
            ft.Text(ctx.t(PAYMENT_KINDS.get(p.kind.value, p.kind.value)) if p.reversed_on is None
                    else ctx.t("Reversed on {date}: not counted", date=ctx.date(p.reversed_on)),
                    color=None if p.reversed_on is None else ft.Colors.ERROR, expand=True),
            ft.Text(ctx.money(p.amount), weight=ft.FontWeight.W_500, style=None
                    if p.reversed_on is None
                    else ft.TextStyle(decoration=ft.TextDecoration.LINE_THROUGH)),
        ], key=f"payment-{p.id}")
        for p in reversed(payments)
    ]  # fmt: skip
    return [panel([section_title(ctx.t("Payments made"), key="loan-payments"), *rows])]


def filler(ctx: ViewContext, cid: str):
    """What puts an amount in the loan's "Record a payment" field (recording it is the
    user's tap)."""
    state = ctx.state

    def fill(amount: str) -> None:
        state.payment_draft[cid] = amount
        state.payment_error.pop(cid, None)
        state.notify()

    return fill


def record_panel(ctx: ViewContext, loan) -> ft.Control:
    """The "Record a payment" form: the amount (the next instalment until the user types
    another) and the button, with its progress and its outcome."""
    state = ctx.state
    nxt = loan.status.next_due
    cid = loan.contract.id
    draft = state.payment_draft
    suggested = f"{from_cents(nxt.amount):.2f}" if nxt else ""

    def pay(e) -> None:
        amount = draft.get(cid) or suggested

        def done(_) -> None:
            draft.pop(cid, None)
            ctx.tell(ctx.t("Payment recorded"))

        def failed(exc: Exception) -> None:
            if not hasattr(exc, "rule"):
                return ctx.fail(exc)
            state.payment_error[cid] = ctx.error(exc)  # next to the amount, which is kept
            state.notify()

        def work() -> None:
            ctx.services.record_payment(cid, amount)

        state.payment_error.pop(cid, None)
        run_in_background(ctx, "pay", N_("Recording the payment…"), work, done, failed)

    payment_field = sem("pay-amount", ft.TextField(
        label=ctx.t("Amount (¥)"), width=200, value=draft.get(cid) or suggested,
        error=state.payment_error.get(cid),
        on_change=lambda e: draft.__setitem__(cid, e.control.value or ""),
        keyboard_type=ft.KeyboardType.NUMBER))  # fmt: skip
    record = ctx.t(labels.of_kind(loan, N_("Record a payment"), N_("Record a rent payment")))
    controls: list[ft.Control] = [
        section_title(record),
        ft.Text(ctx.t(labels.of_kind(
                    loan,
                    N_("For a repayment already made to the lender, by bank transfer or at the "
                       "dealership: recording it moves no money."),
                    N_("For a rent payment already made to the lessor, by bank transfer or at "
                       "the dealership: recording it moves no money."))),
                size=13, color=ft.Colors.ON_SURFACE_VARIANT, key="pay-what"),
        ft.Row([payment_field, sem("pay-record", ft.FilledButton(
            record, icon=ft.Icons.PAYMENTS_OUTLINED, on_click=pay,
            disabled="pay" in state.busy))], wrap=True),
    ]  # fmt: skip
    if (row := busy_row(ctx, "pay")) is not None:
        controls.append(row)
    return panel(controls, key="loan-record")


def alerts(ctx: ViewContext, loan, fill) -> list[ft.Control]:
    """What asks for the buyer's attention first: what is overdue, the instalments falling
    due soon, money paid beyond what is owed."""
    st = loan.status
    controls = past_due_box(ctx, st, fill)
    for r in loan.reminders:
        amount = ctx.money(from_cents(r.amount))
        text = (ctx.tn("Instalment {n} of {amount} is due in {days} day ({date})",
                       "Instalment {n} of {amount} is due in {days} days ({date})", r.days,
                       n=r.instalment, amount=amount, days=r.days, date=ctx.date(r.due))
                if r.kind == "upcoming" else
                ctx.tn("Instalment {n} of {amount} is {days} day overdue",
                       "Instalment {n} of {amount} is {days} days overdue", r.days,
                       n=r.instalment, amount=amount, days=r.days))  # fmt: skip
        controls.append(ft.Row([
            ft.Icon(ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED, color=ft.Colors.PRIMARY),
            ft.Text(text, expand=True),
        ], key=f"reminder-{r.instalment}"))  # fmt: skip
    if st.overpaid > 0:
        controls.append(ft.Text(ctx.t(labels.of_kind(
            loan,
            N_("{amount} was paid beyond what is owed: the lender owes it back to you."),
            N_("{amount} was paid beyond what is owed: the lessor owes it back to you.")),
            amount=ctx.money(from_cents(st.overpaid))), key="loan-overpaid"))  # fmt: skip
    return controls


def payoff_panel(ctx: ViewContext, loan, fill) -> list[ft.Control]:
    """Repaying the whole loan early: the quote (its amount, the day it is good until and
    what it is made of) with a tap that puts it in the amount to record; or why the loan
    cannot be repaid early yet; nothing once there is nothing left to repay."""
    if loan.payoff_refused == "prepayment_not_allowed":  # the engine's own lockout verdict
        pre = loan.servicing.prepayment
        return [panel([
            section_title(ctx.t("Repay early")),
            ft.Text(no_payoff_yet(ctx, loan, pre),
                    key="loan-no-payoff", color=ft.Colors.ON_SURFACE_VARIANT),
        ])]  # fmt: skip
    quote = loan.payoff
    if quote is None:
        return []

    def part(label: str, cents: int, key: str) -> ft.Control:
        return ft.Row([
            ft.Text(label, expand=True, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Text(ctx.money(from_cents(cents)), key=key),
        ])  # fmt: skip

    amount = from_cents(quote.amount)
    return [panel([
        section_title(ctx.t("Repay early")),
        ft.Text(ctx.t(labels.of_kind(loan, N_("To pay off the whole loan"),
                                     N_("To pay off the whole lease"))),
                size=13, color=ft.Colors.ON_SURFACE_VARIANT),
        ft.Text(ctx.money(amount), size=20, weight=ft.FontWeight.W_600, key="loan-payoff"),
        ft.Text(ctx.t("Valid until {date}", date=ctx.date(quote.valid_until)),
                key="loan-payoff-until"),
        part(ctx.t(labels.balance_label(loan.quote, N_("Principal"),
                                        N_("Outstanding amount financed"))),
             quote.principal, "loan-payoff-principal"),
        part(ctx.t("Interest to that day"), quote.interest, "loan-payoff-interest"),
        part(ctx.t("Fees"), quote.fees, "loan-payoff-fees"),
        *([ft.Text(ctx.t(payoff_words(loan, PAYOFF_FEE),
                         fee=ctx.money(from_cents(quote.prepayment_fee)),
                         rate=ctx.rate(loan.servicing.prepayment.fee_rate),
                         principal=ctx.money(from_cents(quote.early_principal))),
                   size=13, key="loan-payoff-fee")] if quote.prepayment_fee else []),
        # the rest of the principal is what the instalment in progress repays anyway
        *([ft.Text(ctx.t(payoff_words(loan, PAYOFF_FEE_FREE),
                         amount=ctx.money(from_cents(quote.principal - quote.early_principal))),
                   size=13, key="loan-payoff-fee-free")]
          if quote.prepayment_fee and quote.principal > quote.early_principal else []),
        ft.Row([sem("loan-payoff-fill", ft.TextButton(
            ctx.t("Fill in the payoff amount ({amount})", amount=ctx.money(amount)),
            icon=ft.Icons.DONE_ALL, on_click=lambda e: fill(f"{amount:.2f}")))],
            alignment=ft.MainAxisAlignment.END),
    ], key="loan-payoff-panel")]  # fmt: skip


#: The payoff's fee sentences, by (is a lease, counts down the amount financed): a lease is
#: paid off (提前结清) out of its rent, a loan repaid out of its instalment, and the fee's base
#: is named as the contract names it.
PAYOFF_FEE = {
    (False, False): N_(
        "The fees include the early-repayment fee, {fee}: {rate} of the "
        "{principal} of principal repaid ahead of its schedule."
    ),
    (False, True): N_(
        "The fees include the early-repayment fee, {fee}: {rate} of the "
        "{principal} of the amount financed repaid ahead of its schedule."
    ),
    (True, False): N_(
        "The fees include the early-payoff fee, {fee}: {rate} of the "
        "{principal} of principal paid off ahead of its schedule."
    ),
    (True, True): N_(
        "The fees include the early-payoff fee, {fee}: {rate} of the "
        "{principal} of the amount financed paid off ahead of its schedule."
    ),
}
PAYOFF_FEE_FREE = {
    (False, False): N_(
        "The other {amount} of principal is what this period's instalment "
        "repays after the interest to that day: no fee is charged on it."
    ),
    (False, True): N_(
        "The other {amount} of the amount financed is what this period's "
        "instalment repays after the interest to that day: no fee is charged on "
        "it."
    ),
    (True, False): N_(
        "The other {amount} of principal is what this period's rent pays off "
        "after the interest to that day: no fee is charged on it."
    ),
    (True, True): N_(
        "The other {amount} of the amount financed is what this period's rent "
        "pays off after the interest to that day: no fee is charged on it."
    ),
}


def payoff_words(loan, table: dict[tuple[bool, bool], str]) -> str:
    """The msgid of ``table`` for ``loan``'s kind and the basis its schedule counts down."""
    return table[bool(loan.lease), loan.quote.balance_on_amount_financed]


def no_payoff_yet(ctx: ViewContext, loan, pre) -> str:
    """Why the loan cannot be paid off now: never, or not before the lockout ends (the day
    and the count), in a lease's words for a lease."""
    n = pre.lockout_instalments
    day = ctx.date(lockout_ends(loan.quote.schedule, pre)) if pre.allowed else ""
    if loan.lease:
        if not pre.allowed:
            return ctx.t("This lease cannot be paid off early.")
        return ctx.tn("The lease can be paid off early from {date}, once {n} rent payment has "
                      "fallen due.",
                      "The lease can be paid off early from {date}, once {n} rent payments "
                      "have fallen due.", n, n=n, date=day)  # fmt: skip
    if not pre.allowed:
        return ctx.t("This loan cannot be repaid early.")
    return ctx.tn("Early repayment is possible from {date}, once {n} payment has fallen due.",
                  "Early repayment is possible from {date}, once {n} payments have fallen "
                  "due.", n, n=n, date=day)  # fmt: skip


def lockout_ends(schedule, prepayment):
    """The day early repayment opens: the due date of the instalment that ends the lockout
    (the schedule as signed: nothing was repaid early before it)."""
    return schedule[min(prepayment.lockout_instalments, len(schedule)) - 1].date


def documents_panel(ctx: ViewContext, loan) -> ft.Control:
    """The loan's documents, each opened in a new tab: the signed contract, and once the loan
    is paid out a repayment statement for a month of it (this one first) or all of it."""
    state = ctx.state
    cid = loan.contract.id
    user = state.user

    def open_contract(e) -> None:
        def act() -> None:
            url = ctx.services.signed_contract_url(user, cid)
            if url is None:
                ctx.tell(ctx.t("The signed PDF stays on the device the contract was signed on."))
            else:
                ctx.open_url(url)

        ctx.attempt(act)

    controls: list[ft.Control] = [
        section_title(ctx.t("Documents")),
        ft.Row([sem("loan-open-contract", ft.OutlinedButton(
            ctx.t("Signed contract (PDF)"), icon=ft.Icons.PICTURE_AS_PDF,
            on_click=open_contract))]),
    ]  # fmt: skip
    if loan.paid_out:
        months = statement_months(loan.quote.terms.loan_date, loan.as_of)
        period = state.statement_month.get(cid) or months[0]
        choices = [
            *(ft.DropdownOption(key=m, text=ctx.month(date(int(m[:4]), int(m[5:]), 1)))
              for m in months),
            ft.DropdownOption(key=WHOLE_LOAN, text=ctx.t("The whole loan so far")),
        ]  # fmt: skip

        def choose(e) -> None:
            state.statement_month[cid] = e.control.value or months[0]

        def open_statement(e) -> None:
            ctx.attempt(lambda: ctx.open_url(ctx.services.statement_url(
                user, cid, state.statement_month.get(cid) or months[0], ctx.locale)))  # fmt: skip

        controls.append(ft.Row([
            sem("loan-statement-period", ft.Dropdown(
                label=ctx.t("Statement for"), value=period, options=choices, dense=True,
                width=200, on_select=choose)),
            sem("loan-open-statement", ft.OutlinedButton(
                ctx.t("Statement (PDF)"), icon=ft.Icons.RECEIPT_LONG_OUTLINED,
                on_click=open_statement)),
        ], wrap=True, spacing=8, run_spacing=8))  # fmt: skip
    return panel(controls, key="loan-documents")


#: The colour each repayment status is said in.
STATUS_COLOURS = {
    "current": palette.GOOD,
    "in_grace": palette.WARN,
    "past_due": palette.BAD,
    "closed": palette.GOOD,
}


def instalment_count(loan) -> int:
    """How many instalments the loan has: as signed, or as an early repayment left them."""
    if loan.remaining is None:
        return len(loan.quote.schedule)
    return loan.paid_count + len(loan.remaining)


def status_colour(loan) -> str | None:
    """The colour a loan's status is said in: none until it is paid out."""
    return STATUS_COLOURS.get(loan.status.status) if loan.paid_out else None


def summary_panel(ctx: ViewContext, loan) -> ft.Control:
    """The loan at a glance: payments made of all (a ring; a loan never to be paid out has
    none to count), where it stands, its lender, the payment to come and the principal
    outstanding (or the loan to be paid out)."""
    st = loan.status
    n = instalment_count(loan)
    ring = ft.Stack([
        ft.ProgressRing(value=loan.paid_count / n if n else 0, width=96, height=96,
                        stroke_width=10, key="loan-ring",
                        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST),
        ft.Container(ft.Text(f"{loan.paid_count}/{n}", size=18, weight=ft.FontWeight.BOLD),
                     width=96, height=96, alignment=ft.Alignment.CENTER),
    ], width=96, height=96) if not loan.never_paid_out else ft.Container(  # no payments to count
        ft.Icon(ft.Icons.BLOCK, size=48, color=ft.Colors.ON_SURFACE_VARIANT, key="loan-ended"),
        width=96, height=96, alignment=ft.Alignment.CENTER)  # fmt: skip
    colour = status_colour(loan)
    coming = coming_payment(loan)
    facts = ft.Column([
        ft.Text(status_text(ctx, loan), size=18, weight=ft.FontWeight.BOLD, color=colour,
                key="loan-status"),
        ft.Text(labels.lender_of(ctx, loan), size=13, color=ft.Colors.ON_SURFACE_VARIANT,
                key="loan-lender"),
        # the figure the buyer comes back for is the largest on the screen
        *([ft.Text(ctx.t("First payment, due {date}", date=ctx.date(coming.due)) if coming.first
                   else ctx.t("Next payment, due {date}", date=ctx.date(coming.due)),
                   size=13, key="loan-next"),
           ft.Text(ctx.money(coming.amount), size=28, weight=ft.FontWeight.BOLD,
                   key="loan-next-amount")] if coming else []),
        ft.Text(ctx.t(labels.balance_label(loan.quote, N_("Outstanding principal {amount}"),
                                           N_("Outstanding amount financed {amount}")),
                      amount=ctx.money(from_cents(st.outstanding_principal))) if loan.paid_out
                else "" if loan.never_paid_out
                else ctx.t(labels.of_kind(loan, N_("To be paid out to the dealership {amount}"),
                                          N_("To be paid to the dealership for the car {amount}")),
                           amount=ctx.money(loan.quote.amount_financed)),
                key="loan-principal"),
    ], spacing=4, expand=True)  # fmt: skip
    # what the buyer just did (a payment recorded, the payout confirmed) is said here, at
    # the top, not under a form it may have nothing to do with
    notice = notice_line(ctx, "loan-notice")
    return panel(
        [ft.Row([ring, facts], spacing=16), *([notice] if notice else [])], key="loan-summary"
    )


class Remaining(NamedTuple):
    """The instalments left, shaped as the schedule table reads a quote (no loan years;
    the balance named as the signed quote's)."""

    schedule: tuple
    balance_on_amount_financed: bool
    yearly: tuple = ()


def schedule_section(ctx: ViewContext, loan) -> list[ft.Control]:
    """The schedule: as signed, its paid rows ticked; or, once an early repayment changed
    it, the instalments left as the loan now stands."""
    if loan.remaining is None:
        return [
            section_title(ctx.t(
                labels.of_kind(loan, N_("Payment schedule as signed"),
                               N_("Rent schedule as signed")) if loan.never_paid_out
                else labels.of_kind(loan, N_("Payment schedule"), N_("Rent schedule")))),
            schedule_table(ctx, loan.quote, paid=loan.paid_count, lease=loan.lease),
        ]  # fmt: skip
    return [
        section_title(ctx.t(labels.of_kind(loan, N_("Payment schedule after your early repayment"),
                                           N_("Rent schedule after your early payment"))),
                      key="loan-remaining"),
        ft.Text(ctx.t("What is left to pay, each instalment paid on its date. The schedule as "
                      "signed is in your contract."),
                size=13, color=ft.Colors.ON_SURFACE_VARIANT),
        schedule_table(
            ctx, Remaining(loan.remaining, loan.quote.balance_on_amount_financed),
            lease=loan.lease,
        ),
    ]  # fmt: skip


def loan_detail(ctx: ViewContext, loan) -> Screen:
    """One loan: its summary, what needs attention, "Record a payment" and the payoff quote,
    then the balance chart, the payments made and the schedule (the buyer's own loan, or a
    walk-in customer's on the dealer's tablet); a loan not paid out yet says it waits for
    the payout instead of taking payments. From a tablet up the chart sits beside the tasks."""
    tasks: list[ft.Control] = [summary_panel(ctx, loan)]
    if loan.paid_out:
        fill = filler(ctx, loan.contract.id)
        tasks += [*alerts(ctx, loan, fill), record_panel(ctx, loan), *payoff_panel(ctx, loan, fill)]
    else:
        tasks += awaiting_payout(ctx, loan)
    figures: list[ft.Control] = []
    if not loan.never_paid_out:  # a balance never lent has no course to chart
        figures.append(panel([
            section_title(ctx.t(labels.balance_label(loan.quote, N_("Balance over time"),
                                                     N_("Financed balance over time")))),
            loan_legend(ctx, loan.quote),
            # as the loan went and goes on, once an early repayment changed its course
            ft.Container(loan_chart(ctx, loan.quote, loan.course or loan.quote.schedule,
                                    key="loan-chart", paid=loan.paid_count), height=230),
        ]))  # fmt: skip
    figures += payments_made(ctx, loan.payments)
    if ctx.state.user is not None:
        figures.append(documents_panel(ctx, loan))
    stretch = ft.CrossAxisAlignment.STRETCH
    top = ft.ResponsiveRow([
        ft.Column(tasks, spacing=12, horizontal_alignment=stretch, col={"xs": 12, "md": 6}),
        ft.Column(figures, spacing=12, horizontal_alignment=stretch, col={"xs": 12, "md": 6}),
    ], spacing=12, run_spacing=12)  # fmt: skip
    controls = [top, *schedule_section(ctx, loan)]
    name = labels.car_name(ctx, loan.vehicle) if loan.vehicle else ctx.t("Loan")
    return Screen(title=name, body=ft.Column(controls, spacing=12, key="loan"))
