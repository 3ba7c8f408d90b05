"""Draft contract PDFs do not pile up in the data dir: a draft is deleted when a newer draft
of its application or its signed contract supersedes it, when its application is no longer
open, and once no link can reach it; signed contracts are never deleted. The contract PDFs
are owner-only."""

from __future__ import annotations

import os
import stat
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.contract_files import DRAFT_MAX_AGE_SECONDS
from app.services import Services
from app.settings import Settings
from app.state import Deal
from domain.catalog import Application, ApplicationStatus
from local_db.repositories import deals as deals_repo
from tests.contracts.factories import make_deal
from tests.ui.world import make_world


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def names(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def world(tmp_path):
    old = os.umask(0o022)  # a desktop's usual umask: the app must not rely on a tighter one
    yield make_world(tmp_path)
    os.umask(old)


def checked(world):
    s = world.services
    values = {**s.prequal_defaults(world.buyer_id), "housing": "rent"}
    seal = world.vehicles["seal"].id
    return s.run_prequal(world.buyer_id, seal, Deal(), values, consented_at=datetime.now(UTC))


def preview(world, result, locale="zh_CN") -> str:
    s = world.services
    deal = s.contract_deal(result, result.cheapest_id, world.buyer_id, locale=locale)
    return s.contract_preview(deal, locale, result.application_id)


def save_application(world, status: ApplicationStatus) -> str:
    seal = world.vehicles["seal"]
    application = Application(
        id=str(uuid.uuid4()), user_id=world.buyer_id, vehicle_id=seal.id,
        cash_price=seal.price, down_payment=Decimal("50000.00"), term=36, status=status,
        dealer_id=seal.dealer_id, created_at=datetime.now(UTC),
    )  # fmt: skip
    with world.services.session() as s:
        deals_repo.save_application(s, application=application)
        s.commit()
    return application.id


def put(folder, name: str, *, age: float = 0.0) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"%PDF-1.7")
    if age:
        then = time.time() - age
        os.utime(folder / name, (then, then))
    return name


def draft(application_id: str, locale: str = "zh_CN") -> str:
    return f"{application_id}-{uuid.uuid4()}-{locale}-draft.pdf"


def test_a_new_draft_replaces_the_applications_earlier_ones_and_is_owner_only(world, tmp_path):
    folder = tmp_path / "contracts"
    result = checked(world)
    first = preview(world, result, "zh_CN")
    assert mode(folder) == 0o700 and mode(folder / first) == 0o600
    other_app = put(folder, draft(str(uuid.uuid4())))  # another application's, fresh: kept
    signed = put(folder, f"{result.application_id}-{uuid.uuid4()}-signed.pdf")
    assert preview(world, result, "zh_CN") == first  # the same deal: the same file, rewritten
    assert names(folder) == {first, other_app, signed}
    second = preview(world, result, "en_US")
    assert names(folder) == {second, other_app, signed}
    assert mode(folder / second) == 0o600


def test_a_preview_also_deletes_any_draft_past_the_life_of_its_links(world, tmp_path):
    folder = tmp_path / "contracts"
    stale = put(folder, draft(str(uuid.uuid4())), age=DRAFT_MAX_AGE_SECONDS + 60)
    recent = put(folder, draft(str(uuid.uuid4())), age=60)
    old_signed = put(folder, f"{uuid.uuid4()}-{uuid.uuid4()}-signed.pdf", age=10 * 365 * 86400)
    name = preview(world, checked(world))
    assert stale not in names(folder)
    assert names(folder) == {name, recent, old_signed}


def test_signing_deletes_the_applications_drafts_and_keeps_the_signed_pdf(world, tmp_path):
    folder = tmp_path / "contracts"
    result = checked(world)
    zh, en = preview(world, result, "zh_CN"), preview(world, result, "en_US")
    assert zh not in names(folder) and en in names(folder)
    other = put(folder, draft(str(uuid.uuid4())))
    signed = world.services.sign_contract(
        result, result.cheapest_id, world.buyer_id, consented_at=datetime.now(UTC),
        strokes=[[(0.1, 0.1), (0.2, 0.3)]], locale="zh_CN",
    )  # fmt: skip
    assert names(folder) == {signed.file_name, other}
    assert mode(folder / signed.file_name) == 0o600
    assert (folder / signed.file_name).read_bytes() == signed.record.pdf


def test_at_startup_unreachable_drafts_go_and_signed_contracts_stay(world, tmp_path):
    folder = tmp_path / "contracts"
    open_app = save_application(world, ApplicationStatus.PREQUALIFIED)
    signed_app = save_application(world, ApplicationStatus.CONTRACTED)
    withdrawn_app = save_application(world, ApplicationStatus.WITHDRAWN)
    keep = {
        put(folder, draft(open_app)),  # may still be open in another process's link
        put(folder, f"{signed_app}-{uuid.uuid4()}-signed.pdf", age=400 * 86400),
        put(folder, f"{withdrawn_app}-{uuid.uuid4()}-signed.pdf"),
        put(folder, "notes.txt", age=400 * 86400),  # not a contract file: not ours to judge
    }
    gone = {
        put(folder, draft(signed_app)),
        put(folder, draft(withdrawn_app, "en_US")),
        put(folder, draft(str(uuid.uuid4()))),  # an application this device does not have
        put(folder, draft(open_app, "en_US"), age=DRAFT_MAX_AGE_SECONDS + 60),
    }
    assert set(world.services.prune_drafts()) == gone
    assert names(folder) == keep


def test_opening_the_services_tightens_the_data_dir_and_prunes_drafts(tmp_path):
    old = os.umask(0o022)
    try:
        data_dir = tmp_path / "chedai"
        folder = data_dir / "contracts"
        leftover = put(folder, draft(str(uuid.uuid4())))
        signed = put(folder, f"{uuid.uuid4()}-{uuid.uuid4()}-signed.pdf")
        for path in (data_dir, folder):
            path.chmod(0o755)
        for name in (leftover, signed):
            (folder / name).chmod(0o644)
        services = Services.open(Settings(data_dir=data_dir, server_url="http://127.0.0.1:9"))
        services.engine.dispose()
        assert names(folder) == {signed}
        assert (mode(data_dir), mode(folder), mode(folder / signed)) == (0o700, 0o700, 0o600)
        assert mode(data_dir / "chedai.db") == 0o600
    finally:
        os.umask(old)


def test_the_preview_name_is_unchanged(world):
    deal = make_deal()
    application_id = str(uuid.uuid4())
    name = world.services.contract_preview(deal, "en_US", application_id)
    assert name == f"{application_id}-{deal.resolved_id()}-en_US-draft.pdf"
