"""Version 13: the server's refusals of this device's operations (``sync_refusals``), kept.
Before it they lived in memory until the app closed, and nothing on a screen said so: a
contract the server refused (another on the same car reached it first) looked signed for
good on the device that signed it."""

VERSION = 13

STATEMENTS = (
    """CREATE TABLE sync_refusals (
    op_id VARCHAR NOT NULL PRIMARY KEY,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    reason VARCHAR,
    message VARCHAR
)""",
    "CREATE INDEX ix_sync_refusals_record ON sync_refusals (entity, entity_id)",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
