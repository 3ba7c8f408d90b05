"""A signed loan's documents, opened from its screen: the signed contract PDF, and a
repayment statement for a month (or the whole loan so far) made when its link is opened.

Both are reached only through a link issued to one signed-in user after checking the loan
is theirs to see (``app.file_links``). A statement is not kept: it is rendered from the loan
as it stands when the link is opened (``contracts.statement``).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from app.file_links import STATEMENT_PREFIX
from domain.catalog import ApplicationStatus
from domain.errors import InputError
from domain.statement_periods import statement_period

if TYPE_CHECKING:
    from app.services import Services
    from app.state import SessionUser

#: <contract id>-<YYYY-MM, or "all">-<locale>.pdf
STATEMENT_FILE = re.compile(
    r"^(?P<contract>[0-9a-f-]{36})-(?P<period>\d{4}-\d{2}|all)-(?P<locale>zh_CN|en_US)\.pdf$"
)


def statement_name(contract_id: str, period: str, locale: str) -> str:
    return f"{contract_id}-{period}-{locale}.pdf"


class LoanDocumentServices:
    """The loan documents half of :class:`app.services.Services`."""

    def _viewable_loan(self: Services, viewer: SessionUser, contract_id: str):
        """The application and latest contract of a loan ``viewer`` may see; InputError
        (``loan``, ``forbidden``) for anything else, never saying which."""
        from app.services import may_open
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            application = deals_repo.contract_application(s, contract_id=contract_id)
            contract = (
                deals_repo.latest_contract(s, application_id=application.id)
                if application is not None
                else None
            )
        if not may_open(viewer, application) or contract is None or contract.id != contract_id:
            raise InputError("loan", "forbidden", "is not yours to open")
        return application, contract

    def signed_contract_url(self: Services, viewer: SessionUser, contract_id: str) -> str | None:
        """A link to the loan's signed PDF; None when this device does not hold it (signed
        on another device, whose PDF stays there)."""
        from app.contract_files import signed_name
        from local_db.files import write_private

        application, contract = self._viewable_loan(viewer, contract_id)
        folder = self._contract_dir()
        # named by the document's id at signing, which the record does not keep: found by
        # its fingerprint, which it does
        kept = (
            path.name
            for path in folder.glob(f"{application.id}-*-signed.pdf")
            if hashlib.sha256(path.read_bytes()).hexdigest() == contract.pdf_sha256
        )
        name = next(kept, None)
        if name is None:
            if not contract.pdf:
                return None
            name = signed_name(application.id, contract.id)
            write_private(folder / name, contract.pdf)  # its bytes are in the database
        return self.contract_url(viewer, application.id, name)

    def statement_url(
        self: Services, viewer: SessionUser, contract_id: str, period: str, locale: str
    ) -> str:
        """A link to the loan's statement for ``period`` (a month "YYYY-MM" of the loan, or
        ``domain.statement_periods.WHOLE_LOAN``) in ``locale``. InputError when the loan is
        not the viewer's, not paid out, or the period is not one of its months."""
        from app.services import contract_loan_of

        application, contract = self._viewable_loan(viewer, contract_id)
        if application.status is not ApplicationStatus.FUNDED:
            raise InputError(
                "loan", "paid_out", "A loan has statements once the lender pays it out"
            )
        signed = contract_loan_of(contract)  # its terms only: the events wait for the link
        if signed is None:
            raise InputError("loan", "terms", "This loan's terms are not on this device")
        statement_period(period, signed.terms.loan_date, self.today())
        name = statement_name(contract_id, period, locale)
        return self.links.url(name, viewer.id, prefix=STATEMENT_PREFIX)

    def statement_pdf(self: Services, name: str) -> bytes:
        """The statement a link from :meth:`statement_url` names, as the loan stands today."""
        from contracts.statement import render_statement
        from domain.repayment_statement import statement
        from local_db.repositories import catalog as catalog_repo
        from local_db.repositories import deals as deals_repo
        from local_db.repositories import people as people_repo

        match = STATEMENT_FILE.match(name)
        if match is None:
            raise InputError("statement", "name", "is not a statement")
        with self.session() as s:
            application = deals_repo.contract_application(s, contract_id=match["contract"])
            contract, user = (
                (
                    deals_repo.latest_contract(s, application_id=application.id),
                    people_repo.get_user(s, user_id=application.user_id),
                )
                if application is not None
                else (None, None)
            )
            current = contract is not None and contract.id == match["contract"]
            folding = self._folding(s, contract) if current else None
            product = (
                catalog_repo.get_product(s, product_id=application.product_id) if current else None
            )
        if folding is None:
            raise InputError("statement", "loan", "names no loan on this device")
        signed, signed_quote, plan, events = folding
        start, end = statement_period(match["period"], signed.terms.loan_date, self.today())
        identity = self.known_identity(application.user_id)
        borrower = identity.name if identity else (user.display_name if user else "")
        return render_statement(
            statement(plan, events, start, end, signed.servicing),
            loan_id=contract.id,
            borrower=borrower,
            locale=match["locale"],
            demo=self.demo_mode,
            lease=product is not None and product.is_lease,
            financed=signed_quote.balance_on_amount_financed,
        )
