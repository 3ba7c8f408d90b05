"""What the contract PDF shows of the buyer's sensitive fields: the ID card number and the
phone masked (the device stores both encrypted, and the PDF is a file on disk), a business's
phone in full."""

from __future__ import annotations

import io

from pypdf import PdfReader

from contracts.render import render_contract
from domain.privacy import mask_phone
from tests.contracts.factories import deal_json, make_deal

PHONE = "13812345678"


def test_the_contract_pdf_does_not_show_the_buyers_phone_in_full():
    buyer = {**deal_json()["buyer"], "phone": PHONE}
    pdf = render_contract(make_deal(buyer=buyer), locale="zh_CN")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "1101**********1234" in text  # the ID number is masked: the check is meaningful
    assert PHONE not in text
    assert mask_phone(PHONE) in text
