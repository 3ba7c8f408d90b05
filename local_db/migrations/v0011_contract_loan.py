"""Version 11: the loan a contract signs (``contracts.loan``, ``sync.contract_loan``'s JSON,
money in cents), which travels with the contract. Before it only the PDF held the terms, and
the PDF stays on the device that signed it: the buyer's other devices, and the dealership's
other tablets, could not show the loan. Contracts stored before keep an empty one; the
device that holds their PDF reads the terms from it."""

VERSION = 11

STATEMENTS = ("ALTER TABLE contracts ADD COLUMN loan VARCHAR NOT NULL DEFAULT ''",)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
