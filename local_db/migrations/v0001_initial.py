"""Version 1: the initial schema, frozen as it shipped (never edit a released migration)."""

VERSION = 1

SQL = """
CREATE TABLE audit_log (
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    details VARCHAR NOT NULL,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL,
    PRIMARY KEY (seq)
);
CREATE TABLE counters (
    name VARCHAR NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name)
);
CREATE TABLE dealers (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    city_zh VARCHAR NOT NULL,
    brands VARCHAR NOT NULL,
    sells_used BOOLEAN NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE lenders (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    captive_brands VARCHAR NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE meta (
    "key" VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE outbox (
    op_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    payload VARCHAR NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (op_id),
    UNIQUE (seq)
);
CREATE TABLE sync_cursor (
    stream VARCHAR NOT NULL,
    cursor INTEGER NOT NULL,
    PRIMARY KEY (stream)
);
CREATE TABLE loan_products (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    lender_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    valid_from DATE,
    valid_to DATE,
    rules VARCHAR NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(lender_id) REFERENCES lenders (id),
    UNIQUE (code)
);
CREATE INDEX ix_loan_products_lender_id ON loan_products (lender_id);
CREATE TABLE users (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    display_name VARCHAR NOT NULL,
    dealer_id VARCHAR,
    password_hash VARCHAR,
    PRIMARY KEY (id),
    UNIQUE (username),
    FOREIGN KEY(dealer_id) REFERENCES dealers (id)
);
CREATE INDEX ix_users_dealer_id ON users (dealer_id);
CREATE TABLE vehicles (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    dealer_id VARCHAR NOT NULL,
    make VARCHAR NOT NULL,
    make_zh VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    trim VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    body VARCHAR NOT NULL,
    energy VARCHAR NOT NULL,
    condition VARCHAR NOT NULL,
    price_cents BLOB NOT NULL,
    colour VARCHAR NOT NULL,
    vin VARCHAR NOT NULL,
    picture VARCHAR NOT NULL,
    mileage_km INTEGER NOT NULL,
    first_registration DATE,
    seats INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(dealer_id) REFERENCES dealers (id),
    UNIQUE (vin)
);
CREATE INDEX ix_vehicles_dealer_id ON vehicles (dealer_id);
CREATE TABLE applications (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    vehicle_id VARCHAR NOT NULL,
    product_id VARCHAR,
    dealer_id VARCHAR,
    status VARCHAR NOT NULL,
    cash_price_cents BLOB NOT NULL,
    down_payment_cents BLOB NOT NULL,
    trade_in_cents BLOB NOT NULL,
    term INTEGER NOT NULL,
    use VARCHAR NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id),
    FOREIGN KEY(vehicle_id) REFERENCES vehicles (id),
    FOREIGN KEY(product_id) REFERENCES loan_products (id),
    FOREIGN KEY(dealer_id) REFERENCES dealers (id)
);
CREATE INDEX ix_applications_user_id ON applications (user_id);
CREATE INDEX ix_applications_vehicle_id ON applications (vehicle_id);
CREATE TABLE buyer_profiles (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    birth_year INTEGER NOT NULL,
    city VARCHAR NOT NULL,
    monthly_income_cents BLOB NOT NULL,
    monthly_debt_cents BLOB NOT NULL,
    credit_score INTEGER NOT NULL,
    employment VARCHAR NOT NULL,
    years_employed INTEGER NOT NULL,
    id_number_enc BLOB,
    phone_enc BLOB,
    use VARCHAR NOT NULL,
    segment VARCHAR,
    PRIMARY KEY (id),
    UNIQUE (user_id),
    FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE INDEX ix_buyer_profiles_segment ON buyer_profiles (segment);
CREATE TABLE consents (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    purpose VARCHAR NOT NULL,
    text_version VARCHAR NOT NULL,
    given_ms INTEGER NOT NULL,
    withdrawn_ms INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE INDEX ix_consents_user_id ON consents (user_id);
CREATE TABLE interactions (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    vehicle_id VARCHAR,
    event VARCHAR NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id),
    FOREIGN KEY(product_id) REFERENCES loan_products (id),
    FOREIGN KEY(vehicle_id) REFERENCES vehicles (id)
);
CREATE INDEX ix_interactions_at_ms ON interactions (at_ms);
CREATE INDEX ix_interactions_product_id ON interactions (product_id);
CREATE INDEX ix_interactions_user_id ON interactions (user_id);
CREATE TABLE offers (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    application_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    eligible BOOLEAN NOT NULL,
    tier VARCHAR,
    term INTEGER NOT NULL,
    principal_cents BLOB NOT NULL,
    payment_cents BLOB NOT NULL,
    finance_charge_cents BLOB NOT NULL,
    total_of_payments_cents BLOB NOT NULL,
    apr VARCHAR NOT NULL,
    reasons VARCHAR NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(application_id) REFERENCES applications (id),
    FOREIGN KEY(product_id) REFERENCES loan_products (id)
);
CREATE INDEX ix_offers_application_id ON offers (application_id);
CREATE TABLE contracts (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    application_id VARCHAR NOT NULL,
    offer_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    pdf_sha256 VARCHAR NOT NULL,
    signed_ms INTEGER NOT NULL,
    pdf BLOB NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (application_id, version),
    FOREIGN KEY(application_id) REFERENCES applications (id),
    FOREIGN KEY(offer_id) REFERENCES offers (id)
);
CREATE TABLE payments (
    updated_ms INTEGER NOT NULL,
    deleted BOOLEAN NOT NULL,
    id VARCHAR NOT NULL,
    contract_id VARCHAR NOT NULL,
    paid_on DATE NOT NULL,
    amount_cents BLOB NOT NULL,
    kind VARCHAR NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(contract_id) REFERENCES contracts (id)
);
CREATE INDEX ix_payments_contract_id ON payments (contract_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""


def upgrade(connection) -> None:
    # Statement by statement, inside the caller's transaction (executescript would commit).
    for statement in SQL.split(";\n"):
        if statement.strip():
            connection.exec_driver_sql(statement)
