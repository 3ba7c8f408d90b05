"""Version 4: a car's official energy figures — the pure-electric range (CLTC, km), fuel in mL
and electricity in Wh per 100 km. Cars listed before this version have none (shown as "—")
until the catalogue is synced or the demo market re-seeded."""

VERSION = 4

STATEMENTS = (
    "ALTER TABLE vehicles ADD COLUMN electric_range_km INTEGER",
    "ALTER TABLE vehicles ADD COLUMN fuel_ml_100km INTEGER",
    "ALTER TABLE vehicles ADD COLUMN power_wh_100km INTEGER",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
