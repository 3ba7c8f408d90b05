"""Version 10: pulled changes that wait for a record they name (``sync_parked``), kept across
restarts. Before it they waited in memory only, and a pull cut short by the app closing lost
them for good: the cursor had moved past them and immutable records are never sent again."""

VERSION = 10

STATEMENTS = (
    """CREATE TABLE sync_parked (
    stream VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    change VARCHAR NOT NULL,
    PRIMARY KEY (stream, entity, entity_id)
)""",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
