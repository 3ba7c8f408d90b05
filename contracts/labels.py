"""The contract's wording in both languages.

A contract is bilingual: the chosen locale leads, and headings carry the other language beside
them, so a Chinese contract can be read by the English-speaking lender and vice versa. The
wording is legal document text kept with its template, not UI strings of the babel catalogue.
"""

# ruff: noqa: E501  (the wording table reads best one entry per line)
from __future__ import annotations

_TEXT: dict[str, tuple[str, str]] = {
    # key: (zh_CN, en_US)
    "title": ("汽车消费贷款合同", "Motor Vehicle Retail Instalment Loan Contract"),
    "demo": ("演示数据 — 非真实贷款机构报价", "Demo data — not a real lender's offer"),
    "document_id": ("合同编号", "Document ID"),
    "content_hash": ("内容摘要 (SHA-256)", "Content digest (SHA-256)"),
    "page": ("第 {x} 页，共 {y} 页", "Page {x} of {y}"),
    "parties": ("合同当事人", "Parties"),
    "buyer": ("借款人（买方）", "Buyer (borrower)"),
    "dealer": ("经销商", "Dealer"),
    "lender": ("贷款人", "Lender"),
    "name": ("名称", "Name"),
    "id_number": ("身份证号", "ID number"),
    "phone": ("电话", "Phone"),
    "address": ("地址", "Address"),
    "vehicle": ("车辆信息", "Vehicle"),
    "vin": ("车辆识别代号", "VIN"),
    "make_model": ("品牌型号", "Make and model"),
    "year": ("年款", "Model year"),
    "cash_price": ("车辆现金价格", "Cash price"),
    "disclosure": ("贷款信息披露", "Truth-in-lending disclosure"),
    "apr": ("年化利率", "Annual percentage rate (APR)"),
    "apr_desc": (
        "按年计算的信贷成本（含利息及相关费用）",
        "The cost of your credit as a yearly rate",
    ),
    "finance_charge": ("利息及费用总额", "Finance charge"),
    "finance_charge_desc": (
        "信贷将花费您的金额",
        "The amount the credit will cost you: its interest and fees",
    ),
    "amount_financed": ("融资金额", "Amount financed"),
    "amount_financed_desc": (
        "向您或代您提供的信贷金额",
        "The amount of credit provided to you or on your behalf",
    ),
    "total_of_payments": ("还款总额", "Total of payments"),
    "total_of_payments_desc": (
        "按计划还清全部款项后您已支付的金额",
        "What you will have paid after all scheduled payments",
    ),
    "total_sale_price": ("分期购车总价", "Total sale price"),
    "total_sale_price_desc": (
        "分期购车总成本，含首付款",
        "Total cost of your purchase on credit, including the down payment",
    ),
    "payment_summary": ("还款计划摘要", "Payment schedule"),
    "summary_line": (
        "{count} 期，每期 {payment}，自 {first} 起{frequency}",
        "{count} payments of {payment}, due {frequency} from {first}",
    ),
    "summary_last": ("最后一期 {last}，于 {date}", "final payment {last} on {date}"),
    "late_charge": ("逾期费用", "Late charge"),
    "late_grace": (
        "每期到期后 {days} 天内还清的，不收取任何逾期费用。",
        "A payment made within {days} days of its due date is charged nothing.",
    ),
    "late_no_grace": (
        "每期到期日后未还清即为逾期。",
        "A payment is late the day after its due date.",
    ),
    "late_penalty": (
        "自到期后第 {day} 天起，逾期部分按每日 {rate}（年化 {yearly}）计收罚息，直至还清。",
        "From day {day} after the due date, {rate} of the unpaid amount is charged for each "
        "day ({yearly} a year) until it is paid.",
    ),
    "late_fixed": (
        "每期逾期收取逾期费 {fee}。",
        "Each late payment is charged a late fee of {fee}.",
    ),
    "late_fixed_cap": ("逾期费合计不超过 {cap}。", "Late fees together never exceed {cap}."),
    "late_none": ("不收取逾期费用。", "No late charge applies."),
    "prepayment": ("提前还款", "Prepayment"),
    "prepayment_not_allowed": ("本贷款不可提前还款。", "This loan cannot be repaid early."),
    "prepayment_anytime": ("可随时提前还款", "You may repay early at any time"),
    "prepayment_after": (
        "第 {n} 期到期后可提前还款",
        "You may repay early once {n} payments have fallen due",
    ),
    "prepayment_free": (
        "，不收取提前还款手续费；未到期利息不再收取。",
        " without a fee; unearned interest is not charged.",
    ),
    "prepayment_fee": (
        "，按提前偿还本金的 {rate} 收取手续费{free}；未到期利息不再收取。",
        "; a fee of {rate} of the principal repaid early applies{free}. Unearned interest is "
        "not charged.",
    ),
    # where the schedule counts down the amount financed (Quote.balance_on_amount_financed)
    "prepayment_fee_financed": (
        "，按提前偿还融资金额的 {rate} 收取手续费{free}；未到期利息不再收取。",
        "; a fee of {rate} of the amount financed repaid early applies{free}. Unearned "
        "interest is not charged.",
    ),
    "prepayment_fee_free_after": (
        "（第 {n} 期到期后免收）",
        " (none once {n} payments have fallen due)",
    ),
    "security": ("担保", "Security interest"),
    "security_text": (
        "贷款人对所购车辆（车辆识别代号 {vin}）享有抵押权。",
        "The lender takes a security interest in the vehicle being purchased (VIN {vin}).",
    ),
    "ownership": ("车辆所有权", "Ownership of the car"),
    "ownership_text": (
        "本合同为融资租赁：租赁期内，车辆（车辆识别代号 {vin}）归出租人所有；承租人付清全部租金及"
        "费用后，车辆所有权转移给承租人。",
        "This is a finance lease: the lessor owns the car (VIN {vin}) for the term of the "
        "lease, and it passes to you once every rent and fee is paid.",
    ),
    "itemisation": ("融资金额明细", "Itemisation of the amount financed"),
    "down_payment": ("首付款", "Down payment"),
    "trade_in": ("置换车辆抵扣", "Trade-in credit"),
    "balance_of_price": ("车价余额", "Unpaid balance of cash price"),
    "fee_financed": ("计入贷款的费用：{name}", "Financed fee: {name}"),
    "fee_prepaid": ("预付财务费用：{name}", "Prepaid finance charge: {name}"),
    "note_rate": ("合同利率（名义）", "Note rate (nominal)"),
    "schedule": ("还款计划表", "Payment schedule"),
    "col_n": ("期数", "No."),
    "col_date": ("还款日", "Due date"),
    "col_payment": ("应还金额", "Payment"),
    "col_interest": ("利息", "Interest"),
    "col_principal": ("本金", "Principal"),
    "col_balance": ("剩余本金", "Balance"),
    # a schedule that counts down the amount financed (Quote.balance_on_amount_financed): its
    # principal parts repay the amount financed, its interest parts carry the withheld fees
    "col_principal_financed": ("偿还融资金额", "Amount financed repaid"),
    "col_interest_financed": ("利息及费用", "Interest incl. fees"),
    "col_balance_financed": ("剩余融资金额", "Financed balance"),
    # what an early payoff repays, as payoff clause 3 names it
    "payoff_balance": ("剩余本金", "the outstanding principal"),
    "payoff_balance_financed": ("剩余融资金额", "the outstanding amount financed"),
    "year_subtotal": ("第 {year} 年小计", "Year {year} subtotal"),
    "total": ("合计", "Total"),
    "terms": ("合同条款", "Terms"),
    "consent": ("电子签名同意记录", "Consent to electronic records and signatures"),
    "app_consent_scope": (
        "本合同、其信息披露及签名",
        "this contract, its disclosures and its signatures",
    ),
    "app_consent_method": (
        "同意前已在本设备上打开合同 PDF",
        "opened the contract PDF on this device before consenting",
    ),
    "consented_at": ("同意时间", "Consented at"),
    "consent_scope": ("同意范围", "Scope"),
    "consent_method": ("同意方式", "How consent was shown"),
    "consent_missing": (
        "未提供电子签名同意记录。本合同由操作员通过命令行签署，并非借款人在应用内确认同意后签署。",
        "No electronic-consent record was supplied. This contract is signed by an operator "
        "through the command line, not by the buyer after consenting in the app.",
    ),
    "signatures": ("签署", "Signatures"),
    "signed_pades": (
        "以数字证书电子签名（PAdES），签名后任何改动均可被检测。",
        "Signed electronically with a certificate (PAdES); any change after signing is detectable.",
    ),
    "sign_here": ("签名", "Signature"),
    "qr_caption": ("扫码核验合同编号及摘要", "Scan to check the document ID and digest"),
    "monthly": ("每月", "monthly"),
    "weekly": ("每周", "weekly"),
    "biweekly": ("每两周", "every two weeks"),
    "quarterly": ("每季度", "quarterly"),
    "semimonthly": ("每半月", "twice a month"),
}

#: A finance lease's own wording where a loan's would misname it: the lessor owns the car and
#: the lessee pays rent (融资租赁), so the roles and the title are the lease's.
_LEASE_TEXT: dict[str, tuple[str, str]] = {
    "title": ("汽车融资租赁合同", "Motor Vehicle Finance Lease Contract"),
    "buyer": ("承租人（买方）", "Lessee (buyer)"),
    "lender": ("出租人", "Lessor"),
    "disclosure": ("融资租赁信息披露", "Finance lease disclosure"),
    "fee_financed": ("计入融资的费用：{name}", "Financed fee: {name}"),
    "demo": ("演示数据 — 非真实出租人报价", "Demo data — not a real lessor's offer"),
    "schedule": ("租金支付计划表", "Rent schedule"),
    "payment_summary": ("租金支付计划摘要", "Rent schedule"),
    "col_date": ("租金支付日", "Rent due date"),
    "col_payment": ("应付租金", "Rent"),
    "total_of_payments": ("租金总额", "Total rent"),
    "total_of_payments_desc": (
        "按计划付清全部租金后您已支付的金额",
        "What you will have paid after every scheduled rent payment",
    ),
    "total_sale_price": ("以租代购总价", "Total lease-purchase price"),
    "total_sale_price_desc": (
        "以租代购的总成本，含首付款",
        "Total cost of the car through the lease, including the down payment",
    ),
    "late_grace": (
        "每期租金到期后 {days} 天内付清的，不收取任何逾期费用。",
        "A rent payment made within {days} days of its due date is charged nothing.",
    ),
    "late_no_grace": (
        "每期租金到期日后未付清即为逾期。",
        "A rent payment is late the day after its due date.",
    ),
    "late_penalty": (
        "自到期后第 {day} 天起，逾期租金按每日 {rate}（年化 {yearly}）计收违约金，直至付清。",
        "From day {day} after the due date, {rate} of the unpaid rent is charged for each "
        "day ({yearly} a year) until it is paid.",
    ),
    "late_fixed": (
        "每期租金逾期收取逾期费 {fee}。",
        "Each late rent payment is charged a late fee of {fee}.",
    ),
    # 提前结清: the trade's word for paying a lease off early, on the screens as here
    "prepayment": ("提前结清", "Early payoff"),
    "prepayment_not_allowed": ("本租赁不可提前结清。", "This lease cannot be paid off early."),
    "prepayment_anytime": ("可随时提前结清", "You may pay the lease off early at any time"),
    "prepayment_after": (
        "第 {n} 期租金到期后可提前结清",
        "You may pay the lease off early once {n} rent payments have fallen due",
    ),
    "prepayment_free": (
        "，不收取提前结清手续费；未到期利息不再收取。",
        " without a fee; unearned interest is not charged.",
    ),
    "prepayment_fee": (
        "，按提前结清的本金的 {rate} 收取手续费{free}；未到期利息不再收取。",
        "; a fee of {rate} of the principal paid off early applies{free}. Unearned interest "
        "is not charged.",
    ),
    "prepayment_fee_financed": (
        "，按提前结清的融资金额的 {rate} 收取手续费{free}；未到期利息不再收取。",
        "; a fee of {rate} of the amount financed paid off early applies{free}. Unearned "
        "interest is not charged.",
    ),
    "prepayment_fee_free_after": (
        "（第 {n} 期租金到期后免收）",
        " (none once {n} rent payments have fallen due)",
    ),
}

_TERMS: tuple[tuple[str, str], ...] = (
    (
        "1. 借款人向贷款人借入上述融资金额，用于购买上述车辆，并按还款计划表按期足额还款。",
        "1. The buyer borrows the amount financed to buy the vehicle above and repays it on the "
        "dates and in the amounts of the payment schedule.",
    ),
    (
        "2. 上述年化利率按实际占用本金及全部利息和直接相关费用计算（中国人民银行公告〔2021〕第3号）。",
        "2. The APR covers all interest and directly related fees over the principal actually "
        "used (PBoC Announcement [2021] No. 3).",
    ),
    (
        "3. 在上述提前还款条款允许时，借款人可提前还款，应付金额为{balance}、截至还款日的应计利息及上述提前还款手续费（如有）。",
        "3. Where the prepayment terms above allow it, the buyer may repay early; the payoff is "
        "{balance}, interest accrued to the payoff date and the prepayment fee stated above, if "
        "any.",
    ),
    (
        "4. 借款人有权索取本合同的纸质文本，并可随时撤回对电子文件的同意，撤回不影响已签署文件的效力。",
        "4. The buyer may ask for a paper copy of this contract at any time and may withdraw "
        "consent to electronic records; withdrawal does not affect documents already signed.",
    ),
    (
        "5. 本合同以电子签名签署，依据《中华人民共和国电子签名法》第十三条，与手写签名或盖章具有同等法律效力。",
        "5. This contract is signed electronically; under Art. 13 of the PRC Electronic Signature "
        "Law such a signature has the same legal effect as a handwritten signature or seal.",
    ),
)


_LEASE_TERMS: dict[int, tuple[str, str]] = {  # by index into _TERMS
    0: (
        "1. 出租人出资购买承租人选定的上述车辆并出租给承租人，承租人按租金支付计划表按期足额支付租金；融资金额即出租人为此提供的融资。",
        "1. The lessor buys the vehicle above, chosen by the lessee, and leases it to the lessee, "
        "who pays the rent on the dates and in the amounts of the rent schedule; the amount "
        "financed is what the lessor provides for it.",
    ),
    2: (
        "3. 在上述提前结清条款允许时，承租人可提前结清，应付金额为{balance}、截至结清日的应计利息及上述提前结清手续费（如有）。",
        "3. Where the early payoff terms above allow it, the lessee may pay the lease off early; "
        "the payoff is {balance}, interest accrued to the payoff date and the fee stated above, "
        "if any.",
    ),
    3: (
        "4. 承租人有权索取本合同的纸质文本，并可随时撤回对电子文件的同意，撤回不影响已签署文件的效力。",
        "4. The lessee may ask for a paper copy of this contract at any time and may withdraw "
        "consent to electronic records; withdrawal does not affect documents already signed.",
    ),
}


def text(key: str, locale: str, *, lease: bool = False, **params: object) -> str:
    """The wording of ``key`` in ``locale``, with ``params`` filled in; ``lease``: a finance
    lease's wording where it has its own."""
    zh, en = _LEASE_TEXT.get(key, _TEXT[key]) if lease else _TEXT[key]
    return (zh if locale == "zh_CN" else en).format(**params)


def other(key: str, locale: str, *, lease: bool = False, **params: object) -> str:
    """The same wording in the other language (the bilingual caption)."""
    return text(key, "en_US" if locale == "zh_CN" else "zh_CN", lease=lease, **params)


def terms(locale: str, *, lease: bool = False, financed: bool = False) -> list[str]:
    """The contract's clauses (a finance lease's where they differ): the locale's language
    first, then the other one. ``financed``: the schedule counts down the amount financed
    (``Quote.balance_on_amount_financed``), which the payoff clause then names."""
    clauses = [_LEASE_TERMS.get(i, c) if lease else c for i, c in enumerate(_TERMS)]
    balance = _TEXT["payoff_balance_financed" if financed else "payoff_balance"]
    first = 0 if locale == "zh_CN" else 1
    return [
        clause[lang].replace("{balance}", balance[lang])
        for lang in (first, 1 - first)
        for clause in clauses
    ]
