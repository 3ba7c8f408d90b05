"""Display names for the catalogue's codes (energy, body, condition...) in the user's language."""

from __future__ import annotations

from views.context import ViewContext
from views.widgets import N_

ENERGY = {
    "BEV": N_("Electric"),
    "PHEV": N_("Plug-in hybrid"),
    "HEV": N_("Hybrid"),
    "ICE": N_("Petrol"),
}
#: A car's paint (domain.catalog.Vehicle.colour): two listings of one model differ by it.
COLOUR = {
    "white": N_("White"),
    "black": N_("Black"),
    "silver": N_("Silver"),
    "grey": N_("Grey"),
    "blue": N_("Blue"),
    "red": N_("Red"),
    "green": N_("Green"),
    "yellow": N_("Yellow"),
    "brown": N_("Brown"),
}
BODY = {
    "sedan": N_("Sedan"),
    "hatchback": N_("Hatchback"),
    "suv": N_("SUV"),
    "mpv": N_("MPV"),
    "coupe": N_("Coupe"),
    "wagon": N_("Wagon"),
    "pickup": N_("Pickup"),
    "van": N_("Van"),
}
CONDITION = {"new": N_("New"), "used": N_("Used")}
SORT = {
    "price_asc": N_("Price: low to high"),
    "price_desc": N_("Price: high to low"),
    "year_desc": N_("Newest first"),
    "mileage_asc": N_("Lowest mileage"),
}
PRICE_BAND = {
    "0-100000": N_("Under 100k"),
    "100000-200000": N_("100k–200k"),
    "200000-300000": N_("200k–300k"),
    "300000-": N_("Over 300k"),
}
#: The catalogue's monthly budgets, in yuan a month.
MONTHLY_BUDGETS = ("2000", "3000", "5000", "8000")
LENDER_TYPE = {
    "bank": N_("Bank"),
    "auto_finance": N_("Auto-finance company"),
    "consumer_finance": N_("Consumer-finance company"),
    "finance_leasing": N_("Finance-leasing company"),
}
#: The behavioural checks' flags (domain.prequal.fraud), as staff and the buyer see them on
#: a check made earlier (its full reasons are shown with the offers when it is made).
REVIEW = {
    "fraud.velocity_person": N_("many applications in a short time"),
    "fraud.velocity_device": N_("many applications from one device"),
    "fraud.shared_phone": N_("a phone number used by several people"),
    "consistency.income_occupation": N_("income unusual for the occupation"),
    "consistency.occupation_employment": N_("occupation and work history disagree"),
    "consistency.income_type": N_("income unusual for its kind"),
    "consistency.age_employment": N_("years in work and age disagree"),
    "consistency.debts_over_income": N_("debts larger than income"),
}
PRODUCT_KIND = {
    "loan": N_("Instalment loan"),
    "finance_lease": N_("Finance lease"),
    "balloon": N_("Balloon loan"),
    "flat_promo": N_("Flat-rate promotion"),
}


def label(ctx: ViewContext, table: dict[str, str], code) -> str:
    code = getattr(code, "value", code)
    return ctx.t(table[code]) if code in table else str(code)


#: A saved check's review line, by where the review stands (domain.catalog.review_state).
REVIEW_LINES = {
    "pending": N_("Provisional — a person at the lender reviews it: {reasons}"),
    "approved": N_("Reviewed and approved by the lender (flagged for: {reasons})"),
    "declined": N_("Declined by the lender after review (flagged for: {reasons})"),
}
#: The same, short, on a pipeline card.
REVIEW_SHORT = {
    "pending": N_("Provisional: manual review"),
    "approved": N_("Reviewed: approved"),
    "declined": N_("Declined after review"),
}


def review_line(ctx: ViewContext, where: str, codes) -> str:
    """ "Provisional — manual review: <what was flagged>", or what the review decided, for a
    check whose flags are ``codes`` and whose review stands at ``where``."""
    sep = "；" if ctx.locale.startswith("zh") else "; "
    said = sep.join(label(ctx, REVIEW, c) for c in codes)
    return ctx.t(REVIEW_LINES[where], reasons=said)


def car_name(ctx: ViewContext, vehicle) -> str:
    """Make and model in the reader's language (a model without a Chinese name of its own
    keeps its name)."""
    return " ".join(vehicle.make_and_model(ctx.locale))


def lender_of(ctx: ViewContext, loan) -> str:
    """A signed loan's lender in the reader's language (the contract's own name for it when
    its product is no longer in the catalogue)."""
    return ctx.services.lender_name(loan.lender_id, ctx.locale) if loan.lender_id else loan.lender


def of_kind(loan, loan_words: str, lease_words: str) -> str:
    """The words for a signed loan's kind (mark both with ``N_``; no loan: a loan's): a
    finance lease's lessor pays the dealership for the car and the buyer pays rent, where a
    loan is paid out and repaid, as its contract says."""
    return lease_words if loan is not None and loan.lease else loan_words


def bilingual(ctx: ViewContext, zh: str, en: str) -> str:
    return zh if ctx.locale.startswith("zh") else en


def price(ctx: ViewContext, amount) -> str:
    """A car's price: in whole yuan when it has no fen, as prices are quoted (¥106,100)."""
    return ctx.money(amount, whole=amount == amount.to_integral_value())


def lender_and_product(ctx: ViewContext, lender: str, product) -> str:
    """ "Lender · product", or the product's name alone when it starts with the lender's
    (东岳银行尊享车贷, not 东岳银行 · 东岳银行尊享车贷)."""
    name = bilingual(ctx, product.name_zh, product.name_en)
    return name if name.startswith(lender) else f"{lender} · {name}"


def electric_range(ctx: ViewContext, vehicle) -> str | None:
    """The car's pure-electric range (CLTC), or None for a car without one."""
    km = vehicle.electric_range_km
    return None if km is None else ctx.t("{km} km", km=ctx.number(km))


def energy_use(ctx: ViewContext, vehicle) -> str | None:
    """Electricity or fuel per 100 km (a plug-in hybrid's fuel with its battery depleted, as
    Chinese spec sheets give it: 亏电油耗), or None when the car's figures are unknown."""
    if vehicle.power_kwh_100km is not None:
        return ctx.t("{kwh} kWh/100 km", kwh=ctx.number(vehicle.power_kwh_100km, 1))
    if vehicle.fuel_l_100km is None:
        return None
    litres = ctx.number(vehicle.fuel_l_100km, 1)
    if str(vehicle.energy) == "PHEV":
        return ctx.t("{litres} L/100 km, battery depleted", litres=litres)
    return ctx.t("{litres} L/100 km", litres=litres)


def balance_label(quote, on_principal: str, on_financed: str) -> str:
    """The msgid that names a quote's balance: ``on_principal``, or ``on_financed`` when its
    schedule counts down the amount financed (``Quote.balance_on_amount_financed``), so the
    figure is not read as the contract's larger 贷款本金."""
    return on_financed if quote.balance_on_amount_financed else on_principal


#: What a payment's parts are called: on the principal, or (the second) where the schedule
#: counts down the amount financed (``Quote.balance_on_amount_financed``): then its principal
#: parts repay the amount financed and its interest parts carry the withheld fees too (they
#: sum to the finance charge).
PAYMENT_PARTS = {
    "balance": (N_("Balance"), N_("Financed balance")),
    "principal": (N_("Principal"), N_("Amount financed repaid")),
    "interest": (N_("Interest"), N_("Interest incl. fees")),
    "principal_sum": (N_("Principal, cumulative"), N_("Amount financed repaid, cumulative")),
    "interest_sum": (N_("Interest, cumulative"), N_("Interest incl. fees, cumulative")),
}


def part_name(quote, part: str) -> str:
    """The msgid naming ``part`` (a key of :data:`PAYMENT_PARTS`) of ``quote``'s payments."""
    return balance_label(quote, *PAYMENT_PARTS[part])
