"""Errors the domain raises on bad input.

An :class:`InputError` names the field and the rule that failed, with parameters, so the
application layer can show it in the user's language (``app.i18n.describe_error``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InputError(ValueError):
    """Bad input: ``field`` is a dotted path such as ``deal.down_payment``; ``rule`` is a
    stable code such as ``required``, ``not_negative``, ``not_a_number``; ``params`` fill the
    message; ``message`` is the English text (the catalogue's msgid)."""

    field: str
    rule: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.field}: {self.message.format(**self.params)}"


class NoSolutionError(ValueError):
    """A numeric solve (APR, hint search) has no solution for the given input."""
