"""Contract: the disclosure box, the PDF to open, the e-signature consent, the signature pad,
"Sign" with progress, then the verification result (who signed, when, intact)."""

from __future__ import annotations

from datetime import UTC, datetime

import flet as ft

from domain.errors import InputError
from domain.privacy import mask_id_number
from views import labels, palette
from views.context import ViewContext, run_in_background
from views.offer_detail import disclosure_box, find_offer
from views.shell import Screen
from views.signature import PAD_W, PAD_W_WIDE, signature_pad
from views.widgets import (
    N_,
    ask_twice,
    busy_row,
    empty_state,
    notice_line,
    section_title,
    sem,
)

ESIGN_TEXT = N_(
    "I agree to receive this contract and its disclosures electronically and to sign it "
    "electronically. I may ask for a paper copy at any time, free of charge, from the dealer "
    "or the lender, and I may withdraw this consent before signing by leaving this screen. "
    "This consent covers this contract only. To read it I need a device that opens PDF files; "
    "I have just opened it on this one."
)


def contract_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    pid = params["id"]
    offer = find_offer(ctx, pid)
    title = ctx.t("Contract")
    if offer is None or state.user is None:
        return Screen(title=title, body=empty_state(
            "contract-missing", ft.Icons.DESCRIPTION_OUTLINED,
            ctx.t("Choose an offer first: the contract is made from it."),
            ft.TextButton(ctx.t("My offers"), on_click=lambda e: ctx.go("/offers"))))  # fmt: skip
    signed = state.contract
    if signed is not None and signed.record.application_id == state.prequal_result.application_id:
        return Screen(title=title, body=signed_view(ctx, signed), page="signed")
    draft = state.contract_draft
    buyer_id = state.customer_user_id or state.user.id
    # a walk-in's mobile number, as the staff typed it at the desk (a buyer's is in their profile)
    phone = state.customer.get("phone", "") if state.customer_user_id else ""
    lender = ctx.services.lender_name(offer.product.lender_id, ctx.locale)
    if draft["identity"] is None and not draft["who"].get("asked"):
        draft["identity"] = ctx.services.known_identity(buyer_id)  # once per contract
        draft["who"]["asked"] = True
    identity = draft["identity"]

    def open_pdf(e) -> None:
        application_id = state.prequal_result.application_id

        def work() -> str:
            deal = ctx.services.contract_deal(
                state.prequal_result,
                pid,
                buyer_id,
                locale=ctx.locale,
                identity=identity,
                phone=phone,
            )
            name = ctx.services.contract_preview(deal, ctx.locale, application_id)
            return ctx.services.contract_url(state.user, application_id, name)

        def done(url: str) -> None:
            draft["pdf_opened"] = True
            ctx.open_url(url)
            state.notify()

        run_in_background(ctx, "pdf", N_("Preparing the contract…"), work, done, ctx.fail)

    def consent(e) -> None:
        draft["consented_at"] = datetime.now(UTC) if e.control.value else None
        state.notify()

    def clear(e) -> None:
        draft["strokes"].clear()
        state.notify()

    def sign(e) -> None:
        signing = state.contract_draft  # as it is now, not as it was when the screen was drawn
        consented_at = signing["consented_at"]
        strokes = [list(s) for s in signing["strokes"] if len(s) > 1]

        def work():
            return ctx.services.sign_contract(
                state.prequal_result, pid, buyer_id, consented_at=consented_at,
                strokes=strokes, locale=ctx.locale, identity=signing["identity"], phone=phone,
            )  # fmt: skip

        def done(result) -> None:
            state.contract = result
            state.set_notice(None)

        run_in_background(ctx, "sign", N_("Signing and verifying…"), work, done, ctx.fail)

    review = ctx.services.review_state(state.prequal_result.application_id)
    if review == "declined":  # nothing to sign: what was offered, what was decided, and back
        offers = "/handoff/offers" if state.handed_to_customer else "/offers"
        return Screen(title=title, body=ft.Column([
            disclosure_box(ctx, offer, lender),
            review_panel(ctx, review, state.prequal_result.application_id),
            sem("contract-back-to-offers", ft.OutlinedButton(
                ctx.t("My offers"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: ctx.go(offers))),
        ], spacing=10, key="contract"))  # fmt: skip
    has_ink = any(len(s) > 1 for s in draft["strokes"])
    busy = busy_row(ctx, "sign")
    who = who_signs(ctx, buyer_id, draft)
    controls: list[ft.Control] = [
        disclosure_box(ctx, offer, lender),
        *who,
        section_title(ctx.t("1. Read the contract")),
        sem("contract-open-pdf", ft.OutlinedButton(
            ctx.t("Open the contract (PDF)"), icon=ft.Icons.PICTURE_AS_PDF, on_click=open_pdf,
            disabled="pdf" in state.busy or identity is None)),
        *([row] if (row := busy_row(ctx, "pdf")) is not None else []),
        section_title(ctx.t("2. Consent to electronic signing")),
        ft.Text(ctx.t(ESIGN_TEXT), key="esign-text"),
        sem("contract-consent", ft.Checkbox(
            label=ctx.t("I agree to sign electronically"),
            value=draft["consented_at"] is not None, disabled=not draft["pdf_opened"],
            on_change=consent)),
        section_title(ctx.t("3. Sign here")),
        signature_pad(draft["strokes"], key="signature-pad", on_change=state.notify,
                      label=ctx.t("Signature pad: draw your signature here"),
                      width=PAD_W_WIDE if ctx.content_width >= PAD_W_WIDE else PAD_W),
        ft.Row([
            sem("signature-clear", ft.TextButton(ctx.t("Clear"), on_click=clear)),
            sem("contract-sign", ft.FilledButton(
                ctx.t("Sign"), icon=ft.Icons.DRAW,
                disabled=draft["consented_at"] is None or not has_ink or busy is not None
                or review == "pending",
                on_click=sign)),
        ], wrap=True),
    ]  # fmt: skip
    if not draft["pdf_opened"]:
        controls.insert(3 + len(who), ft.Text(
            ctx.t("Open the PDF first: it shows that this device can read the contract."),
            size=12, color=ft.Colors.ON_SURFACE_VARIANT))  # just below its button  # fmt: skip
    if review is not None:
        controls.insert(1, review_panel(ctx, review, state.prequal_result.application_id))
    if busy is not None:
        controls.append(busy)
    if (notice := notice_line(ctx, "contract-error")) is not None:
        controls.append(notice)
    return Screen(title=title, body=ft.Column(controls, spacing=10, key="contract"))


IDENTITY_CONSENT_TEXT = N_(
    "I agree that my ID card number is processed to name me on this contract and to check who "
    "signs it. It is sensitive personal data: it is stored encrypted, shown masked, and shared "
    "only with the lender of this contract."
)


def who_signs(ctx: ViewContext, buyer_id: str, draft: dict) -> list[ft.Control]:
    """Who the contract names: the signer's name and masked ID card number; when the device
    does not know them (a new account, a walk-in), the signer declares them here first, with
    a separate consent to processing the number."""
    title = section_title(ctx.t("Who signs"))
    identity = draft["identity"]
    if identity is not None:
        return [title, sem("contract-who", ft.Text(ctx.t(
            "{name} · ID card {number}", name=identity.name,
            number=mask_id_number(identity.id_number))))]  # fmt: skip
    who = draft["who"]
    errors = who["errors"]

    def typed(name: str):
        def on_change(e) -> None:
            who[name] = e.control.value or ""

        return on_change

    def agree(e) -> None:
        who["consented_at"] = datetime.now(UTC) if e.control.value else None
        errors.pop("identity.consent", None)
        ctx.state.notify()

    def confirm(e) -> None:
        errors.clear()
        try:
            draft["identity"] = ctx.services.confirm_identity(
                buyer_id, who.get("name", ""), who.get("id_number", ""),
                consented_at=who.get("consented_at"),
            )  # fmt: skip
        except InputError as exc:
            errors[exc.field] = exc
        ctx.state.notify()

    def shown(name: str) -> str | None:
        return ctx.error(errors[name]) if name in errors else None

    return [
        title,
        ft.Text(ctx.t("The contract names you as on your resident ID card. The lender checks "
                      "it with a real-name service before paying out."), size=13),
        sem("identity-name", ft.TextField(
            label=ctx.t("Name as on your ID card"), value=who.get("name", ""), width=360,
            on_change=typed("name"), error=shown("identity.name"))),
        # hidden as typed, on a tablet others can see: the eye shows it to check
        sem("identity-number", ft.TextField(
            label=ctx.t("ID card number"), value=who.get("id_number", ""), width=360,
            max_length=18, password=True, can_reveal_password=True,
            on_change=typed("id_number"), error=shown("identity.id_number"))),
        ft.Text(ctx.t(IDENTITY_CONSENT_TEXT), size=12, key="identity-consent-text"),
        sem("identity-consent", ft.Checkbox(
            label=ctx.t("I agree to the processing of my ID number"),
            value=who.get("consented_at") is not None, on_change=agree,
            error=shown("identity.consent"))),
        sem("identity-confirm", ft.FilledTonalButton(
            ctx.t("Confirm who signs"), icon=ft.Icons.BADGE, on_click=confirm)),
    ]  # fmt: skip


def review_panel(
    ctx: ViewContext, review: str, application_id: str, *, staff: bool = False
) -> ft.Control:
    """Where the manual review of a flagged application stands; in demo mode, while it is
    pending, the user plays the lender's reviewer (no one else is behind the demo market) —
    the buyer on their own device, the staff on their application screen, never a customer
    holding the staff's tablet."""
    if review == "approved":
        text = ctx.t("A person at the lender reviewed the application and approved it: you can "
                     "sign.")  # fmt: skip
        return ft.Text(text, color=palette.GOOD, key="contract-reviewed")
    if review == "declined":
        text = ctx.t("After review, the lender declined this application: it cannot be signed.")
        return ft.Text(text, color=ft.Colors.ERROR, key="contract-declined")
    pending = (
        ctx.t("This offer is provisional: a person at the lender reviews the application "
              "before it can be signed.") if staff
        else ctx.t("This offer is provisional: a person at the lender reviews the application "
                   "before it can be signed. You can read the contract now.")
    )  # fmt: skip
    lines: list[ft.Control] = [ft.Text(pending, color=palette.WARN, key="contract-in-review")]
    if not ctx.services.demo_mode:
        return ft.Column(lines, spacing=6)
    if ctx.state.handed_to_customer:  # the customer holding the staff's tablet is no reviewer
        lines.append(ft.Text(
            ctx.t("Demo: the staff play the lender's reviewer on their tablet, once you hand it "
                  "back."), size=13, key="contract-demo-reviewer-staff"))  # fmt: skip
        return ft.Column(lines, spacing=6)

    def decide(approve: bool) -> None:
        if ctx.attempt(lambda: ctx.services.review_application(application_id, approve=approve)):
            ctx.state.expanded.discard("review-decline")
            ctx.tell(ctx.t("The reviewer approved the application.") if approve
                     else ctx.t("The reviewer declined the application."))  # fmt: skip

    lines += [
        ft.Text(ctx.t("Demo: no lender stands behind the demo market, so you play its reviewer. "
                      "In a live deployment the lender decides, and the decision arrives here."),
                size=13, key="contract-demo-reviewer"),
        ft.Row([
            sem("review-approve", ft.FilledTonalButton(
                ctx.t("Approve as the reviewer"), icon=ft.Icons.TASK_ALT,
                on_click=lambda e: decide(True))),
            *ask_twice(ctx, "review-decline",
                       ("review-decline", "review-decline-consequence", "review-keep",
                        "review-decline-confirm"),
                       ask=ctx.t("Decline as the reviewer"),
                       consequence=ctx.t("Declining ends this application: its offers cannot "
                                         "be signed, and a new check starts afresh."),
                       confirm=ctx.t("Decline the application"),
                       on_confirm=lambda e: decide(False)),
        ], wrap=True),
    ]  # fmt: skip
    box = ft.Container(ft.Column(lines, spacing=6), padding=12, border_radius=12,
                       bgcolor=ft.Colors.SECONDARY_CONTAINER, key="contract-review")  # fmt: skip
    return box


def signed_view(ctx: ViewContext, signed) -> ft.Control:
    v = signed.verification
    ok = v.valid and v.disclosure_matches_engine
    rows: list[ft.Control] = [
        ft.Row([
            ft.Icon(ft.Icons.VERIFIED if ok else ft.Icons.ERROR,
                    color=palette.GOOD if ok else ft.Colors.ERROR, size=36),
            ft.Text(ctx.t("Signed and verified: the document is intact.") if ok
                    else ctx.t("The signatures could not be verified."),
                    size=18, weight=ft.FontWeight.BOLD, key="verify-result", expand=True),
        ]),
    ]  # fmt: skip
    loan = signed_loan(ctx, signed)
    for s in v.signers:
        # the lender as the reader's language names it (the signature holds the contract's)
        name = labels.lender_of(ctx, loan) if s.role == "lender" and loan else s.name
        rows.append(ft.Text(
            ctx.t("{name} ({role}) signed at {when}: {state}", name=name,
                  role=ctx.t(labels.of_kind(loan, N_("buyer"), N_("lessee"))
                             if s.role == "buyer" else
                             labels.of_kind(loan, N_("lender"), N_("lessor"))),
                  when=_when(ctx, s.signed_at),
                  state=ctx.t("signature valid") if s.intact and s.trusted
                  else ctx.t("signature NOT valid")),
            key=f"signer-{s.role}"))  # fmt: skip
    rows += what_happens_next(ctx, loan)
    sha = signed.record.pdf_sha256
    rows.append(ft.Text(ctx.t("Document fingerprint (SHA-256): {sha}", sha=sha), size=11,
                        selectable=True))  # fmt: skip
    # a walk-in has no loans of their own here: their last screen says what comes next
    walk_in = ctx.state.handed_to_customer
    rows.append(ft.Row([
        open_signed_button(ctx, signed),
        sem("contract-to-loans", ft.FilledButton(
            ctx.t("Done") if walk_in else ctx.t("Go to my loans"),
            on_click=lambda e: ctx.go("/handoff/done" if walk_in else "/loans"))),
    ], wrap=True))  # fmt: skip
    return ft.Column(rows, spacing=10, key="contract-signed")


def open_signed_button(ctx: ViewContext, signed) -> ft.Control:
    """The signed PDF, to read, keep or print: the signer's copy."""
    return sem("contract-open-signed", ft.OutlinedButton(
        ctx.t("Open the signed PDF"), icon=ft.Icons.PICTURE_AS_PDF,
        on_click=lambda e: ctx.open_url(ctx.services.contract_url(
            ctx.state.user, signed.record.application_id, signed.file_name))))  # fmt: skip


def signed_loan(ctx: ViewContext, signed):
    """The loan a contract just signed makes (None when the screen has no buyer to ask)."""
    state = ctx.state
    buyer = state.customer_user_id or (state.user.id if state.user else None)
    return ctx.services.loan(buyer, signed.record.id) if buyer else None


def what_happens_next(ctx: ViewContext, loan) -> list[ft.Control]:
    """After signing: the payout, then the first repayment, from the loan as signed."""
    if loan is None:
        return []
    q = loan.quote
    first = q.schedule[0]
    lender, fees = labels.lender_of(ctx, loan), q.withheld_fees
    # what the dealership receives is the loan less the fees the lender keeps from it
    payout = (
        ctx.t(
            labels.of_kind(
                loan,
                N_(
                    "1. {lender} pays the loan out to the dealership less its fees of {fees}: "
                    "{amount}, usually within a few working days."
                ),
                N_(
                    "1. {lender} pays the dealership for the car less its fees of {fees}: "
                    "{amount}, usually within a few working days."
                ),
            ),
            lender=lender,
            fees=ctx.money(fees),
            amount=ctx.money(q.amount_financed),
        )
        if fees
        else ctx.t(
            labels.of_kind(
                loan,
                N_(
                    "1. {lender} pays the loan, {amount}, out to the dealership, usually "
                    "within a few working days."
                ),
                N_(
                    "1. {lender} pays the dealership for the car, {amount}, usually within a "
                    "few working days."
                ),
            ),
            lender=lender,
            amount=ctx.money(q.amount_financed),
        )
    )
    begins = labels.of_kind(
        loan,
        N_("2. Then the repayments begin: the first of {n}, {amount}, on {date}."),
        N_("2. Then the rent payments begin: the first of {n}, {amount}, on {date}."),
    )
    lapses = labels.of_kind(
        loan,
        N_(
            "If the loan is not paid out by that date, the contract lapses: nothing is owed, "
            "and the dealership cancels it."
        ),
        N_(
            "If the lessor has not paid for the car by that date, the contract lapses: nothing "
            "is owed, and the dealership cancels it."
        ),
    )
    return [
        section_title(ctx.t("What happens next")),
        ft.Text(payout, key="signed-payout"),
        ft.Text(ctx.t(begins, n=len(q.schedule), amount=ctx.money(first.payment),
                      date=ctx.date(first.date)), key="signed-first-payment"),
        ft.Text(ctx.t(lapses), key="signed-lapse"),
    ]  # fmt: skip


def _when(ctx: ViewContext, iso: str | None) -> str:
    if not iso:
        return "-"
    try:
        return ctx.date(datetime.fromisoformat(iso))
    except ValueError:
        return iso
