"""Deals for contract tests: ``deal_json(**overrides)`` is a valid deal.json document."""

from __future__ import annotations

import copy
from typing import Any

from contracts.deal import Deal, parse_deal

# A wavy scribble, to show the drawn signature image.
_SCRIBBLE = [
    [[0.05, 0.7], [0.15, 0.2], [0.25, 0.8], [0.35, 0.3], [0.45, 0.75], [0.55, 0.35]],
    [[0.6, 0.6], [0.7, 0.4], [0.8, 0.65], [0.95, 0.45]],
]

BASE: dict[str, Any] = {
    "buyer": {
        "name": "张伟",
        "id_number": "110101199003071234",
        "phone": "138-0013-8000",
        "address": "北京市朝阳区建国路 88 号 3 单元 1201 室",
    },
    "dealer": {"name": "星途汽车销售服务有限公司（演示）", "address": "北京市朝阳区汽车城 1 号"},
    "lender": {"name": "安信汽车金融有限公司（演示）", "address": "上海市浦东新区世纪大道 100 号"},
    "vehicle": {
        "vin": "LGXCE4CB5R0123456",
        "make": "比亚迪 BYD",
        "model": "Song PLUS DM-i",
        "year": 2026,
        "price": "150000.00",
    },
    "terms": {
        "cash_price": "150000.00",
        "down_payment": "45000.00",
        "loan_date": "2026-12-01",
        "term_months": 60,
        "annual_rate": "6.90",
        "fees": [
            {"name": "手续费", "amount": "400.00", "financed": True, "prepaid_finance_charge": True}
        ],
    },
    "consent": {
        "consented_at": "2026-11-30T09:30:00+08:00",
        "scope": "本合同及其还款通知以电子形式提供和签署 / "
        "this contract and its notices, electronically",
        "method": "打开示例 PDF 并确认 / opened the sample PDF and confirmed",
    },
    "signatures": {"buyer": _SCRIBBLE, "lender": _SCRIBBLE[::-1]},
}


def deal_json(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def make_deal(**overrides: Any) -> Deal:
    return parse_deal(deal_json(**overrides))
