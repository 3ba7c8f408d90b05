"""Version 14: a car another buyer has signed for (``vehicles.held_until``: its contract's
first repayment date, ``signed`` when the server knows none, or ``sold`` once paid out). The
server marks the car's catalogue record and every device pulls it, so the car leaves every
catalogue, not only those of the devices that hold the contract. Cars pulled before keep no
mark until the server sends them again."""

VERSION = 14

STATEMENTS = (
    "ALTER TABLE vehicles ADD COLUMN held_until VARCHAR",
    # the catalogue leaves the marked cars out on every query: a few rows, found by index
    "CREATE INDEX ix_vehicles_held ON vehicles (id) WHERE held_until IS NOT NULL",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
