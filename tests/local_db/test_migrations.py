from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

import local_db.tables  # noqa: F401  (registers the models)
from local_db.engine import make_engine
from local_db.migrations import LATEST, SchemaTooNewError, current_version, migrate


def _schema(engine) -> dict[str, tuple[set[str], set[str]]]:
    inspector = inspect(engine)
    return {
        table: (
            {c["name"] for c in inspector.get_columns(table)},
            {i["name"] for i in inspector.get_indexes(table)},
        )
        for table in inspector.get_table_names()
        if table != "schema_version"
    }


def insert_a_car_as_version_1_did(engine) -> None:
    """A dealer 'd1' and its BYD Seal 'v1', in the columns of schema version 1 (so it can be
    run at any later version too)."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO dealers (updated_ms, deleted, id, name_zh, name_en, city, city_zh, "
            "brands, sells_used) VALUES (0, 0, 'd1', '甲', 'A', 'Shanghai', '上海', '[]', 1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO vehicles (updated_ms, deleted, id, dealer_id, make, make_zh, model, "
            "trim, year, body, energy, condition, price_cents, colour, vin, picture, "
            "mileage_km, first_registration, seats) VALUES (0, 0, 'v1', 'd1', 'BYD', '比亚迪', "
            "'Seal', 'AWD', 2026, 'sedan', 'BEV', 'new', 17980000, 'white', 'VIN1', '', 0, "
            "NULL, 5)"
        )


def test_migrating_an_empty_database_builds_the_models_schema(tmp_path):
    migrated = make_engine(tmp_path / "migrated.db")
    assert migrate(migrated) == LATEST
    reference = make_engine(tmp_path / "reference.db")
    SQLModel.metadata.create_all(reference)
    assert _schema(migrated) == _schema(reference)


def test_migrating_twice_changes_nothing(engine):
    before = _schema(engine)
    assert migrate(engine) == LATEST
    assert _schema(engine) == before
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT count(*) FROM schema_version").scalar()
    assert rows == LATEST


def test_upgrading_from_version_1_keeps_rows_and_backfills_search_text(tmp_path):
    engine = make_engine(tmp_path / "old.db")
    assert migrate(engine, target=1) == 1
    insert_a_car_as_version_1_did(engine)
    assert migrate(engine) == LATEST
    with engine.connect() as connection:
        assert current_version(connection) == LATEST
        text = connection.exec_driver_sql("SELECT search_text FROM vehicles").scalar()
    assert text == "byd 比亚迪 seal awd"
    from local_db.repositories.catalog import list_vehicles

    with Session(engine) as session:
        page = list_vehicles(session, query="seal")
    assert [v.id for v in page.items] == ["v1"]


def test_cars_listed_before_version_4_read_back_without_energy_figures(tmp_path):
    engine = make_engine(tmp_path / "v3.db")
    assert migrate(engine, target=3) == 3
    insert_a_car_as_version_1_did(engine)
    assert migrate(engine) == LATEST
    from local_db.repositories.catalog import get_vehicle

    with Session(engine) as session:
        car = get_vehicle(session, vehicle_id="v1")
    assert car is not None and car.price == Decimal("179800.00")
    assert (car.electric_range_km, car.fuel_l_100km, car.power_kwh_100km) == (None, None, None)


def test_dealers_listed_before_version_5_read_back_without_a_showroom_contact(tmp_path):
    engine = make_engine(tmp_path / "v4.db")
    assert migrate(engine, target=4) == 4
    insert_a_car_as_version_1_did(engine)
    assert migrate(engine) == LATEST
    from local_db.repositories.catalog import get_dealer

    with Session(engine) as session:
        dealer = get_dealer(session, dealer_id="d1")
    assert dealer is not None and dealer.name_zh == "甲"
    assert (dealer.address_zh, dealer.address_en, dealer.phone) == ("", "", "")


def application_made_at_version(tmp_path, version: int, columns: str = "", values: str = ""):
    """One application written as the schema of ``version`` holds it (``columns`` and
    ``values``: that version's extra ones), then the database migrated; read back."""
    from local_db.repositories.deals import get_application

    engine = make_engine(tmp_path / f"v{version}.db")
    assert migrate(engine, target=version) == version
    insert_a_car_as_version_1_did(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (updated_ms, deleted, id, username, role, display_name) "
            "VALUES (0, 0, 'u1', 'li', 'buyer', '李')"
        )
        connection.exec_driver_sql(
            "INSERT INTO applications (updated_ms, deleted, id, user_id, vehicle_id, status, "
            "cash_price_cents, down_payment_cents, trade_in_cents, term, use, "
            f"created_ms{columns}) "
            "VALUES (0, 0, 'a1', 'u1', 'v1', 'submitted', 17980000, 5394000, 0, 36, "
            f"'private', 0{values})"
        )
    assert migrate(engine) == LATEST
    with Session(engine) as session:
        return get_application(session, application_id="a1")


def test_applications_made_before_version_6_read_back_with_no_review_flags(tmp_path):
    application = application_made_at_version(tmp_path, 5)
    assert application is not None and application.review == ()
    assert application.review_decision is None and application.review_state is None


def test_a_flagged_application_from_before_version_7_still_waits_for_its_review(tmp_path):
    flags = """, '["fraud.velocity_person"]'"""
    application = application_made_at_version(tmp_path, 6, ", review", flags)
    assert application is not None and application.review_state == "pending"


def test_a_database_from_a_newer_app_is_refused(engine):
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO schema_version VALUES (999, 0)")
    try:
        migrate(engine)
    except SchemaTooNewError:
        return
    raise AssertionError("a newer schema was accepted")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(tmp_path / "wal.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


class _FailingStep:
    """A step that builds a table, then fails: DDL first, as most steps do."""

    VERSION = LATEST + 1

    @staticmethod
    def upgrade(connection) -> None:
        connection.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        connection.exec_driver_sql("ALTER TABLE dealers ADD COLUMN half_done INTEGER")
        raise RuntimeError("the step fails halfway")


def test_a_step_that_fails_halfway_leaves_nothing_and_can_run_again(tmp_path, monkeypatch):
    import local_db.migrations as migrations

    engine = make_engine(tmp_path / "app.db")
    migrate(engine)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, _FailingStep))
    with pytest.raises(RuntimeError, match="halfway"):
        migrate(engine, target=LATEST + 1)
    tables = inspect(engine).get_table_names()
    assert "half_done" not in tables
    assert "half_done" not in {c["name"] for c in inspect(engine).get_columns("dealers")}
    with engine.connect() as connection:
        assert current_version(connection) == LATEST
