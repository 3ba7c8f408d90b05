"""The contract states the late-payment and prepayment terms the loan is serviced by — the
repayment engine's own policies, carried in the document's record — in words, exactly."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from contracts import labels as L
from contracts import record
from contracts.deal import parse_deal
from contracts.render import late_charge_text, prepayment_text, render_contract
from domain.errors import InputError
from domain.repayments import LateFeePolicy, PrepaymentPolicy, Terms
from tests.contracts.factories import deal_json, make_deal
from tests.contracts.test_render import _text

D = Decimal


@pytest.mark.parametrize(
    ("late", "zh", "en"),
    [
        pytest.param(
            LateFeePolicy(grace_days=3, daily_penalty_rate=D("0.0005")),
            "每期到期后 3 天内还清的，不收取任何逾期费用。"
            "自到期后第 4 天起，逾期部分按每日 0.05%（年化 18.25%）计收罚息，直至还清。",
            "A payment made within 3 days of its due date is charged nothing. From day 4 after "
            "the due date, 0.05% of the unpaid amount is charged for each day (18.25% a year) "
            "until it is paid.",
            id="grace-and-penalty",
        ),
        pytest.param(
            LateFeePolicy(amount=D("80"), grace_days=0, daily_penalty_rate=D("0.00055"),
                          cap=D("500")),
            "每期到期日后未还清即为逾期。自到期后第 1 天起，逾期部分按每日 0.055%（年化 20.075%）"
            "计收罚息，直至还清。每期逾期收取逾期费 ¥80.00。逾期费合计不超过 ¥500.00。",
            "A payment is late the day after its due date. From day 1 after the due date, 0.055% "
            "of the unpaid amount is charged for each day (20.075% a year) until it is paid. "
            "Each late payment is charged a "
            "late fee of CN¥80.00. Late fees together never exceed CN¥500.00.",
            id="no-grace-penalty-fixed-fee-and-cap",
        ),
        pytest.param(
            LateFeePolicy(amount=D("50"), grace_days=3),
            "每期到期后 3 天内还清的，不收取任何逾期费用。每期逾期收取逾期费 ¥50.00。",
            "A payment made within 3 days of its due date is charged nothing. Each late payment "
            "is charged a late fee of CN¥50.00.",
            id="fixed-fee-only",
        ),
        pytest.param(LateFeePolicy(), "不收取逾期费用。", "No late charge applies.", id="none"),
    ],
)  # fmt: skip
def test_late_charge_is_stated_from_the_servicing_policy(late, zh, en):
    assert late_charge_text(late, "zh_CN") == zh
    assert late_charge_text(late, "en_US") == en


@pytest.mark.parametrize(
    ("pre", "zh", "en"),
    [
        pytest.param(
            PrepaymentPolicy(),
            "可随时提前还款，不收取提前还款手续费；未到期利息不再收取。",
            "You may repay early at any time without a fee; unearned interest is not charged.",
            id="free-any-time",
        ),
        pytest.param(
            PrepaymentPolicy(fee_rate=D("0.03"), lockout_instalments=3),
            "第 3 期到期后可提前还款，按提前偿还本金的 3.00% 收取手续费；未到期利息不再收取。",
            "You may repay early once 3 payments have fallen due; a fee of 3.00% of the "
            "principal repaid early applies. Unearned interest is not charged.",
            id="lockout-and-fee",
        ),
        pytest.param(
            PrepaymentPolicy(fee_rate=D("0.02"), fee_free_after=12),
            "可随时提前还款，按提前偿还本金的 2.00% 收取手续费（第 12 期到期后免收）；"
            "未到期利息不再收取。",
            "You may repay early at any time; a fee of 2.00% of the principal repaid early "
            "applies (none once 12 payments have fallen due). Unearned interest is not charged.",
            id="fee-until-free",
        ),
        pytest.param(
            PrepaymentPolicy(allowed=False), "本贷款不可提前还款。",
            "This loan cannot be repaid early.", id="not-allowed",
        ),
    ],
)  # fmt: skip
def test_prepayment_is_stated_from_the_servicing_policy(pre, zh, en):
    assert prepayment_text(pre, "zh_CN") == zh
    assert prepayment_text(pre, "en_US") == en


def test_a_fee_on_a_schedule_of_the_amount_financed_is_stated_on_it():
    pre = PrepaymentPolicy(fee_rate=D("0.03"))
    assert prepayment_text(pre, "zh_CN", financed=True) == (
        "可随时提前还款，按提前偿还融资金额的 3.00% 收取手续费；未到期利息不再收取。"
    )
    assert "of the amount financed repaid early" in prepayment_text(pre, "en_US", financed=True)


def test_the_record_carries_the_servicing_terms_and_the_text_states_them():
    servicing = Terms(
        LateFeePolicy(amount=D("50"), grace_days=1, daily_penalty_rate=D("0.0007")),
        PrepaymentPolicy(fee_rate=D("0.05"), lockout_instalments=12),
    )
    deal = replace(make_deal(), servicing=servicing)
    pdf = render_contract(deal, locale="zh_CN")
    assert record.decode(Terms, record.read(pdf)["servicing"]) == servicing
    text = "".join(_text(pdf).split())  # the PDF's lines break inside sentences
    for said in (late_charge_text(servicing.late_fee, "zh_CN"),
                 prepayment_text(servicing.prepayment, "zh_CN")):  # fmt: skip
        assert "".join(said.split()) in text


def test_deal_json_takes_the_servicing_terms_as_percentage_strings():
    data = deal_json()
    data["late_fee"] = {"amount": "50", "grace_days": 1, "daily_penalty_rate": "0.07"}
    data["prepayment"] = {"lockout_months": 12, "fee_rate": "5", "fee_free_after_months": 24}
    assert parse_deal(data).servicing == Terms(
        LateFeePolicy(amount=D("50.00"), grace_days=1, daily_penalty_rate=D("0.0007")),
        PrepaymentPolicy(fee_rate=D("0.05"), lockout_instalments=12, fee_free_after=24),
    )


@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
def test_a_finance_lease_says_the_lessor_owns_the_car_where_a_loan_names_its_security(locale):
    loan = make_deal()
    lease = parse_deal(deal_json(lease=True))
    assert lease.lease and not loan.lease
    vin = loan.vehicle.vin
    loan_text, lease_text = ("".join(_text(render_contract(d, locale=locale)).split())
                             for d in (loan, lease))  # fmt: skip
    owned = "".join(L.text("ownership_text", locale, vin=vin).split())
    secured = "".join(L.text("security_text", locale, vin=vin).split())
    assert owned in lease_text and secured not in lease_text
    assert secured in loan_text and owned not in loan_text


def test_a_finance_lease_is_titled_and_signed_as_a_lease_with_lessee_and_lessor():
    lease_text = "".join(_text(render_contract(parse_deal(deal_json(lease=True)),
                                               locale="zh_CN")).split())  # fmt: skip
    loan_text = "".join(_text(render_contract(make_deal(), locale="zh_CN")).split())
    assert "汽车融资租赁合同" in lease_text and "汽车消费贷款合同" not in lease_text
    assert "MotorVehicleFinanceLeaseContract" in lease_text  # the caption in the other language
    assert "承租人（买方）" in lease_text and "出租人·Lessor" in lease_text  # parties, signatures
    assert "借款人" not in lease_text and "贷款人" not in lease_text  # no loan's roles left
    assert "非真实出租人报价" in lease_text and "贷款机构" not in lease_text  # the demo notice
    assert "租金支付计划表" in lease_text and "还款计划表" not in lease_text  # rent, not repayment
    assert "出租人出资购买承租人选定的上述车辆" in lease_text  # clause 1 is a lease's
    assert "融资租赁信息披露" in lease_text and "贷款信息披露" not in lease_text
    # its disclosure counts rent and pays it off early
    assert "租金总额" in lease_text and "还款总额" not in lease_text
    assert "以租代购总价" in lease_text and "分期购车总价" not in lease_text
    assert "提前结清" in lease_text and "提前还款" not in lease_text
    assert "汽车消费贷款合同" in loan_text and "借款人（买方）" in loan_text
    assert "租" not in loan_text  # and a loan says nothing of a lease


def test_a_demo_like_lease_states_its_payoff_terms_once_and_consistently():
    """The usual lease: a flat rate, a fee withheld at the payout, a lockout and a fee. Its
    disclosure and its clause 3 agree: paid off early (提前结清) only as the terms allow, the fee
    on the amount financed the schedule counts down, late rent in the lease's words."""
    data = deal_json(lease=True)
    terms = {k: v for k, v in data["terms"].items() if k != "annual_rate"}
    data["terms"] = {**terms, "flat_rate": {"rate": "3.50", "per": "year"}}
    data["late_fee"] = {"amount": "50", "grace_days": 3, "daily_penalty_rate": "0.05"}
    data["prepayment"] = {"lockout_months": 12, "fee_rate": "5", "fee_free_after_months": 24}
    text = "".join(_text(render_contract(parse_deal(data), locale="zh_CN")).split())
    assert (
        "第12期租金到期后可提前结清，按提前结清的融资金额的5.00%收取手续费（第24期租金到期后免收）"
        in text
    )
    assert "在上述提前结清条款允许时，承租人可提前结清，应付金额为剩余融资金额" in text
    assert "每期租金逾期收取逾期费¥50.00" in text
    assert "随时" not in text.split("电子签名同意记录")[0].replace("随时撤回", "")
    assert not any(word in text for word in ("提前付清", "提前还款", "借款", "贷款人"))


def test_a_loans_payoff_clause_defers_to_its_prepayment_terms():
    data = deal_json()
    data["prepayment"] = {"lockout_months": 12}
    text = "".join(_text(render_contract(parse_deal(data), locale="zh_CN")).split())
    assert "第12期到期后可提前还款" in text
    assert "在上述提前还款条款允许时，借款人可提前还款" in text
    assert "可随时提前还款" not in text


def test_a_finance_lease_charges_late_rent_in_its_own_words():
    late = LateFeePolicy(grace_days=3, daily_penalty_rate=D("0.0005"))
    lease = late_charge_text(late, "zh_CN", lease=True)
    assert lease == (
        "每期租金到期后 3 天内付清的，不收取任何逾期费用。"
        "自到期后第 4 天起，逾期租金按每日 0.05%（年化 18.25%）计收违约金，直至付清。"
    )
    assert "unpaid rent" in late_charge_text(late, "en_US", lease=True)
    assert "租" not in late_charge_text(late, "zh_CN")  # a loan's says nothing of rent


def test_a_loans_digest_is_what_it_was_before_the_lease_field():
    import hashlib
    import json

    loan = make_deal()
    before = {k: v for k, v in record.encode(loan).items() if k != "lease"}
    before["document_id"] = ""
    text = json.dumps(before, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert loan.content_digest() == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert parse_deal(deal_json(lease=True)).content_digest() != loan.content_digest()
    with pytest.raises(InputError) as refused:
        parse_deal(deal_json(lease="yes"))
    assert (refused.value.field, refused.value.rule) == ("lease", "boolean")
