"""Version 9: a vehicle's model name in Chinese (``model_zh``, empty where the model has no
name of its own in Chinese). Rows already stored keep an empty one, and their search text,
until the catalogue sends them again."""

VERSION = 9

STATEMENTS = ("ALTER TABLE vehicles ADD COLUMN model_zh VARCHAR NOT NULL DEFAULT ''",)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
