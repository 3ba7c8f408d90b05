"""Explainable messages: a stable code, an English msgid (translated by app.i18n) and the values
that fill it, each with the way it is to be formatted in the reader's locale."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

#: "label": the value is itself a msgid (marked with N_), shown translated; "city": a city's
#: key in the catalogue ("Shanghai"), shown by its name in the reader's language
Format = Literal["money", "percent", "number", "text", "label", "city"]


def N_(message: str) -> str:
    """Mark a msgid for extraction (babel.cfg's ``N_`` keyword); translated where it is shown."""
    return message


@dataclass(frozen=True)
class Reason:
    """Why something happened, e.g. a failed rule. ``params`` fill ``message``; ``formats``
    says how the application layer formats each (money, a percentage of a fraction, ...)."""

    code: str
    message: str
    params: dict[str, Decimal | int | str] = field(default_factory=dict)
    formats: dict[str, Format] = field(default_factory=dict)

    def english(self) -> str:
        """The untranslated sentence with plain values (logs and tests)."""
        return self.message.format(
            **{k: _plain(v, self.formats.get(k)) for k, v in self.params.items()}
        )


def _plain(value: Decimal | int | str, fmt: Format | None) -> str:
    if fmt == "percent":
        return f"{Decimal(value) * 100:.2f}%"
    if fmt == "money":
        return f"{Decimal(value):,.2f}"
    return str(value)
