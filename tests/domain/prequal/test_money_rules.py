"""The searches' money-rule check (eligibility.money_rules_pass) is the rules' own verdict:
``passes(product, case with that down payment, DEAL_RULES)`` for any product, buyer and deal."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.catalog import BalloonRule, FeeBasis, FeeRule, FlatPer, ProductKind
from domain.prequal.applicant import Deal
from domain.prequal.eligibility import DEAL_RULES, Case, money_rules_pass, passes, with_deal
from domain.prequal.scorecard import score
from domain.prequal.valuation import value_vehicle
from tests.domain.prequal.factories import TODAY, applicant, vehicle
from tests.factories import make_product, rate

D = Decimal
C = D("0.01")


@st.composite
def products(draw):
    kind = draw(st.sampled_from([ProductKind.LOAN, ProductKind.BALLOON, ProductKind.FLAT_PROMO]))
    if kind is ProductKind.FLAT_PROMO:
        line = rate("A", flat="0.0035", flat_per=FlatPer.MONTH)
    else:
        line = rate("A", str(D(draw(st.integers(0, 2400))) / 10000))
    fee = FeeRule(
        name_zh="费",
        name_en="fee",
        basis=draw(st.sampled_from(list(FeeBasis))),
        amount=D(draw(st.integers(0, 3000))),
        rate=D(draw(st.integers(0, 500))) / 10000,
        financed=draw(st.booleans()),
        prepaid_finance_charge=draw(st.booleans()),
    )
    return make_product(
        kind=kind,
        rate_card=(line,),
        fees=(fee,),
        balloon=BalloonRule(min_pct=D("0.2"), max_pct=D("0.6"))
        if kind is ProductKind.BALLOON
        else None,
        terms=(12, 36, 60),
        max_pti=D(draw(st.integers(5, 60))) / 100,
        max_dti=D(draw(st.integers(20, 80))) / 100,
        min_amount=D(draw(st.sampled_from([0, 10000, 50000]))),
        max_amount=D(draw(st.sampled_from([100000, 300000, 1000000]))),
        min_down_payment_pct=D(draw(st.integers(0, 50))) / 100,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    product=products(),
    price=st.integers(30000, 400000),
    share=st.integers(0, 99),
    trade=st.sampled_from([0, 5000]),
    term=st.sampled_from([12, 36, 60]),
    income=st.integers(3000, 90000),
    debts=st.integers(0, 8000),
)
def test_money_rules_pass_is_the_deal_rules_verdict(
    product, price, share, trade, term, income, debts
):
    a = applicant(monthly_income=D(income).quantize(C), monthly_debt_payments=D(debts).quantize(C))
    v = vehicle(price=D(price).quantize(C))
    deal = Deal(D(0).quantize(C), term, D(trade).quantize(C))
    case = Case(a, v, value_vehicle(v), deal, score(a), TODAY)
    amount = (v.price * share / 100).quantize(C)
    expected = amount + deal.trade_in < v.price and passes(
        product, with_deal(case, Deal(amount, term, deal.trade_in)), rules=DEAL_RULES
    )
    assert money_rules_pass(product, case, amount) == expected
