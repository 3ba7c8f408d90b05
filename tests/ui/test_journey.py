"""The whole buyer journey, headless: catalogue -> car -> prequal -> offer -> contract signed
-> payment recorded; and the loans screens' empty state."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.i18n import DISPLAY_TZ
from domain.money import from_cents, to_cents
from tests.ui.conftest import signed_in
from tests.ui.flet_harness import visible
from tests.ui.test_contract import at_contract, draw, open_pdf
from views import palette

pytestmark = pytest.mark.asyncio


async def sign(h) -> None:
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100)])
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("verify-result"), timeout=60)


async def sign_and_pay_out(h) -> str:
    """Sign, then pay the loan out as the demo market's lender (the user plays it): the
    loan's screen, open and taking payments. The contract's id."""
    await sign(h)
    cid = h.state.contract.record.id
    await h.route(f"/loans/{cid}")
    await h.click("loan-pay-out")
    await h.wait_until(lambda: h.has("pay-record"))
    return cid


async def test_buyer_journey_from_catalogue_to_a_recorded_payment(world):
    h, _ = await at_contract(world)
    await sign(h)
    # signed: what happens next, from the loan as signed
    q = world.services.loan(world.buyer_id, h.state.contract.record.id).quote
    first = q.schedule[0]
    fees = q.principal - q.amount_financed
    assert h.find("signed-payout").value == (
        f"1. 华信银行将把贷款扣除费用 ¥{fees:,.2f} 后的 ¥{q.amount_financed:,.2f} 发放至经销商，"
        "通常需要几个工作日。"
        if fees
        else f"1. 华信银行将把贷款 ¥{q.amount_financed:,.2f} 发放至经销商，通常需要几个工作日。"
    )
    assert h.value("signed-first-payment") == (
        f"2. 随后开始还款：共 {len(q.schedule)} 期，首期 ¥{first.payment:,.2f}，"
        f"于 {first.date:%Y年%-m月%-d日} 到期。"
    )
    assert h.find("signed-lapse").value == (
        "若到首期还款日仍未放款，合同自动失效：您无需还款，经销商将为您办理取消手续。"
    )
    h.state.set_locale("en_US")  # the lender in the reader's language, as everywhere else
    assert h.find("signed-payout").value.startswith("1. Huaxin Bank pays the loan")
    h.state.set_locale("zh_CN")
    await h.click("contract-to-loans")
    assert h.top.route == "/loans"
    assert len(h.find_all("loan-")) == 1
    cid = h.state.contract.record.id
    await h.route(f"/loans/{cid}")
    # signed, not paid out yet: nothing is owed, so there is nothing to record
    assert h.find("loan-status").value == "等待贷款机构放款"
    first = h.state.prequal_result.offer(h.state.prequal_result.cheapest_id).quote.payment
    first_due = world.services.loan(world.buyer_id, cid).quote.schedule[0].date
    assert h.value("loan-next") == f"首期，{first_due:%Y年%-m月%-d日} 到期"
    assert h.value("loan-next-amount") == f"¥{first:,.2f}"
    assert h.has("loan-awaiting-payout") and not h.has("pay-record")
    await h.click("loan-pay-out")  # the demo market's lender: the user plays it
    await h.wait_until(lambda: h.has("pay-record"))
    assert h.find("loan-status").value == "还款正常"
    assert h.find("pay-amount").value == f"{first:.2f}"
    assert h.find("pay-what").value.endswith("登记本身不会扣款或转账。")  # it takes no money
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"))
    assert h.find("loan-notice").value == "已记录还款"
    loan = world.services.loan(world.buyer_id, cid)
    assert [p.amount for p in loan.payments] == [first]
    (paid,) = loan.payments  # listed under the payments made
    assert h.texts(h.find(f"payment-{paid.id}"))[1:] == ["还款", f"¥{first:,.2f}"]
    n = len(loan.quote.schedule)  # paid ahead of its due date, it counts as paid
    assert f"1/{n}" in h.text() and f"0/{n}" not in h.text()


async def test_a_finance_lease_says_the_lessor_pays_for_the_car_and_the_buyer_pays_rent(world):
    from sqlalchemy import update

    from domain.catalog import ProductKind
    from local_db.tables import LoanProductRow

    with world.services.session() as s:  # every product of the small market a finance lease
        s.execute(update(LoanProductRow).values(kind=ProductKind.FINANCE_LEASE.value))
        s.commit()
    h, _ = await at_contract(world)
    await sign(h)
    assert "向经销商支付车款" in h.value("signed-payout")
    assert h.value("signed-first-payment").startswith("2. 随后开始支付租金")
    assert "出租人仍未支付车款" in h.value("signed-lapse")
    assert "（承租人）" in h.value("signer-buyer") and "（出租人）" in h.value("signer-lender")
    await h.route(f"/loans/{h.state.contract.record.id}")
    assert h.value("loan-status") == "等待出租人支付车款"
    assert h.value("loan-awaiting-payout").startswith("合同签署后，出租人向经销商支付车款")
    assert h.value("loan-principal").startswith("待付车款 ¥")
    cid = h.state.contract.record.id
    loan = world.services.loan(world.buyer_id, cid)
    first = loan.quote.schedule[0]
    await h.route("/loans")  # the card counts rent paid, not loan repaid
    assert f"首期租金：{first.date:%Y年%-m月%-d日} 付 ¥{first.payment:,.2f}" in h.texts(
        h.find(f"loan-{cid}")
    )
    await h.route(f"/loans/{cid}")
    await h.click("loan-pay-out")  # the demo market's lessor: the user plays it
    await h.wait_until(lambda: h.has("pay-record"))
    assert h.value("pay-what").startswith("用于登记已付给出租人的租金")
    assert h.value("loan-status") == "租金支付正常"
    assert "贷款机构" not in h.text()
    await h.route("/loans")
    said = h.texts(h.find(f"loan-{cid}"))
    assert f"已付 0 / {len(loan.quote.schedule)} 期租金" in said
    assert f"下一期租金：{first.date:%Y年%-m月%-d日} 付 ¥{first.payment:,.2f}" in said
    assert h.find(f"status-of-{cid}").value == "租金支付正常"


async def test_a_signed_loan_takes_no_payment_until_the_lender_pays_it_out(world):
    from domain.errors import InputError

    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    await h.route("/loans")  # the card says it waits, and when the first payment falls due
    loan = world.services.loan(world.buyer_id, cid)
    first = loan.quote.schedule[0]
    assert h.find(f"status-of-{cid}").value == "等待贷款机构放款"
    assert f"首期：{first.date:%Y年%-m月%-d日} 还 ¥{first.payment:,.2f}" in h.texts(
        h.find(f"loan-{cid}")
    )
    with pytest.raises(InputError) as refused:  # nothing is owed yet, so nothing is recorded
        world.services.record_payment(cid, f"{first.payment}")
    assert (refused.value.field, refused.value.rule) == ("payment", "paid_out")
    assert world.services.loan(world.buyer_id, cid).payments == ()
    await h.route(f"/loans/{cid}")
    assert not h.has("pay-record") and not h.has("loan-payoff") and not h.has("reminder-1")
    # what the lender pays out: the credit the buyer gets (the note less fees paid from it)
    paid_out = loan.quote.amount_financed
    assert paid_out < loan.quote.principal  # this product takes a fee from the loan
    assert h.find("loan-principal").value == f"待放款金额 ¥{paid_out:,.2f}"


async def test_only_the_buyer_pays_out_their_own_loan_and_only_in_demo_mode(world):
    from domain.errors import InputError

    h, _ = await at_contract(world)
    await sign(h)
    application_id = h.state.contract.record.application_id
    with pytest.raises(InputError) as someone_else:
        world.services.pay_out_demo(world.staff_id, application_id)
    assert someone_else.value.rule == "not_found"
    live = world.services.settings.model_copy(update={"server_url": "http://127.0.0.1:9"})
    world.services.settings = live  # a live deployment: the dealership confirms payouts
    with pytest.raises(InputError) as not_demo:
        world.services.pay_out_demo(world.buyer_id, application_id)
    assert not_demo.value.rule == "demo_only"
    loan = world.services.loan(world.buyer_id, h.state.contract.record.id)
    assert not loan.paid_out


async def test_a_demo_loan_not_paid_out_by_its_first_repayment_date_lapses(world):
    from datetime import timedelta

    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    first = world.services.loan(world.buyer_id, cid).pay_out_by
    world.services._today = first + timedelta(days=3)
    await h.route(f"/loans/{cid}")
    assert h.find("loan-status").value == "已失效：首期还款日前未放款"
    assert f"首期还款日 {first:%Y年%-m月%-d日} 之前放款" in h.value("loan-lapsed")
    assert not h.has("loan-next") and not h.has("loan-pay-out")  # never paid out
    await h.click("loan-cancel")  # the demo buyer plays the dealership, as for a payout
    await h.wait_until(lambda: h.has("loan-cancelled"))
    assert h.find("loan-status").value == "已在放款前取消"
    assert not h.has("loan-chart") and "签署时的还款计划" in h.text()  # nothing will be lent
    assert h.has("loan-ended") and not h.has("loan-ring")
    await h.route("/loans")  # still listed, owing nothing
    assert h.find(f"status-of-{cid}").value == "已在放款前取消"
    assert "首期" not in h.texts(h.find(f"loan-{cid}"))  # no first payment to come


@pytest.mark.parametrize("refused_op", ["application", "contract"])
async def test_a_contract_the_server_refused_for_its_car_says_so_and_owes_nothing(
    world, refused_op
):
    from domain.errors import InputError
    from tests.ui.world import refuse_signing

    h, _ = await at_contract(world)
    await sign(h)
    record = h.state.contract.record
    cid = record.id
    await h.route(f"/loans/{cid}")
    assert h.has("loan-ring") and not h.has("loan-ended")  # waiting for its payout: 0 of 60
    refuse_signing(world.services, cid if refused_op == "contract" else record.application_id,
                   refused_op)  # fmt: skip
    await h.route("/loans")  # away and back: the screen is drawn anew
    await h.route(f"/loans/{cid}")
    assert h.find("loan-status").value == "未被接受：这辆车已有先提交的贷款合同"
    assert "一辆车只能办理一笔贷款" in h.value("loan-car-taken")
    assert not h.has("loan-next") and not h.has("loan-chart") and not h.has("loan-pay-out")
    assert h.has("loan-ended") and not h.has("loan-ring")  # no payments to count
    with pytest.raises(InputError) as refused:  # nobody plays the lender on it, even in demo
        world.services.pay_out_demo(world.buyer_id, h.state.contract.record.application_id)
    assert refused.value.rule == "under_contract"
    await h.route("/loans")
    assert h.find(f"status-of-{cid}").value == "未被接受：这辆车已有先提交的贷款合同"
    assert "首期" not in h.texts(h.find(f"loan-{cid}"))


async def test_a_loan_is_looked_up_alone_and_only_by_its_buyer(world, monkeypatch):
    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    again, _ = await at_contract(world, "dolphin")  # a second loan of the buyer's
    await sign(again)
    s = world.services
    folded = []
    real = type(s)._loan_view

    def counted(self, a, c, **kw):
        folded.append(c.id)
        return real(self, a, c, **kw)

    monkeypatch.setattr(type(s), "_loan_view", counted)
    mine = next(x for x in s.my_loans(world.buyer_id) if x.contract.id == cid)
    assert len(folded) == 2
    folded.clear()
    loan = s.loan(world.buyer_id, cid)
    assert folded == [cid]  # the signed screen redraws with it: one loan, not all the buyer's
    assert (loan.contract, loan.quote, loan.status) == (mine.contract, mine.quote, mine.status)
    assert s.loan(world.staff_id, cid) is None  # another user's contract is not found
    assert s.loan(world.buyer_id, "no-such-contract") is None
    assert folded == [cid]


async def test_a_bad_payment_amount_is_refused_with_the_reason(world):
    h, _ = await at_contract(world)
    await sign_and_pay_out(h)
    await h.type_text("pay-amount", "12.345")
    await h.click("pay-record")
    await h.wait_until(lambda: h.find("pay-amount").error is not None)
    field = h.find("pay-amount")  # the reason next to the amount, which is kept
    assert (field.error, field.value) == ("最多只能有两位小数", "12.345")
    assert h.find("loan-notice").value == "贷款机构已放款，开始还款。"  # not "recorded"


async def test_no_loans_says_what_to_do(world):
    h = await signed_in(world)
    await h.route("/loans")
    assert "还没有贷款" in h.find("loans-empty-text").value


async def test_an_overdue_loan_says_how_much_how_late_and_the_fees(world):
    from datetime import timedelta

    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    first_due = world.services.loan(world.buyer_id, cid).quote.schedule[0].date
    world.services._today = first_due + timedelta(days=20)  # the first instalment unpaid
    await h.route("/loans")
    await h.route(f"/loans/{cid}")
    loan = world.services.loan(world.buyer_id, cid)
    status = loan.status
    assert status.past_due_amount == to_cents(loan.quote.payment) and status.days_past_due == 20
    # the product's own late terms (default: 0.05% a day after 3 grace days), as the contract
    # states them: 17 days of penalty on the unpaid instalment
    penalty = (loan.quote.payment * Decimal("0.0005") * 17).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert status.fees_due == to_cents(penalty) > 0
    said = h.find("loan-past-due").value
    assert said == (
        f"已逾期 ¥{loan.quote.payment:,.2f}，逾期 20 天 · 已产生逾期费用 ¥{penalty:,.2f}"
    )
    assert not h.has("loan-payments")  # nothing paid yet
    assert h.find("loan-status").color == palette.BAD  # said in the colour of a loan in arrears
    # what is overdue comes before the form it is paid with
    assert h.drawn_order("loan-record", "loan-past-due") == ["loan-past-due", "loan-record"]
    await h.click("loan-overdue-fill")  # all of it, fees included, into the amount
    assert h.find("pay-amount").value == f"{loan.quote.payment + penalty:.2f}"
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"))
    after = world.services.loan(world.buyer_id, cid).status
    assert (after.past_due_amount, after.fees_due, after.status) == (0, 0, "current")


async def test_the_signed_contract_carries_the_products_late_and_prepayment_terms(world):
    from contracts import record
    from domain.repayment_terms import terms_from_product
    from domain.repayments import Terms

    h, pid = await at_contract(world)
    await sign(h)
    data = record.read(h.state.contract.record.pdf)
    product = h.state.prequal_result.offer(pid).product
    assert record.decode(Terms, data["servicing"]) == terms_from_product(product)


async def test_paying_off_the_payoff_quote_closes_the_loan(world):
    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    payoff = world.services.loan(world.buyer_id, cid).payoff
    assert payoff.prepayment_fee == 0 and not h.has("loan-payoff-fee")  # this product's
    assert h.find("loan-payoff").value == f"¥{from_cents(payoff.amount):,.2f}"
    assert h.value("loan-payoff-until") == f"有效期至 {payoff.valid_until:%Y年%-m月%-d日}"
    parts = [h.find(f"loan-payoff-{part}").value for part in ("principal", "interest", "fees")]
    assert parts == [f"¥{from_cents(c):,.2f}" for c in (payoff.principal, payoff.interest, 0)]
    await h.click("loan-payoff-fill")
    assert h.find("pay-amount").value == f"{from_cents(payoff.amount):.2f}"
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"))
    assert world.services.loan(world.buyer_id, cid).status.status == "closed"
    assert h.find("loan-status").value == "已结清"
    await h.route("/loans")  # the card says so once, not as its next payment too
    card = h.find(f"loan-{cid}")
    assert h.texts(card).count("已结清") == 1 and h.find(f"status-of-{cid}").value == "已结清"


@pytest.mark.parametrize(
    ("lease", "financed", "fee_said", "rest_said"),
    [
        (False, False, "费用中含提前还款手续费 {fee}：按提前偿还的本金 {base} 的 2.00% 计收。",
         "其余本金 {rest} 是本期应还款在支付截至当日的利息后本就要偿还的部分，不收手续费。"),
        (False, True, "费用中含提前还款手续费 {fee}：按提前偿还的融资金额 {base} 的 2.00% 计收。",
         "其余融资金额 {rest} 是本期应还款在支付截至当日的利息后本就要偿还的部分，不收手续费。"),
        (True, False, "费用中含提前结清手续费 {fee}：按提前结清的本金 {base} 的 2.00% 计收。",
         "其余本金 {rest} 是本期租金在支付截至当日的利息后本就要偿还的部分，不收手续费。"),
        (True, True, "费用中含提前结清手续费 {fee}：按提前结清的融资金额 {base} 的 2.00% 计收。",
         "其余融资金额 {rest} 是本期租金在支付截至当日的利息后本就要偿还的部分，不收手续费。"),
    ],
    ids=["loan", "loan-financed", "lease", "lease-financed"],
)  # fmt: skip
async def test_a_payoff_quote_names_the_early_repayment_fee_among_its_fees(
    world, monkeypatch, lease, financed, fee_said, rest_said
):
    """In the loan's or the lease's words, on the base its schedule counts down."""
    from dataclasses import replace

    from domain.loans import Quote

    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    loan = world.services.loan(world.buyer_id, cid)
    charged = loan.payoff._replace(  # as a 2% one would
        prepayment_fee=144_249, fees=144_249, early_principal=7_212_470
    )
    prepayment = replace(loan.servicing.prepayment, fee_rate=Decimal("0.02"))
    servicing = replace(loan.servicing, prepayment=prepayment)
    shown = replace(loan, payoff=charged, servicing=servicing, lease=lease)
    monkeypatch.setattr(world.services, "loan", lambda *a, **k: shown)
    monkeypatch.setattr(Quote, "balance_on_amount_financed", property(lambda q: financed))
    await h.route("/loans")
    await h.route(f"/loans/{cid}")
    assert h.find("loan-payoff-fees").value == "¥1,442.49"
    # the base it is charged on, which is not the whole balance
    assert h.find("loan-payoff-fee").value == fee_said.format(fee="¥1,442.49", base="¥72,124.70")
    rest = Decimal(charged.principal - charged.early_principal) / 100
    assert h.find("loan-payoff-fee-free").value == rest_said.format(rest=f"¥{rest:,.2f}")


def application_statuses_sent(world, application_id: str) -> list[str]:
    """The application's statuses as queued for the server, in order."""
    from local_db import outbox

    with world.services.session() as s:
        ops = outbox.peek(s, limit=10_000)
    return [o.payload["status"] for o in ops if o.entity_id == application_id]


async def test_the_server_is_sent_every_step_of_a_signed_application_each_one_legal(world):
    from sync.wire import APPLICATION_INITIAL, APPLICATION_TRANSITIONS

    h, _ = await at_contract(world)
    await sign(h)
    sent = application_statuses_sent(world, h.state.contract.record.application_id)
    assert sent[0] in APPLICATION_INITIAL and sent[-1] == "contracted"
    for before, after in itertools.pairwise(sent):
        assert after == before or after in APPLICATION_TRANSITIONS[before], (before, after)
    assert "approved" in sent  # the product's rules approved it: the check raised no flag


async def test_money_paid_beyond_what_is_owed_is_shown_as_owed_back(world):
    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    await h.click("loan-payoff-fill")
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"))
    # a payoff quoted to its last valid day and paid today leaves that interest over
    before = world.services.loan(world.buyer_id, cid).status.overpaid
    await h.type_text("pay-amount", "100")  # the loan is closed: nothing is owed any more
    await h.click("pay-record")
    await h.wait_until(lambda: world.services.loan(world.buyer_id, cid).status.overpaid > before)
    owed_back = from_cents(before + 10_000)
    assert h.find("loan-overpaid").value == f"已多付 ¥{owed_back:,.2f}：贷款机构应退还给您。"


async def test_signing_records_the_e_sign_consent_worded_in_the_contracts_language(world):
    from contracts import record
    from domain.catalog import ConsentPurpose
    from local_db.repositories import people as people_repo

    h, _ = await at_contract(world)
    await sign(h)
    with world.services.session() as s:
        (esign,) = [
            c for c in people_repo.list_consents(s, user_id=world.buyer_id)
            if c.purpose is ConsentPurpose.ELECTRONIC_RECORDS
        ]  # fmt: skip
    assert esign.text_version == "esign-2026-11"
    consent = record.read(h.state.contract.record.pdf)["consent"]
    ticked = datetime.fromisoformat(consent["consented_at"])
    assert esign.given_at == ticked.replace(microsecond=ticked.microsecond // 1000 * 1000)  # ms
    assert consent["scope"] == "本合同、其信息披露及签名"  # the zh contract, in Chinese


async def test_my_loans_names_the_lender_in_the_readers_language(world):
    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    await h.route("/loans")
    assert h.find(f"lender-of-{cid}").value == "华信银行"
    signed_on = h.state.contract.record.signed_at.astimezone(DISPLAY_TZ)
    assert h.value(f"signed-of-{cid}") == f"· 签于 {signed_on:%Y年%-m月%-d日}"
    car = world.vehicles["seal"]  # and which car: its colour and the end of its VIN
    assert h.value(f"car-of-{cid}").endswith(f" · 车架号尾号 {car.vin[-6:]}")
    h.state.set_locale("en_US")
    await h.route("/loans")
    assert h.find(f"lender-of-{cid}").value == "Huaxin Bank"


@pytest.mark.parametrize(
    ("prepayment", "lease", "said"),
    [
        ({"lockout_months": 12}, False, "自 {date} 起（第 12 期到期后）可提前还款。"),
        ({"allowed": False}, False, "本贷款不可提前还款。"),
        ({"lockout_months": 12}, True, "自 {date} 起（第 12 期租金到期后）可提前结清。"),
        ({"allowed": False}, True, "本租赁不可提前结清。"),
    ],
    ids=["locked-out", "never", "lease-locked-out", "lease-never"],
)
async def test_a_loan_that_cannot_yet_be_repaid_early_says_when_it_can(
    world, prepayment, lease, said
):
    from dataclasses import replace

    from domain.catalog import ProductKind
    from local_db.repositories import catalog

    with world.services.session() as s:  # every product: whichever offer is opened has it
        products = catalog.list_products(s)
        catalog.save_products(s, products=[
            replace(p, prepayment=replace(p.prepayment, **prepayment),
                    kind=ProductKind.FINANCE_LEASE if lease else p.kind)
            for p in products
        ])  # fmt: skip
        s.commit()
    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    twelfth = world.services.loan(world.buyer_id, cid).quote.schedule[11].date
    day = f"{twelfth.year}年{twelfth.month}月{twelfth.day}日"
    assert visible(h.find("loan-no-payoff").value) == said.format(date=day)
    assert not h.has("loan-payoff-fill")
    # and a lessee records rent paid, in the lease's words
    assert ("记录一笔租金支付" if lease else "记录一笔还款") in h.texts(h.find("loan-record"))


async def test_a_loans_screen_opens_its_signed_contract_and_a_months_statement(world, monkeypatch):
    from views.context import ViewContext

    opened: list[str] = []
    monkeypatch.setattr(ViewContext, "open_url", lambda self, url, **kw: opened.append(url))
    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    await h.route(f"/loans/{cid}")
    assert not h.has("loan-open-statement")  # nothing to state before the payout
    await h.click("loan-open-contract")
    assert opened[-1].startswith("/files/contracts/") and "-signed.pdf?" in opened[-1]
    await h.click("loan-pay-out")
    await h.wait_until(lambda: h.has("loan-open-statement"))
    today = world.services.today()
    period = h.find("loan-statement-period")
    assert period.value == f"{today:%Y-%m}"  # this month first
    assert [o.text for o in period.options][-1] == "贷款至今全部"
    await h.click("loan-open-statement")
    assert opened[-1].startswith(f"/files/statement/{cid}-{today:%Y-%m}-zh_CN.pdf?")
    await h.select("loan-statement-period", "all")
    await h.click("loan-open-statement")
    assert opened[-1].startswith(f"/files/statement/{cid}-all-zh_CN.pdf?")


async def test_my_loans_is_badged_while_a_payment_is_due_within_days_and_not_once_it_is_paid(
    world,
):
    from datetime import timedelta

    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    await h.route("/cars")
    assert not h.has("nav-due-/loans")  # the first payment is a month away
    first_due = world.services.loan(world.buyer_id, cid).quote.schedule[0].date
    world.services._today = first_due - timedelta(days=2)
    await h.route("/offers")  # counted again on reaching another screen
    assert h.find("nav-due-/loans").badge == "1"
    await h.route("/loans")
    assert h.find("nav-due-/loans").badge == "1"
    await h.route(f"/loans/{cid}")
    assert h.has("reminder-1")
    await h.click("pay-record")  # the instalment, prefilled
    await h.wait_until(lambda: h.has("loan-notice"))
    await h.route("/loans")
    assert not h.has("nav-due-/loans")  # paid


async def test_after_an_early_repayment_the_schedule_shows_what_is_left_to_pay(world):
    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    loan = world.services.loan(world.buyer_id, cid)
    assert not h.has("loan-remaining")  # the schedule as signed holds
    world.services._today = loan.quote.schedule[0].date
    await h.route("/loans")
    await h.route(f"/loans/{cid}")
    await h.type_text("pay-amount", f"{loan.quote.payment + Decimal('20000'):.2f}")
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-remaining"))
    after = world.services.loan(world.buyer_id, cid)
    assert after.remaining and after.remaining[-1].balance == 0
    left = len(after.remaining)
    assert after.paid_count + left < len(loan.quote.schedule)  # the term shortened
    assert f"{after.paid_count}/{after.paid_count + left}" in h.texts(h.find("loan-summary"))
    assert len(h.find("schedule").rows) == left  # a row an instalment left, no loan years
    chart = h.find("loan-chart")  # the course as it went and goes on, not as signed
    assert chart.max_x == after.paid_count + left
    listed = next(x for x in world.services.my_loans(world.buyer_id) if x.contract.id == cid)
    assert after.course and listed.course is None  # only the loan's own chart draws it
    assert "签署时的还款计划见您的合同" in h.text()
