"""Column types: money as exact integer cents of any size."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy.types import TypeDecorator, UserDefinedType

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class _NoAffinity(UserDefinedType):
    """A column SQLite leaves untouched. Its declared type "BLOB" gives it no type affinity
    (https://sqlite.org/datatype3.html §3.1), so an integer is stored as INTEGER and a string
    as TEXT, never silently turned into a REAL."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "BLOB"


class Cents(TypeDecorator):
    """Integer cents (分) of any size.

    SQLite integers stop at 2**63 - 1 (about 92 quadrillion CNY): an amount inside that range is
    stored as an INTEGER (indexed, compared and sorted numerically); a larger one is stored as
    its decimal text, which SQLite orders after every integer, so sorting and range filters
    on positive amounts stay right. Other databases get NUMERIC(38, 0).
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_NoAffinity())
        return dialect.type_descriptor(Numeric(38, 0))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"cents must be an int, not {type(value).__name__}")
        if dialect.name != "sqlite":
            return Decimal(value)
        return value if _INT64_MIN <= value <= _INT64_MAX else str(value)

    def process_result_value(self, value, dialect):
        return None if value is None else int(value)
