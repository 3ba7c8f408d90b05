"""How the screens name things: a lender's product, in either language; a car's price."""

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from app.i18n import format_money
from views.labels import lender_and_product, price

PRODUCT = SimpleNamespace(name_zh="东岳银行尊享车贷", name_en="Premier Car Loan")


@pytest.mark.parametrize(
    "locale, lender, named",
    [
        ("zh_CN", "东岳银行", "东岳银行尊享车贷"),  # the name says the lender already
        ("en_US", "Dongyue Bank", "Dongyue Bank · Premier Car Loan"),
        ("zh_CN", "华信银行", "华信银行 · 东岳银行尊享车贷"),
    ],
)
def test_a_product_is_named_with_its_lender_once(locale, lender, named):
    assert lender_and_product(SimpleNamespace(locale=locale), lender, PRODUCT) == named


@pytest.mark.parametrize(
    "amount, shown", [(D("106100.00"), "¥106,100"), (D("98765.50"), "¥98,765.50")]
)
def test_a_car_price_is_whole_yuan_unless_it_has_fen(amount, shown):
    ctx = SimpleNamespace(money=lambda a, whole=False: format_money(a, "zh_CN", whole=whole))
    assert price(ctx, amount) == shown


@pytest.mark.parametrize("locale, shown", [("zh_CN", "2027年1月1日"), ("en_US", "Jan 1, 2027")])
def test_a_date_is_never_split_across_lines(locale, shown):
    import app.i18n
    from views.context import NO_BREAK_SPACE, WORD_JOINER, ViewContext

    ctx = ViewContext(page=None, state=SimpleNamespace(locale=locale), services=None,
                      i18n=app.i18n)  # fmt: skip
    text = ctx.date(date(2027, 1, 1))
    # a joiner between every two characters, and no-break spaces, leave the line breaker no
    # opportunity (the web client breaks after an ordinary space, joined or not)
    assert text.split(WORD_JOINER) == list(shown.replace(" ", NO_BREAK_SPACE))
