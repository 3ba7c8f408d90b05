"""Version 6: an application keeps the behavioural checks' flags (reason codes) its check
raised, so its offers read as provisional wherever it is shown later. Applications made
before this version have none."""

VERSION = 6

STATEMENTS = ("ALTER TABLE applications ADD COLUMN review VARCHAR NOT NULL DEFAULT '[]'",)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
