"""Version 3: payments carry what the repayment engine needs to replay them — the channel,
the event kind (``payment`` or ``reversal``) and, on a reversal, the op_id it reverses.

Existing rows are payments made by bank transfer (the only channel before this version).
"""

VERSION = 3

STATEMENTS = (
    "ALTER TABLE payments ADD COLUMN channel VARCHAR NOT NULL DEFAULT 'bank_transfer'",
    "ALTER TABLE payments ADD COLUMN event_kind VARCHAR NOT NULL DEFAULT 'payment'",
    "ALTER TABLE payments ADD COLUMN reverses VARCHAR",
    "CREATE INDEX ix_payments_reverses ON payments (reverses)",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
