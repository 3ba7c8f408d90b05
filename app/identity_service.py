"""Who signs: the legal name and ID card number a contract names (domain.identity).

A buyer whose profile holds both signs as that. Anyone else — a new account, a walk-in at the
desk — declares them on the contract screen under a separate consent to processing the number
(PIPL Art. 29: sensitive personal data, purpose ``sensitive_data``); the number then lives only
in the contract being signed, and in the profile when there is one (stored encrypted, shown
masked).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from domain.catalog import ConsentPurpose
from domain.errors import InputError
from domain.identity import LegalIdentity, check_id_number, check_legal_name
from local_db.crypto import cipher_for_dir
from local_db.repositories import people as people_repo

if TYPE_CHECKING:
    from app.services import Services

#: -2: the zh text names the lender 贷款机构, as every other screen does (it said 放款机构)
IDENTITY_CONSENT_VERSION = "identity-2026-11-2"


class IdentityServices:
    """The identity half of :class:`app.services.Services`."""

    def known_identity(self: Services, user_id: str) -> LegalIdentity | None:
        """The name and ID number the buyer's profile holds, when it holds both."""
        with self.session() as s:
            profile = people_repo.get_buyer_profile(
                s, user_id=user_id, cipher=cipher_for_dir(self.settings.data_dir)
            )
        if profile is None or not profile.full_name or not profile.id_number:
            return None
        return LegalIdentity(profile.full_name, profile.id_number)

    def confirm_identity(
        self: Services, user_id: str, name: str, id_number: str, *, consented_at: datetime | None
    ) -> LegalIdentity:
        """Check what the signer declared, record their consent to processing the number, and
        keep both in their profile when they have one. Raises InputError naming the field
        (``identity.name``, ``identity.id_number``, ``identity.consent``)."""
        identity = LegalIdentity(
            check_legal_name(name), check_id_number(id_number, today=self.today())
        )
        if consented_at is None:
            raise InputError(
                "identity.consent",
                "required",
                "Agree to the processing of your ID number to put it on the contract",
            )
        cipher = cipher_for_dir(self.settings.data_dir)
        with self.session() as s:
            people_repo.record_consent(
                s, user_id=user_id, purpose=ConsentPurpose.SENSITIVE_DATA,
                text_version=IDENTITY_CONSENT_VERSION, at=consented_at.astimezone(UTC),
            )  # fmt: skip
            profile = people_repo.get_buyer_profile(s, user_id=user_id, cipher=cipher)
            if profile is not None:
                people_repo.save_buyer_profile(
                    s, profile=replace(profile, full_name=identity.name,
                                       id_number=identity.id_number),
                    cipher=cipher,
                )  # fmt: skip
            s.commit()
        return identity
