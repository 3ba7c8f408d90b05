"""The server's account API, from the device: sign in, create an account, sign out.

    account = sign_in(http, "li.ming", "a-long-password")     # an Account with its token
                                                              # (a device's: 30 days)
    account = register(http, "li.ming", "a-long-password")    # creates a buyer, then signs in
    sign_out(http, account.token)                             # revokes the token (best effort)
    closed = close_account(http, account.token, "a-long-password")   # AccountClosed, or raises

``http`` is an ``httpx.Client`` on the server's base URL. Every refusal is an
:class:`~domain.errors.InputError` naming the field the person typed and the rule (the sign-in
form shows it next to that field, in their language); the server's own text is never shown.
The form's rules are the server's (``sync.wire.Registration``), checked here first so that a
too-short password is named before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from domain.errors import InputError
from sync.client import error_code
from sync.wire import AccountClosed, Registration, Token, UserOut

__all__ = ["Account", "close_account", "register", "server_is_demo", "sign_in", "sign_out"]


@dataclass(frozen=True)
class Account:
    """A signed-in account on this device: who (the server's id, username, role and, for
    dealer staff, their dealership) and the bearer token with its expiry (epoch ms)."""

    user_id: str
    username: str
    role: str  # buyer | dealer_staff | admin
    dealer_id: str | None
    token: str
    expires_ms: int


def _unreachable() -> InputError:
    return InputError(
        "server", "unreachable", "The server cannot be reached: check the connection and try again"
    )


def _refused() -> InputError:
    return InputError("server", "refused", "The server could not do this now: try again later")


def _bad_username() -> InputError:
    return InputError(
        "username",
        "format",
        "Use 3 to 64 letters, digits or . _ @ + - (no spaces or Chinese characters)",
    )


def _locked_out(response: httpx.Response) -> InputError:
    """Too many wrong passwords: when to try again, from the server's Retry-After."""
    seconds = int(response.headers.get("Retry-After") or 60)
    return InputError(
        "password", "locked_out", "Too many failed sign-ins: try again in {minutes} min",
        {"minutes": max(1, -(-seconds // 60))},
    )  # fmt: skip


def _filled(username: str, password: str) -> tuple[str, str]:
    """Both fields given (the username trimmed), else InputError naming the empty one."""
    username = username.strip()
    if not username:
        raise InputError("username", "required", "Enter your username")
    if not password:
        raise InputError("password", "required", "Enter your password")
    return username, password


def _checked(username: str, password: str) -> tuple[str, str]:
    """The form's own rules (the server's): raises InputError naming the first field that
    breaks one."""
    username, password = _filled(username, password)
    try:
        Registration(username=username, password=password)
    except ValidationError as exc:
        if str(exc.errors()[0]["loc"][0]) == "username":
            raise _bad_username() from None
        raise InputError(
            "password", "length", "A password has 8 to 256 characters", {"min": 8}
        ) from None
    return username, password


def _send(http: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:
    try:
        return http.request(method, url, **kwargs)
    except httpx.HTTPError:
        raise _unreachable() from None


def _read(model, response: httpx.Response):
    try:
        return model.model_validate(response.json())
    except (ValueError, ValidationError):
        raise _refused() from None


def sign_in(http: httpx.Client, username: str, password: str) -> Account:
    """The OAuth2 password flow, then who the token belongs to."""
    username, password = _filled(username, password)
    form = {"username": username, "password": password, "scope": "device"}  # a device's
    response = _send(http, "POST", "/auth/token", data=form)
    if response.status_code == 401:
        raise InputError("password", "bad_credentials", "Wrong username or password")
    if response.status_code == 429:
        raise _locked_out(response)
    if response.status_code != 200:
        raise _refused()
    token = _read(Token, response)
    me = _send(http, "GET", "/auth/me", headers={"Authorization": f"Bearer {token.access_token}"})
    if me.status_code != 200:
        raise _refused()
    user = _read(UserOut, me)
    return Account(
        user.id, user.username, user.role, user.dealer_id, token.access_token, token.expires_ms
    )


def register(http: httpx.Client, username: str, password: str) -> Account:
    """Create a buyer account (the server makes staff accounts itself), then sign in."""
    username, password = _checked(username, password)
    response = _send(
        http, "POST", "/auth/register", json={"username": username, "password": password}
    )
    if response.status_code == 409:
        raise InputError("username", "taken", "This username is taken: choose another")
    if response.status_code == 422:  # the server's rules, should they be stricter than ours
        raise _bad_username()
    if response.status_code != 201:
        raise _refused()
    return sign_in(http, username, password)


def sign_out(http: httpx.Client, token: str) -> bool:
    """Revoke ``token`` on the server; False when the server could not be told (the device
    forgets the token all the same, and it expires on its own)."""
    try:
        response = http.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        return False
    return response.status_code in (204, 401)


def close_account(http: httpx.Client, token: str, password: str) -> AccountClosed:
    """Close the signed-in buyer's account on the server (``POST /account/close``), the
    password asked again. InputError: ``password`` wrong or locked out, ``account`` with a
    loan in progress (``loan_open``) or a sign-in the server no longer takes (``signed_out``),
    ``server`` unreachable or refusing."""
    if not password:
        raise InputError("password", "required", "Enter your password")
    response = _send(
        http, "POST", "/account/close", json={"password": password},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    if response.status_code == 200:
        return _read(AccountClosed, response)
    code = error_code(response)
    if response.status_code == 403 and code == "bad_credentials":
        raise InputError("password", "bad_credentials", "Wrong password")
    if response.status_code == 429:
        raise _locked_out(response)
    if response.status_code == 409 and code == "loan_open":
        raise InputError(
            "account", "loan_open",
            "You have a loan that is signed or not yet repaid in full: the account can be "
            "closed once it is repaid",
        )  # fmt: skip
    if response.status_code == 401:
        raise InputError(
            "account", "signed_out", "The server no longer accepts this sign-in: sign in again"
        )
    raise _refused()


def server_is_demo(http: httpx.Client) -> bool | None:
    """Whether the server says its market is a demo's (made up); None when it cannot be
    asked."""
    try:
        response = http.get("/health")
        return bool(response.json().get("demo")) if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
