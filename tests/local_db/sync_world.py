"""A small local world for sync tests: one catalogue shared by every device (the same ids, as a
device gets it from the server or the demo seed) and a buyer's deal written through the
repositories, so every outbox operation is exactly what the app enqueues."""

from __future__ import annotations

from dataclasses import dataclass
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
from tests.factories import (
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
    payment_id: str
    interaction_id: str
    profile_id: str
    consent_id: str


def write_deal(session: Session, cat: Catalogue, user: User, *, dealer: bool = False) -> Deal:
    """A buyer's whole journey through the repositories (each call also enqueues its op)."""
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
    contract = ContractRecord(
        id=new_id(),
        application_id=application.id,
        offer_id=offer.id,
        version=1,
        pdf_sha256=SHA,
        signed_at=now,
        pdf=b"%PDF-1.7 signed",
    )
    deals.save_contract(session, contract=contract)
    payment = PaymentRecord(
        id=new_id(),
        contract_id=contract.id,
        paid_on=date(2026, 12, 1),
        amount=Decimal("3755.95"),
        created_at=now,
    )
    deals.record_payment(session, payment=payment)
    return Deal(
        application.id, offer.id, contract.id, payment.id, interaction.id, profile.id, consent.id
    )
