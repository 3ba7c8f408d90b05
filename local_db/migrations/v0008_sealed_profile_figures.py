"""Version 8: a buyer's monthly income, monthly debt payments and credit score are stored
encrypted (AES-GCM, like the ID number and phone: GB/T 35273-2020 Annex B counts income and
credit records as personal sensitive information), in ``monthly_income_enc``,
``monthly_debt_enc`` and ``credit_score_enc``; ``buyer_profiles`` keeps no clear column for
them.

A migration has no key, so the figures an older version stored in clear move to
``buyer_profiles_unsealed`` (one row per profile, its id), where they wait for the first open
with the key: ``local_db.sealing.seal_legacy`` (called by ``Services.open``) encrypts them into
the profile and deletes them. Until then the profile reads them from there. The table is
rebuilt (the portable form of dropping columns, which SQLite before 3.35 lacks), in one
transaction, with ``secure_delete`` on so the clear figures do not linger in freed pages.
"""

VERSION = 8

_NEW_TABLE = """
CREATE TABLE buyer_profiles_v8 (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    birth_year INTEGER NOT NULL,
    city VARCHAR NOT NULL,
    employment VARCHAR NOT NULL,
    years_employed INTEGER NOT NULL,
    id_number_enc BLOB,
    phone_enc BLOB,
    monthly_income_enc BLOB,
    monthly_debt_enc BLOB,
    credit_score_enc BLOB,
    use VARCHAR NOT NULL,
    segment VARCHAR,
    PRIMARY KEY (id),
    UNIQUE (user_id),
    FOREIGN KEY(user_id) REFERENCES users (id)
)
"""

_KEPT = (
    "updated_ms, deleted, id, user_id, full_name, birth_year, city, employment, "
    "years_employed, id_number_enc, phone_enc, use, segment"
)

STATEMENTS = (
    # Python's sqlite3 opens the transaction only at a data statement: without this no-op the
    # first CREATE would commit on its own, and a failed upgrade could not be run again.
    "UPDATE buyer_profiles SET id = id WHERE 0",
    """
    CREATE TABLE buyer_profiles_unsealed (
        id VARCHAR NOT NULL,
        monthly_income_cents BLOB,
        monthly_debt_cents BLOB,
        credit_score INTEGER,
        PRIMARY KEY (id)
    )
    """,
    "INSERT INTO buyer_profiles_unsealed (id, monthly_income_cents, monthly_debt_cents, "
    "credit_score) SELECT id, monthly_income_cents, monthly_debt_cents, credit_score "
    "FROM buyer_profiles",
    _NEW_TABLE,
    f"INSERT INTO buyer_profiles_v8 ({_KEPT}) SELECT {_KEPT} FROM buyer_profiles",
    "DROP TABLE buyer_profiles",
    "ALTER TABLE buyer_profiles_v8 RENAME TO buyer_profiles",
    "CREATE INDEX ix_buyer_profiles_segment ON buyer_profiles (segment)",
)


def upgrade(connection) -> None:
    before = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
    connection.exec_driver_sql("PRAGMA secure_delete = ON")  # zero the freed clear figures
    try:
        for statement in STATEMENTS:
            connection.exec_driver_sql(statement)
    finally:
        connection.exec_driver_sql(f"PRAGMA secure_delete = {int(before or 0)}")
