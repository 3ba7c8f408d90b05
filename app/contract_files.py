"""The contract PDFs in ``<data dir>/contracts``: a signed contract is kept for ever; a draft
(the unsigned preview the contract screen opens) only as long as a screen can reach it.

A draft is reached only through a link issued right after it was written, and a link lives
:data:`app.file_links.LINK_TTL_SECONDS` (and dies with the process); opening the contract
again renders a new draft (byte-identical for the same deal). So a draft is removed when it is
superseded (a newer draft of its application, or its application signed), when its
application is no longer open (signed, withdrawn, declined, or gone), and when it is older
than :data:`DRAFT_MAX_AGE_SECONDS`, past the life of any link to it. Age rather than "every
draft at startup": another process sharing the data dir may still have live links to its own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from app.file_links import LINK_TTL_SECONDS

#: <application id>-<contract id>-<locale>-draft.pdf
DRAFT_FILE = re.compile(
    r"^(?P<application>[0-9a-f-]{36})-[0-9a-f-]{36}-[A-Za-z]{2,3}_[A-Za-z]{2}-draft\.pdf$"
)
#: What ``chedai app`` serves from the folder: <application id>-<contract id>-signed.pdf, or
#: a draft in one of the app's languages
CONTRACT_FILE = re.compile(r"^[0-9a-f-]{36}-[0-9a-f-]{36}-(signed|(zh_CN|en_US)-draft)\.pdf$")
#: The last link to a draft has expired by then (5 minutes' slack for the render and clocks).
DRAFT_MAX_AGE_SECONDS = LINK_TTL_SECONDS + 5 * 60


def draft_name(application_id: str, contract_id: str, locale: str) -> str:
    return f"{application_id}-{contract_id}-{locale}-draft.pdf"


def signed_name(application_id: str, contract_id: str) -> str:
    return f"{application_id}-{contract_id}-signed.pdf"


def drafts(folder: Path) -> dict[str, str]:
    """The draft files in ``folder``: file name -> application id."""
    if not folder.is_dir():
        return {}
    found = {}
    for entry in folder.iterdir():
        match = DRAFT_FILE.match(entry.name)
        if match and entry.is_file():
            found[entry.name] = match["application"]
    return found


def prune_drafts(
    folder: Path,
    *,
    superseded_of: str | None = None,
    keep: Iterable[str] = (),
    closed: Callable[[Iterable[str]], set[str]] | None = None,
    now: float | None = None,
) -> list[str]:
    """Delete the drafts in ``folder`` no screen can reach any more: those of application
    ``superseded_of`` (but the names in ``keep``), those of the applications ``closed`` says
    are no longer open (it is given the drafts' application ids), and those older than
    :data:`DRAFT_MAX_AGE_SECONDS`. Never a signed contract. Returns the names deleted."""
    found = drafts(folder)
    keep = set(keep)
    shut = closed(set(found.values())) if closed is not None and found else set()
    now = time.time() if now is None else now
    removed = []
    for name, application_id in sorted(found.items()):
        if name in keep:
            continue
        path = folder / name
        try:
            old = now - path.stat().st_mtime > DRAFT_MAX_AGE_SECONDS
        except FileNotFoundError:
            continue
        if application_id == superseded_of or application_id in shut or old:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed
