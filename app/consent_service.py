"""The buyer's consents: what they agreed to, and withdrawing it (PIPL Art. 15: as easy as
giving it). A withdrawal is recorded, never a deletion — consent history is evidence — and
it syncs like any other change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from domain.catalog import ApplicationStatus, Consent, ConsentPurpose
from domain.errors import InputError

if TYPE_CHECKING:
    from app.services import Services
    from app.state import SessionUser

#: The applications a withdrawn soft-check consent stops: not yet signed with a lender.
OPEN_APPLICATIONS = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.PREQUALIFIED,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.APPROVED,
    }
)


@dataclass(frozen=True)
class ConsentSummary:
    """The buyer's consents to one purpose: how many were given, the latest, and whether any
    is still in force (``withdrawn_at``: the latest withdrawal, None if never)."""

    purpose: ConsentPurpose
    given: int
    last_given_at: datetime
    active: int
    withdrawn_at: datetime | None


def latest_withdrawal(
    consents: Iterable[Consent], purpose: ConsentPurpose | None = None
) -> datetime | None:
    """When the latest of ``consents`` (to ``purpose``, when given) was withdrawn; None if
    none was."""
    return max(
        (
            c.withdrawn_at
            for c in consents
            if c.withdrawn_at and (purpose is None or c.purpose is purpose)
        ),
        default=None,
    )


class ConsentServices:
    def consents(self: Services, user_id: str) -> list[ConsentSummary]:
        """The buyer's consents by purpose, the most recently given first."""
        from local_db.repositories import people as people_repo

        with self.session() as s:
            records = people_repo.list_consents(s, user_id=user_id)
        by_purpose: dict[ConsentPurpose, list] = {}
        for c in records:
            by_purpose.setdefault(c.purpose, []).append(c)
        out = [
            ConsentSummary(
                purpose=purpose,
                given=len(cs),
                last_given_at=max(c.given_at for c in cs),
                active=sum(c.active for c in cs),
                withdrawn_at=latest_withdrawal(cs),
            )
            for purpose, cs in by_purpose.items()
        ]
        return sorted(out, key=lambda x: x.last_given_at, reverse=True)

    def withdraw_consent(
        self: Services, user_id: str, purpose: ConsentPurpose, *, actor: str | None = None
    ) -> int:
        """Withdraw every consent in force the buyer gave to ``purpose``; how many.

        Withdrawing the soft-check consent also withdraws the buyer's applications not yet
        signed (their checks are no longer used, and they leave the dealer's board) and hides
        the saved checks made before it from "My offers"; a signed contract stands on its own.
        ``actor``: who recorded it when not the buyer (the staff member a walk-in customer
        asked, see :meth:`withdraw_customer_consent`); the audit entry names both. An
        InputError when nothing is in force."""
        from local_db import audit
        from local_db.repositories import deals as deals_repo
        from local_db.repositories import people as people_repo

        with self.session() as s:
            active = [
                c
                for c in people_repo.list_consents(s, user_id=user_id)
                if c.purpose is purpose and c.active
            ]
        if not active:  # raised outside the session: InputError is frozen (see confirm_payout)
            raise InputError("consent", "not_active", "no consent to this is in force")
        now = datetime.now(UTC)
        with self.session() as s:
            for c in active:
                people_repo.withdraw_consent(s, consent_id=c.id, at=now)
            stopped = []
            if purpose is ConsentPurpose.SOFT_CHECK:
                for a in deals_repo.list_applications(s, user_id=user_id):
                    if a.status in OPEN_APPLICATIONS:
                        deals_repo.save_application(
                            s, application=replace(a, status=ApplicationStatus.WITHDRAWN)
                        )
                        stopped.append(a.id)
            details = {
                "purpose": purpose.value,
                "consents": [c.id for c in active],
                "applications_withdrawn": stopped,
            }
            if actor is not None:
                details["on_behalf_of"] = user_id
            audit.append(
                s,
                actor=actor or user_id,
                action="consent.withdrawn",
                entity="consent",
                entity_id=active[-1].id,
                details=details,
                at=now,
            )
            s.commit()
        return len(active)

    def withdraw_customer_consent(self: Services, staff: SessionUser, application_id: str) -> int:
        """A walk-in customer has no sign-in of their own, so at the desk they ask the staff to
        withdraw their soft-check consent: :meth:`withdraw_consent` for the customer of an
        open application of the staff member's dealership, recorded with the staff member as
        the actor. Another dealership's application is "not found"; a signed one stands."""
        app_ = self.staff_application(staff, application_id)
        if app_.status not in OPEN_APPLICATIONS:
            raise InputError(
                "application",
                "open",
                "is no longer open: it is signed, declined or already withdrawn",
            )
        return self.withdraw_consent(app_.user_id, ConsentPurpose.SOFT_CHECK, actor=staff.id)
