"""A small local world for sync tests: one catalogue shared by every device (the same ids, as a
device gets it from the server or the demo seed) and a buyer's deal written through the
repositories, so every outbox operation is exactly what the app enqueues. The deal goes as
real life orders it: the buyer's device writes it up to signing (the application through each
legal status), the dealership's staff confirm the lender's payout, the device hears of it, and
only then is a repayment recorded (the server refuses one before: ``not_paid_out``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session

from domain.catalog import (
    Application,
    ApplicationStatus,
    ConsentPurpose,
    ContractRecord,
    Dealer,
    EventType,
    Lender,
    LoanProduct,
    OfferRecord,
    PaymentRecord,
    RiskTier,
    User,
    Vehicle,
)
from domain.ids import new_id
from local_db.crypto import FieldCipher
from local_db.repositories import catalog, deals, interactions, people
from sync.contract_loan import to_wire
from tests.factories import (
    SIGNED_LOAN,
    make_applicant,
    make_dealer,
    make_lender,
    make_product,
    make_vehicle,
)

CIPHER = FieldCipher(bytes(range(32)))
SHA = "ab" * 32


@dataclass(frozen=True)
class Catalogue:
    dealer: Dealer
    lender: Lender
    product: LoanProduct
    vehicle: Vehicle

    @property
    def dealer_id(self) -> str:
        return self.dealer.id

    @property
    def product_id(self) -> str:
        return self.product.id

    @property
    def vehicle_id(self) -> str:
        return self.vehicle.id


def make_catalogue() -> Catalogue:
    dealer, lender = make_dealer(), make_lender()
    product = make_product(lender_id=lender.id)
    return Catalogue(dealer, lender, product, make_vehicle(dealer_id=dealer.id))


def catalogue_records(cat: Catalogue) -> list:
    """``cat`` as a server publishes it (``tests.backend.factories.publish_catalogue``)."""
    return catalog.sync_records(
        dealers=[cat.dealer], lenders=[cat.lender], products=[cat.product], vehicles=[cat.vehicle]
    )


def install_catalogue(session: Session, cat: Catalogue, user: User) -> None:
    """The catalogue rows and the signed-in user on a device (no outbox rows: not user actions)."""
    catalog.save_dealers(session, dealers=[cat.dealer])
    catalog.save_lenders(session, lenders=[cat.lender])
    catalog.save_products(session, products=[cat.product])
    catalog.save_vehicles(session, vehicles=[cat.vehicle])
    people.save_user(session, user=user)


@dataclass(frozen=True)
class Deal:
    application_id: str
    offer_id: str
    contract_id: str
    payment_id: str | None  # None until the loan is paid out and the buyer pays
    interaction_id: str
    profile_id: str
    consent_id: str


#: How the payout of a signed deal's application (its id) reaches the device's ``Session``.
Payout = Callable[[Session, str], None]


def sign_deal(session: Session, cat: Catalogue, user: User, *, dealer: bool = False) -> Deal:
    """A buyer's journey up to signing, through the repositories (each call also enqueues its
    op), in the app's order: the soft check (prequalified, with its offers), an offer chosen
    (submitted, then approved: no flag raised), the contract signed (contracted). No payment:
    nothing is owed before the payout (see :func:`write_deal`)."""
    now = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    profile = make_applicant(user_id=user.id)
    people.save_buyer_profile(session, profile=profile, cipher=CIPHER)
    consent = people.record_consent(
        session, user_id=user.id, purpose=ConsentPurpose.SOFT_CHECK, text_version="v1", at=now
    )
    interaction = interactions.record_interaction(
        session, user_id=user.id, product_id=cat.product_id, event=EventType.OFFER_OPEN, at=now
    )
    application = Application(
        id=new_id(),
        user_id=user.id,
        vehicle_id=cat.vehicle_id,
        cash_price=Decimal("179800.00"),
        down_payment=Decimal("53940.00"),
        term=36,
        status=ApplicationStatus.PREQUALIFIED,
        dealer_id=cat.dealer_id if dealer else None,
        created_at=now,
    )
    deals.save_application(session, application=application)
    offer = OfferRecord(
        id=new_id(),
        application_id=application.id,
        product_id=cat.product_id,
        eligible=True,
        tier=RiskTier.A,
        term=36,
        principal=Decimal("125860.00"),
        payment=Decimal("3755.95"),
        finance_charge=Decimal("9354.20"),
        total_of_payments=Decimal("135214.20"),
        apr=Decimal("0.0480"),
        created_at=now,
    )
    deals.save_offers(session, offers=[offer])
    application = replace(application, product_id=cat.product_id)
    for status in (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED):
        deals.save_application(session, application=replace(application, status=status))
    contract = ContractRecord(
        id=new_id(),
        application_id=application.id,
        offer_id=offer.id,
        version=1,
        pdf_sha256=SHA,
        signed_at=now,
        pdf=b"%PDF-1.7 signed",
        loan=to_wire(SIGNED_LOAN),
    )
    deals.save_contract(session, contract=contract)
    deals.save_application(
        session, application=replace(application, status=ApplicationStatus.CONTRACTED)
    )
    return Deal(application.id, offer.id, contract.id, None, interaction.id, profile.id, consent.id)


def write_deal(
    session: Session, cat: Catalogue, user: User, *, payout: Payout, dealer: bool = False
) -> Deal:
    """A buyer's whole journey: :func:`sign_deal`, then ``payout`` brings the lender's payout
    to the device (:func:`pulled_payout` without a server, :func:`synced_payout` with one),
    then the first repayment is recorded (enqueued, not yet sent)."""
    deal = sign_deal(session, cat, user, dealer=dealer)
    payout(session, deal.application_id)
    paid_out = deals.get_application(session, application_id=deal.application_id)
    assert paid_out.status is ApplicationStatus.FUNDED, "a repayment waits for the payout"
    payment = PaymentRecord(
        id=new_id(),
        contract_id=deal.contract_id,
        paid_on=date(2026, 12, 1),
        amount=Decimal("3755.95"),
        created_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
    )
    deals.record_payment(session, payment=payment)
    return replace(deal, payment_id=payment.id)


def pulled_payout(session: Session, application_id: str) -> None:
    """The payout as a device with no server in the test hears of it: staff funded the
    application elsewhere and the device wrote what it pulled (no outbox op: not its write)."""
    application = deals.get_application(session, application_id=application_id)
    funded = replace(application, status=ApplicationStatus.FUNDED)
    deals.save_application(session, application=funded, enqueue=False)


def synced_payout(sync: Callable[[], bool], confirm: Callable[[str], object]) -> Payout:
    """The payout with a server: the device commits and sends its signed deal (``sync``, e.g.
    a ``SyncClient`` 's ``sync_once``), ``confirm(application_id)`` has the dealership's
    staff or an admin fund it on the server, and the device pulls it (``sync`` again)."""

    def payout(session: Session, application_id: str) -> None:
        session.commit()
        assert sync(), "the signed deal did not reach the server"
        confirm(application_id)
        assert sync(), "the payout did not reach the device"

    return payout
