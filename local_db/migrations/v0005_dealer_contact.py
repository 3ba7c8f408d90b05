"""Version 5: a dealership's showroom address (Chinese and English) and public phone number.
Dealers listed before this version have neither (the car's page then shows none) until the
catalogue is synced or the demo market re-seeded."""

VERSION = 5

STATEMENTS = (
    "ALTER TABLE dealers ADD COLUMN address_zh VARCHAR NOT NULL DEFAULT ''",
    "ALTER TABLE dealers ADD COLUMN address_en VARCHAR NOT NULL DEFAULT ''",
    "ALTER TABLE dealers ADD COLUMN phone VARCHAR NOT NULL DEFAULT ''",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
