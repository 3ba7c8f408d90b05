"""The FastAPI application: ``create_app(settings)`` wires the engine, auth and routes.

Every 4xx answer is JSON shaped like ``sync.wire.ErrorBody``. Every route checks the token and
the role; records another user may not read answer 404, exactly as missing ones do.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from argon2 import PasswordHasher
from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import ValidationError
from pydantic_core import from_json
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.settings import Settings
from backend import auth, closure, store
from backend.db import checkpoint_every, is_sqlite, make_engine, migrate
from backend.reseal import seal_clear_figures
from backend.rules import Actor, review_flags
from backend.sealing import key_file, open_data, server_cipher
from domain.catalog import review_state
from domain.market_time import market_day
from local_db import in_use
from local_db.crypto import FieldCipher
from local_db.files import create_private_file, secure_data_dir
from sync.wire import (
    UUID_PATTERN,
    AccountClosed,
    CloseAccount,
    Entity,
    ErrorBody,
    ModelInfo,
    NewUser,
    Op,
    PullResponse,
    PushRequest,
    PushResponse,
    Record,
    Registration,
    ReviewDecision,
    Token,
    UserOut,
)

log = logging.getLogger(__name__)

_USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,64}$")
_CHECKPOINT_EVERY_S = 0.1  # SQLite only; see backend.db.checkpoint_every
CatalogueKind = Literal["vehicles", "lenders", "products", "dealers"]
#: route kind -> wire entity (tests/backend/test_authz_matrix.py keeps it = CATALOGUE_ENTITIES)
_CATALOGUE = {kind: kind.removesuffix("s") for kind in get_args(CatalogueKind)}
IdParam = Annotated[str, PathParam(pattern=UUID_PATTERN)]
_ERRORS = {
    400: {"model": ErrorBody},
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


def default_database_url(settings: Settings) -> str:
    """``settings.database_url`` or a SQLite file in the data directory, created (as the
    folder) owner-only: it holds every account's data."""
    if settings.database_url:
        return settings.database_url
    path = secure_data_dir(settings.data_dir) / "server.db"
    create_private_file(path)  # SQLite would make it 0644; its -wal/-shm follow its mode
    return f"sqlite:///{path}"


@dataclass
class Backend:
    """What routes need, hung on ``app.state.backend`` (no module-level globals)."""

    engine: Engine
    hasher: PasswordHasher
    policy: auth.AuthPolicy
    clock: Callable[[], int]
    cipher: FieldCipher  # seals a buyer's figures in stored data (backend.sealing)
    fit_model: Callable[[Engine, int], ModelInfo] | None = None
    demo: bool = False  # a demo server: its market is made up (devices mark it so)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _error(status: int, code: str, message: str, headers: dict | None = None) -> HTTPException:
    return HTTPException(status, {"code": code, "message": message}, headers=headers)


async def _publish_demo_model(engine: Engine, seed: int, clock: Callable[[], int]) -> None:
    """The demo server's first model, trained in a worker thread after the start: requests
    are served meanwhile, and a device that signs in before it is out fetches it at its next
    model check."""
    from backend.demo import publish_demo_model

    try:
        info = await asyncio.to_thread(publish_demo_model, engine, seed, clock())
    except Exception:
        log.exception("the demo model was not published")
        return
    if info is not None:
        log.info("the demo model was published as version %s", info.version)
    # The training's imports (implicit, scipy) live as long as the server: out of the cyclic
    # collector's full passes, as ``chedai serve`` does with the rest of the start-up's
    # (bench/bench_sync.py: pushes' p99 doubled without it).
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings,
    *,
    demo: bool = False,
    engine: Engine | None = None,
    hasher: PasswordHasher | None = None,
    policy: auth.AuthPolicy | None = None,
    clock: Callable[[], int] = _now_ms,
    retrain_every_s: float | None = None,
) -> FastAPI:
    """The sync server. ``engine``, ``hasher``, ``policy`` and ``clock`` are injectable for
    tests; by default the engine comes from ``settings.database_url`` (SQLite if unset).
    ``demo``: publish the demo world's catalogue (``settings.demo_seed``; once, see
    ``backend.demo``) and create the public demo accounts. ``retrain_every_s``: retrain
    the recommender on that schedule while the app runs. A database a newer Chedai wrote is
    refused (``local_db.migrations.SchemaTooNewError``) before anything is written to it.
    The app shares the key file's lock (``local_db.in_use``; ``app.state.key_in_use``) as
    long as it lives: ``chedai keys rotate --server`` is refused meanwhile, and a rotation
    under way is waited for before the key is read."""
    made = engine is None
    engine = engine or make_engine(default_database_url(settings), background_checkpoints=True)
    try:
        migrate(engine)
    except BaseException:
        if made:  # its connection closed, not left to the collector
            engine.dispose()
        raise
    # before the key is read (a database refused above gets no lock file beside it)
    key_in_use = in_use.share(key_file(settings))
    backend = Backend(
        engine,
        hasher or PasswordHasher(),
        policy or auth.AuthPolicy(),
        clock,
        server_cipher(settings),
    )
    seal_clear_figures(engine, backend.cipher)
    from backend.recommend import fit_and_publish

    backend.fit_model = fit_and_publish
    backend.demo = demo
    if demo:
        from backend import demo as demo_market  # numpy and the generator: demo servers only

        backend.fit_model = demo_market.demo_fit(settings.demo_seed)

        world = demo_market.demo_world(settings.demo_seed)
        demo_market.publish_catalogue(engine, world, clock())
        dealer_id = demo_market.staff_dealer_id(world)
        auth.ensure_demo_accounts(engine, backend.hasher, clock(), dealer_id=dealer_id)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        from backend.recommend import retrain_every

        tasks = []
        if demo:
            first_model = _publish_demo_model(engine, settings.demo_seed, clock)
            tasks.append(asyncio.create_task(first_model))
        if retrain_every_s:
            tasks.append(asyncio.create_task(retrain_every(backend, retrain_every_s)))
        if is_sqlite(engine):
            tasks.append(asyncio.create_task(checkpoint_every(engine, _CHECKPOINT_EVERY_S)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(title="Chedai sync server", version="1", responses=_ERRORS, lifespan=lifespan)
    app.state.backend = backend
    app.state.key_in_use = key_in_use
    _install_error_handlers(app)
    _add_routes(app)
    _openapi_with_push(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if isinstance(detail, dict):
            body = {"code": detail["code"], "message": detail["message"], "fields": []}
        else:
            body = {"code": f"http_{exc.status_code}", "message": str(detail), "fields": []}
        return JSONResponse(body, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ())),
                "rule": err.get("type", ""),
                "message": err.get("msg", ""),
            }
            for err in exc.errors()
        ]
        body = {"code": "invalid_request", "message": "the request is not valid", "fields": fields}
        return JSONResponse(body, 422)


_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def _backend(request: Request) -> Backend:
    return request.app.state.backend


def current_actor(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    """The signed-in actor, or 401."""
    return _actor(_backend(request), token)


def _actor(backend: Backend, token: str | None) -> Actor:
    if not token or len(token) > 256:
        raise _error(401, "not_authenticated", "sign in first", {"WWW-Authenticate": "Bearer"})
    actor = auth.authenticate(backend.engine, token, backend.clock())
    if actor is None and auth.of_a_closed_account(backend.engine, token):
        raise _error(
            401, "account_closed", "the account was closed", {"WWW-Authenticate": "Bearer"}
        )
    if actor is None:
        raise _error(
            401,
            "invalid_token",
            "the token is unknown, expired or revoked",
            {"WWW-Authenticate": "Bearer"},
        )
    return actor


#: /sync/push reads its body itself (see ``push``); its schema is still published, with the
#: models it refers to added to the components by ``_openapi_with_push``.
_PUSH_SCHEMA = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
_PUSH_DEFS = {"PushRequest": _PUSH_SCHEMA, **_PUSH_SCHEMA.pop("$defs", {})}
_PUSH_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
}


def _strict_json(raw: bytes) -> None:
    """Refuse NaN and Infinity, which JSON does not have, as any other invalid JSON."""
    try:
        from_json(raw, allow_inf_nan=False)
    except ValueError as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body",),
                    "msg": f"Invalid JSON: {exc}",
                    "input": None,
                }
            ]
        ) from None


def _push(backend: Backend, token: str | None, raw: bytes) -> Response:
    actor = _actor(backend, token)  # 401 before 422, as for every other route
    try:
        if b"NaN" in raw or b"Infinity" in raw:  # rare: pydantic's parser takes them as floats
            _strict_json(raw)
        body = PushRequest.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
    results = store.push(
        backend.engine, actor, body.device_id, body.ops, backend.clock(), cipher=backend.cipher
    )
    return Response(PushResponse(results=results).model_dump_json(), media_type="application/json")


def _openapi_with_push(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_PUSH_DEFS)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def require(*roles: str) -> Callable[..., Actor]:
    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in roles:
            raise _error(403, "forbidden", "your role may not do this")
        return actor

    return check


CurrentActor = Annotated[Actor, Depends(current_actor)]
Admin = Annotated[Actor, Depends(require("admin"))]
BackendDep = Annotated[Backend, Depends(_backend)]


def _record_out(backend: Backend, entity: str, row) -> Record:
    return Record(
        entity=entity,
        entity_id=row.entity_id,
        data=open_data(backend.cipher, entity, row.entity_id, row.data),
        deleted=row.deleted,
        updated_ms=row.updated_ms,
    )


def _user_out(row: Any) -> UserOut:
    return UserOut(
        id=row["id"] if isinstance(row, dict) else row.id,
        username=row["username"] if isinstance(row, dict) else row.username,
        role=row["role"] if isinstance(row, dict) else row.role,
        dealer_id=row["dealer_id"] if isinstance(row, dict) else row.dealer_id,
    )


def _add_routes(app: FastAPI) -> None:
    @app.get("/health", tags=["meta"])
    def health(backend: BackendDep) -> dict[str, str | bool]:
        """A trivial endpoint (the ceiling the benchmark compares pushes against), which also
        says whether this is a demo server: a device marks a made-up market as such."""
        return {"status": "ok", "demo": backend.demo}

    @app.post("/auth/register", status_code=201, tags=["auth"])
    def register(body: Registration, backend: BackendDep) -> UserOut:
        """Create a buyer account."""
        try:
            row = auth.create_user(
                backend.engine,
                backend.hasher,
                username=body.username,
                password=body.password,
                role="buyer",
                dealer_id=None,
                now_ms=backend.clock(),
            )
        except auth.UsernameTaken:
            raise _error(409, "username_taken", "this username is taken") from None
        return _user_out(row)

    @app.post("/auth/token", tags=["auth"])
    def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], backend: BackendDep) -> Token:
        """OAuth2 password flow: form fields ``username`` and ``password``; ``scope=device``
        asks for a device's sign-in, which lasts 30 days instead of 12 hours (the app keeps it
        encrypted and revokes it when the person signs out)."""
        unauthorised = _error(
            401, "bad_credentials", "wrong username or password", {"WWW-Authenticate": "Bearer"}
        )
        if not _USERNAME.match(form.username) or len(form.password) > 256:
            raise unauthorised
        try:
            value, expires = auth.login(
                backend.engine,
                backend.hasher,
                backend.policy,
                username=form.username,
                password=form.password,
                now_ms=backend.clock(),
                device="device" in form.scopes,
            )
        except auth.LockedOut as exc:
            retry = str(max(1, exc.retry_after_ms // 1000))
            raise _error(
                429, "locked_out", "too many failed logins; try again later", {"Retry-After": retry}
            ) from None
        except auth.AuthFailed:
            raise unauthorised from None
        return Token(access_token=value, expires_ms=expires)

    @app.post("/auth/logout", status_code=204, tags=["auth"])
    def logout(
        actor: CurrentActor, backend: BackendDep, token: Annotated[str | None, Depends(_bearer)]
    ) -> Response:
        """Revoke the token this request carries."""
        auth.revoke(backend.engine, token or "")
        return Response(status_code=204)

    @app.post("/account/close", tags=["auth"])
    def close_account(
        body: CloseAccount, actor: CurrentActor, backend: BackendDep
    ) -> AccountClosed:
        """Close the signed-in buyer's account (注销账户), the password asked again: their
        records are erased, repaid loans kept, the account's sign-ins end (``backend.closure``).
        409 ``loan_open`` while a loan is signed and not yet repaid, naming its applications."""
        if actor.role != "buyer":
            raise _error(403, "not_a_buyer", "staff accounts are closed by the platform")
        now = backend.clock()
        try:
            auth.check_password(
                backend.engine, backend.hasher, backend.policy,
                user_id=actor.user_id, password=body.password, now_ms=now,
            )  # fmt: skip
        except auth.LockedOut as exc:
            retry = str(max(1, exc.retry_after_ms // 1000))
            raise _error(429, "locked_out", "too many wrong passwords; try again later",
                         {"Retry-After": retry}) from None  # fmt: skip
        except auth.AuthFailed:
            raise _error(403, "bad_credentials", "wrong password") from None
        today = market_day(datetime.fromtimestamp(now / 1000, UTC))
        outcome = closure.close_account(
            backend.engine, user_id=actor.user_id, today=today, now_ms=now, cipher=backend.cipher
        )
        if isinstance(outcome, closure.LoanOpen):
            raise _error(409, "loan_open", "loans in progress: " + ",".join(
                outcome.application_ids))  # fmt: skip
        return AccountClosed(erased=outcome.erased, kept_loans=outcome.kept_loans)

    @app.get("/auth/me", tags=["auth"])
    def me(actor: CurrentActor, backend: BackendDep) -> UserOut:
        return _user_out(auth.get_user(backend.engine, actor.user_id))

    @app.post("/admin/users", status_code=201, tags=["admin"])
    def create_user(body: NewUser, actor: Admin, backend: BackendDep) -> UserOut:
        """Create any account; dealer staff must name their dealership."""
        if (body.role == "dealer_staff") != (body.dealer_id is not None):
            raise _error(400, "dealer_id", "dealer staff, and only they, have a dealer_id")
        try:
            row = auth.create_user(
                backend.engine,
                backend.hasher,
                username=body.username,
                password=body.password,
                role=body.role,
                dealer_id=body.dealer_id,
                now_ms=backend.clock(),
            )
        except auth.UsernameTaken:
            raise _error(409, "username_taken", "this username is taken") from None
        return _user_out(row)

    @app.get("/catalogue/{kind}", tags=["catalogue"])
    def catalogue(
        kind: CatalogueKind,
        backend: BackendDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> list[Record]:
        """Public: the current catalogue, oldest change first."""
        entity = _CATALOGUE[kind]
        rows = store.list_records(backend.engine, None, entity, limit, offset)
        return [_record_out(backend, entity, r) for r in rows]

    @app.get("/catalogue/{kind}/{entity_id}", tags=["catalogue"])
    def catalogue_item(kind: CatalogueKind, entity_id: IdParam, backend: BackendDep) -> Record:
        entity = _CATALOGUE[kind]
        row = store.get_record(backend.engine, None, entity, entity_id)
        if row is None or row.deleted:
            raise _error(404, "not_found", "no such record")
        return _record_out(backend, entity, row)

    def _admin_write(
        actor: Actor, backend: Backend, entity: str, entity_id: str, op: str, payload: dict
    ) -> None:
        now = backend.clock()
        ops = [
            Op(
                op_id=str(uuid.uuid4()),
                entity=entity,
                entity_id=entity_id,
                op=op,
                payload=payload,
                created_ms=now,
            )
        ]
        [result] = store.push(backend.engine, actor, "server", ops, now, cipher=backend.cipher)
        if result.status == "rejected":
            raise _error(400, result.reason or "rejected", result.message or "rejected")

    @app.put("/catalogue/{kind}/{entity_id}", tags=["catalogue"])
    def put_catalogue_item(
        kind: CatalogueKind,
        entity_id: IdParam,
        actor: Admin,
        backend: BackendDep,
        payload: Annotated[dict[str, Any], Body()],
    ) -> Record:
        """Admin only: create or replace a catalogue item (server wins on sync)."""
        entity = _CATALOGUE[kind]
        _admin_write(actor, backend, entity, entity_id, "upsert", payload)
        return _record_out(
            backend, entity, store.get_record(backend.engine, actor, entity, entity_id)
        )

    @app.delete("/catalogue/{kind}/{entity_id}", status_code=204, tags=["catalogue"])
    def delete_catalogue_item(
        kind: CatalogueKind, entity_id: IdParam, actor: Admin, backend: BackendDep
    ) -> Response:
        """Admin only: delete (a tombstone that travels through sync)."""
        _admin_write(actor, backend, _CATALOGUE[kind], entity_id, "delete", {})
        return Response(status_code=204)

    @app.get("/records/{entity}", tags=["records"])
    def records(
        entity: Entity,
        actor: CurrentActor,
        backend: BackendDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> list[Record]:
        """The live records of one kind that the caller may see."""
        rows = store.list_records(backend.engine, actor, entity, limit, offset)
        return [_record_out(backend, entity, r) for r in rows]

    @app.get("/records/{entity}/{entity_id}", tags=["records"])
    def record(
        entity: Entity, entity_id: IdParam, actor: CurrentActor, backend: BackendDep
    ) -> Record:
        row = store.get_record(backend.engine, actor, entity, entity_id)
        if row is None:
            raise _error(404, "not_found", "no such record")
        return _record_out(backend, entity, row)

    @app.get("/admin/reviews", tags=["admin"])
    def pending_reviews(
        actor: Admin,
        backend: BackendDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[Record]:
        """Admin only (the lender's reviewer): the applications their check referred to manual
        review (the flags are in ``data.review``) that wait for a decision, oldest first."""
        rows = store.pending_reviews(backend.engine, limit)
        return [_record_out(backend, "application", r) for r in rows]

    @app.post("/admin/reviews/{application_id}", tags=["admin"])
    def decide_review(
        application_id: IdParam, body: ReviewDecision, actor: Admin, backend: BackendDep
    ) -> Record:
        """Admin only: approve (it may then be signed) or decline an application waiting for
        manual review. The decision is an ordinary change: it reaches the buyer's and the
        dealership's devices on their next pull."""
        row = store.get_record(backend.engine, actor, "application", application_id)
        if row is None or row.deleted:
            raise _error(404, "not_found", "no such application")
        data = open_data(backend.cipher, "application", application_id, row.data) or {}
        status = data.get("status")
        if review_state(status, review_flags(data), data.get("review_decision")) != "pending":
            raise _error(409, "not_in_review", "this application is not waiting for a review")
        if status == "prequalified":  # reviewed as submitted: the legal path
            _admin_write(actor, backend, "application", application_id, "upsert",
                         {"status": "submitted"})  # fmt: skip
        decided = {"status": body.decision, "review_decision": body.decision}
        _admin_write(actor, backend, "application", application_id, "upsert", decided)
        return _record_out(
            backend,
            "application",
            store.get_record(backend.engine, actor, "application", application_id),
        )

    @app.post(
        "/sync/push",
        tags=["sync"],
        response_model=PushResponse,
        openapi_extra={"requestBody": _PUSH_BODY},
    )
    async def push(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> Response:
        """Apply a batch of outbox operations idempotently, in order; one result per op."""
        # The hot path, handled by hand: the raw body is validated once by pydantic's JSON
        # parser (no json.loads + dict walk) and the token check, validation and store run in
        # one worker-thread hop instead of one per dependency.
        raw = await request.body()
        return await run_in_threadpool(_push, _backend(request), token, raw)

    @app.get("/sync/pull", tags=["sync"])
    def pull(
        actor: CurrentActor,
        backend: BackendDep,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> PullResponse:
        """Changes after ``since`` the caller may see; advance the cursor after applying."""
        return store.pull(backend.engine, actor, since, limit, cipher=backend.cipher)

    @app.post("/admin/recommender/fit", status_code=201, tags=["recommender"])
    def fit(actor: Admin, backend: BackendDep) -> ModelInfo:
        """Retrain the recommender on the synced interactions and publish a new version."""
        from backend.recommend import RecommenderUnavailable

        try:
            return backend.fit_model(backend.engine, backend.clock())
        except RecommenderUnavailable as exc:
            raise _error(409, "recommender_unavailable", str(exc)) from None

    @app.get("/recommender/model", tags=["recommender"])
    def latest_model(actor: CurrentActor, backend: BackendDep) -> ModelInfo:
        from backend.recommend import latest_info

        info = latest_info(backend.engine)
        if info is None:
            raise _error(404, "not_found", "no model has been published yet")
        return info

    @app.get("/recommender/model/{version}", tags=["recommender"], response_class=Response)
    def model_file(
        version: Annotated[int, PathParam(ge=1, le=2**31)], actor: CurrentActor, backend: BackendDep
    ) -> Response:
        from backend.recommend import model_content

        content = model_content(backend.engine, version)
        if content is None:
            raise _error(404, "not_found", "no such model version")
        return Response(
            content,
            media_type="application/octet-stream",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )
