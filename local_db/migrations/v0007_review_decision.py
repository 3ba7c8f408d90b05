"""Version 7: an application flagged for manual review keeps what the reviewer decided
(``approved`` or ``declined``; NULL while none has), so a decline after review is told apart
from a check no lender offered. Applications made before this version have no decision."""

VERSION = 7

STATEMENTS = ("ALTER TABLE applications ADD COLUMN review_decision VARCHAR NULL",)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
