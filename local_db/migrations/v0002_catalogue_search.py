"""Version 2: the catalogue's text-search column and the indexes its filters and sorts use."""

VERSION = 2

STATEMENTS = (
    "ALTER TABLE vehicles ADD COLUMN search_text VARCHAR NOT NULL DEFAULT ''",
    "UPDATE vehicles SET search_text = "
    "lower(make || ' ' || make_zh || ' ' || model || ' ' || trim)",
    "CREATE INDEX ix_vehicles_catalogue_price ON vehicles (deleted, price_cents)",
    "CREATE INDEX ix_vehicles_condition_price ON vehicles (condition, price_cents)",
    "CREATE INDEX ix_vehicles_energy_price ON vehicles (energy, price_cents)",
    "CREATE INDEX ix_vehicles_make_price ON vehicles (make, price_cents)",
)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
