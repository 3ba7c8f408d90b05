"""How the screens name things: a lender's product, in either language."""

from types import SimpleNamespace

import pytest

from views.labels import lender_and_product

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
