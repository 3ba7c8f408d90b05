"""Connected mode's account on this device: sign in, create an account, stay signed in between
launches, sign out.

One device, one account at a time (a phone, a dealership's tablet; the web app's process is one
device). The session is remembered in the local database's meta table, its token encrypted at
rest with the device's field key, until it expires or the person signs out. Changes made
offline by one account are never sent under another's: while the outbox holds changes of the
last account, no other account signs in here.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag

from app.state import SessionUser
from domain.catalog import Role, User
from domain.errors import InputError
from local_db import meta
from local_db.crypto import cipher_for_dir
from local_db.repositories import catalog as catalog_repo
from local_db.repositories import people as people_repo
from local_db.repositories import refusals as refusals_repo
from sync.account import Account
from sync.wire import AccountClosed

if TYPE_CHECKING:
    from app.services import Services

SESSION_KEY = "account.session"  # the remembered Account, encrypted
LAST_KEY = "account.last_user"  # whose changes the outbox holds (the last account's id)
DEMO_SERVER_KEY = "server.demo"  # "1": the server said its market is a demo's


class AccountServices:
    """The account half of :class:`app.services.Services` (connected mode only)."""

    def account_user(self: Services) -> SessionUser | None:
        """The person signed in on this device, their session resumed for sync; None in demo
        mode, when nobody is, or when the session has expired (it is then forgotten)."""
        if self.demo_mode:
            return None
        account = self._remembered()
        if account is None:
            return None
        if account.expires_ms <= time.time_ns() // 1_000_000:
            self._forget()
            return None
        self._sync_handle().resume(account)
        return self._session_user(account)

    def sign_in(
        self: Services, username: str, password: str, *, create: bool = False
    ) -> SessionUser:
        """Check the account with the server (``create``: create a buyer account first), make
        it this device's, and fetch what it may see. Raises InputError naming the field:
        username or password, or server (unreachable, demo mode)."""
        handle = self._sync_handle()
        account = handle.sign_in(username, password, create=create)
        if account.role not in ("buyer", "dealer_staff"):
            handle.revoke(account)  # a token of no use here
            raise InputError(
                "username", "role", "Reviewer accounts use the server's review API, not this app"
            )
        with self.session() as s:
            last = meta.get(s, LAST_KEY)
        held = handle.status().pending  # what the wire can carry (a walk-in's user row is not)
        if last is not None and last != account.user_id and held:
            handle.revoke(account)
            raise InputError(
                "username",
                "other_account_pending",
                "This device holds {n} changes of another account not yet sent: sign in with "
                "that account and sync them first",
                {"n": held},
            )
        self._save_user(account)  # pulled records name their owner: the row must be there
        handle.use(account)
        handle.sync_now()  # the catalogue and the account's own records, before the first screen
        self._save_user(account)  # a staff member's dealership has now been pulled
        self._remember(account)
        demo = handle.server_is_demo()
        if demo is not None:
            with self.session() as s:
                meta.put(s, DEMO_SERVER_KEY, "1" if demo else "0")
                s.commit()
            self._server_demo = demo
        return self._session_user(account)

    @property
    def demo_market(self: Services) -> bool:
        """The market shown is made up: demo mode, or a server that says it is a demo's (the
        screens and contracts are then marked as demo data)."""
        if self.demo_mode:
            return True
        if self._server_demo is None:  # read once: every screen asks (its badge)
            with self.session() as s:
                self._server_demo = meta.get(s, DEMO_SERVER_KEY) == "1"
        return self._server_demo

    def sign_in_expired(self: Services) -> bool:
        """The server no longer accepts the signed-in person's token (it expired, or was
        revoked elsewhere): their changes wait on the device until they sign in again."""
        return self._sync is not None and self._sync.needs_sign_in()

    def sign_out(self: Services) -> None:
        """Send what is pending if the server can be reached, revoke the token, and forget the
        session. The outbox keeps anything unsent for this account's next sign-in; an account
        closed on another device has none, and what this device holds of it is forgotten."""
        if self.demo_mode:
            return
        handle = self._sync_handle()
        if handle.account_closed():  # on another device: nothing can be sent, nothing kept
            account = self._remembered()
            handle.use(None)
            if account is not None:
                self._forget_account_here(account.user_id)
            return
        if handle.status().pending:
            handle.sync_now()
        handle.sign_out()
        self._forget()

    def close_account(self: Services, password: str) -> AccountClosed:
        """Close the signed-in buyer's account (注销账户): what is pending is sent first (it is
        theirs to have on record, and may be the payment that repaid their loan), the server
        closes it (``backend.closure``), and the device forgets the account's rows and the
        session. InputError naming the field when it cannot be closed; nothing changes then."""
        if self.demo_mode:
            raise InputError("server", "demo_only", "Demo mode has no server to sign in to")
        user_id = self._remembered_user_id()
        handle = self._sync_handle()
        if handle.status().pending:
            handle.sync_now()
        pending = handle.status().pending
        if pending:
            raise InputError(
                "account", "unsent",
                "This device holds {n} changes not yet sent: connect to the server and try "
                "again", {"n": pending},
            )  # fmt: skip
        closed = handle.close_account(password)
        self._forget_account_here(user_id)
        return closed

    def _forget_account_here(self: Services, user_id: str) -> None:
        """A closed account's rows, outbox and session gone from this device."""
        from local_db.account_rows import forget_account

        with self.session() as s:
            forget_account(s, user_id)
            meta.drop(s, SESSION_KEY)
            meta.drop(s, LAST_KEY)
            s.commit()
        self.prune_drafts()  # their applications are gone

    def _remembered_user_id(self: Services) -> str:
        account = self._remembered()
        if account is None:
            raise InputError(
                "account", "signed_out", "The server no longer accepts this sign-in: sign in again"
            )
        return account.user_id

    # --- the session at rest ---------------------------------------------------------------
    def _remembered(self: Services) -> Account | None:
        cipher = cipher_for_dir(self.settings.data_dir)
        try:
            with self.session() as s:
                stored = meta.get_sealed(s, SESSION_KEY, cipher)
            return None if stored is None else Account(**json.loads(stored))
        except (InvalidTag, ValueError, TypeError):  # another key, or not ours: sign in anew
            return None

    def _remember(self: Services, account: Account) -> None:
        cipher = cipher_for_dir(self.settings.data_dir)
        with self.session() as s:
            if meta.get(s, LAST_KEY) not in (None, account.user_id):
                refusals_repo.mark_read(s)  # another account's: not this one's to count
            meta.put_sealed(s, SESSION_KEY, json.dumps(asdict(account)), cipher)
            meta.put(s, LAST_KEY, account.user_id)
            s.commit()

    def _save_user(self: Services, account: Account) -> None:
        """The account's local user row (users are not pulled: the device provisions its own)."""
        with self.session() as s:
            dealer = account.dealer_id
            if dealer is not None and catalog_repo.get_dealer(s, dealer_id=dealer) is None:
                dealer = None  # not pulled yet: the local row must not point nowhere
            role = Role.BUYER if account.role == "buyer" else Role.DEALER_STAFF
            user = User(account.user_id, account.username, role, account.username, dealer)
            people_repo.save_user(s, user=user)
            s.commit()

    def _forget(self: Services) -> None:
        with self.session() as s:
            meta.drop(s, SESSION_KEY)
            s.commit()

    def _session_user(self: Services, account: Account) -> SessionUser:
        if account.role == "buyer":
            return SessionUser(account.user_id, account.username, "buyer")
        with self.session() as s:
            dealer = catalog_repo.get_dealer(s, dealer_id=account.dealer_id or "")
        return SessionUser(
            account.user_id,
            account.username,
            "staff",
            dealer_id=account.dealer_id,
            dealer_name=dealer.name_zh if dealer else None,
            dealer_name_en=dealer.name_en if dealer else None,
        )

    def _sync_handle(self: Services):
        self.start_sync()
        return self._sync
