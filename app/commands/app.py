"""``chedai app [--host 127.0.0.1] [--port 8550]``: serve the Flet web app.

Flet's web mode with ``no_cdn`` (everything, CanvasKit included, from this server) and the
canvaskit renderer, on the demo database (created and seeded on first run) unless
``CHEDAI_SERVER_URL`` names a backend to sync with.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import threading
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path

from app.cli import newer_database, whole

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("app", help="serve the app in the browser (Flet web mode)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=whole(1, 65535), default=8550, help="port (default 8550)")
    parser.set_defaults(func=run)


def make_main(services, settings=None):
    """The Flet ``main(page)``: one AppState per browser session over shared services
    (a Services, or a Future of one while it is still opening). When the device's database
    was written by a newer Chedai, every session gets the screen that says so (in the
    language ``settings`` name: the database, which this version cannot read, is not asked)."""
    import app.i18n
    import views
    from app.state import AppState

    ready = _done(services)

    async def main(page) -> None:
        try:
            opened = await asyncio.wrap_future(ready)
        except Exception as exc:
            if newer_database(exc) is None:
                raise
            _show_newer_database(page, exc, settings)
            return
        state = AppState(locale=opened.settings.locale)
        # with a server, the account signed in on this device (a web app's process is one)
        state.user = await asyncio.to_thread(opened.account_user)
        views.mount(page, state, opened, app.i18n)

    return main


def _show_newer_database(page, refused, settings) -> None:
    import app.i18n
    from app.state import AppState
    from views import newer_data

    database = Path(refused.path or "").expanduser().absolute()
    # the language the app is set to (CHEDAI_LOCALE, as every session starts in): the
    # database, which this version cannot read, is not asked
    locale = settings.locale if settings is not None else app.i18n.DEFAULT_LOCALE
    folder = database.parent
    if settings is not None:
        folder = Path(settings.data_dir).expanduser().absolute()
    newer_data.mount(
        page, AppState(locale=locale), app.i18n,
        folder=str(folder),
        # named too when it is not the data folder's own (CHEDAI_DB_PATH)
        database=None if database.parent == folder else str(database),
        version=refused.version, latest=refused.latest,
    )  # fmt: skip


def _done(services) -> Future:
    if isinstance(services, Future):
        return services
    done: Future = Future()
    done.set_result(services)
    return done


def open_in_background(settings, ready: Future) -> None:
    """Open the services in a thread and set them on ``ready``, so that the browser loads the
    web client (seconds) while the database, sync and the first screens' data warm up; the
    first session waits on ``ready``."""

    def work() -> None:
        from app.i18n import cli_locale
        from app.services import Services

        try:
            services = Services.open(settings)
            services.start_sync()
            warm_up(services)
        except BaseException as exc:
            ready.set_exception(exc)
            refused = newer_database(exc)
            if refused is None:
                raise
            # expected, and the browser says it: one line for whoever started the server
            print(f"chedai app: {refused.localized(cli_locale())}", file=sys.stderr, flush=True)
            return
        ready.set_result(services)

    threading.Thread(target=work, name="chedai-open", daemon=True).start()


def warm_up(services) -> None:
    """Pay once, before the first session, what the sign-in and catalogue screens would pay
    on their first use: the screens' modules and the Flet controls they use (flet imports
    each control's module on first use), babel's locale data, the demo users and the first
    catalogue query (SQLite's page cache)."""
    import flet as ft

    import app.i18n
    import views.routes
    from app.state import CatalogueQuery, Deal

    for path in Path(views.routes.__file__).parent.glob("*.py"):
        for name in set(re.findall(r"\bft\.([A-Z]\w*)", path.read_text(encoding="utf-8"))):
            getattr(ft, name, None)

    for locale in ("zh_CN", "en_US"):
        app.i18n.format_money(Decimal("1234.5"), locale)
        app.i18n.format_rate(Decimal("0.0321"), locale)
        app.i18n.format_date(services.today(), locale)
        app.i18n.translations(locale)
    if services.demo_mode:
        services.demo_users()
    services.search_cars(CatalogueQuery(), Deal(), limit=8)


#: A contract is personal data: not kept by caches, its link not sent on as a referrer.
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def asgi_app(settings, services=None):
    """The Flet web app (no_cdn, canvaskit, our assets) plus ``/files/contracts/<name>``,
    which serves the contract PDFs the app wrote into the data dir (and nothing else), each
    only through a live signed link the app issued to its buyer or dealership's staff
    (403 without one); ``/files/export/<name>``, a buyer's copy of their data, and
    ``/files/statement/<name>``, a loan's repayment statement, each made when its link is
    opened. Without ``services`` they are opened in the background
    (``open_in_background``)."""
    import flet as ft
    from starlette.responses import FileResponse, PlainTextResponse, Response
    from starlette.routing import Route

    from app.contract_files import CONTRACT_FILE
    from app.file_links import CONTRACT_PREFIX, EXPORT_PREFIX, STATEMENT_PREFIX
    from app.loan_documents import STATEMENT_FILE
    from app.services import DATA_COPY_NAME
    from domain.errors import InputError

    if services is None:
        ready: Future = Future()
    else:
        services.start_sync()
        ready = _done(services)
    app = ft.run(
        make_main(ready, settings),
        view=ft.AppView.WEB_BROWSER,
        no_cdn=True,
        web_renderer=ft.WebRenderer.CANVAS_KIT,
        assets_dir=str(ASSETS_DIR),
        export_asgi_app=True,
    )
    folder = Path(settings.data_dir) / "contracts"
    refused = PlainTextResponse("this link is not valid (any more)", status_code=403)

    async def linked(request, prefix: str):
        """The services, when the request is a live link they issued to its file; else None."""
        try:
            services = await asyncio.wrap_future(ready)
        except Exception as exc:
            if newer_database(exc) is None:
                raise
            return None  # no session could have issued a link
        name, query = request.path_params["name"], dict(request.query_params)
        return services if services.links.check(name, query, prefix=prefix) else None

    async def contract_file(request):
        name = request.path_params["name"]
        if not CONTRACT_FILE.match(name):
            return PlainTextResponse("not found", status_code=404)
        if await linked(request, CONTRACT_PREFIX) is None:
            return refused
        path = folder / name
        if not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, media_type="application/pdf", headers=PRIVATE_HEADERS)

    async def data_copy(request):
        if request.path_params["name"] != DATA_COPY_NAME:
            return PlainTextResponse("not found", status_code=404)
        services = await linked(request, EXPORT_PREFIX)
        if services is None:
            return refused
        body = await asyncio.to_thread(services.data_copy, request.query_params["u"])
        headers = {**PRIVATE_HEADERS,
                   "Content-Disposition": f'attachment; filename="{DATA_COPY_NAME}"'}  # fmt: skip
        return Response(body, media_type="application/json", headers=headers)

    async def statement(request):
        name = request.path_params["name"]
        if not STATEMENT_FILE.match(name):
            return PlainTextResponse("not found", status_code=404)
        services = await linked(request, STATEMENT_PREFIX)
        if services is None:
            return refused
        try:
            body = await asyncio.to_thread(services.statement_pdf, name)
        except InputError:  # the loan is gone from this device since the link was issued
            return PlainTextResponse("not found", status_code=404)
        headers = {**PRIVATE_HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
        return Response(body, media_type="application/pdf", headers=headers)

    # before the Flet mount at "/", which would otherwise answer every path
    app.router.routes.insert(0, Route(CONTRACT_PREFIX + "{name}", contract_file))
    app.router.routes.insert(0, Route(EXPORT_PREFIX + "{name}", data_copy))
    app.router.routes.insert(0, Route(STATEMENT_PREFIX + "{name}", statement))
    if services is None:  # only now: the thread's imports would slow Flet's own (the GIL)
        open_in_background(settings, ready)
    return app


def serve(settings, *, host: str, port: int) -> None:
    import uvicorn

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    uvicorn.run(asgi_app(settings), host=host, port=port, log_level="warning")


def prepare_demo(settings, out=sys.stderr) -> None:
    """First run in demo mode: seed the demo market and train its recommender before the URL is
    shown, with progress on ``out``, so the first page does not wait on either."""
    from sqlmodel import Session

    from app.demo_model import model_path, train_from_database
    from local_db.demo import ensure_demo_database
    from local_db.engine import make_engine

    print("chedai app: preparing the demo market (the first run takes a minute) …", file=out)
    path = ensure_demo_database(settings, progress=out)
    if not model_path(settings).exists():
        print("chedai app: training the recommender on the demo interactions …", file=out)
        engine = make_engine(path)
        try:
            with Session(engine) as session:
                train_from_database(session, model_path(settings))
        finally:
            engine.dispose()


def newer_database_here(settings) -> bool:
    """A newer Chedai wrote the device's database: nothing is prepared in it (the app then
    serves only the screen saying so)."""
    from local_db.migrations import LATEST, stored_version

    return (stored_version(settings.local_db_path) or 0) > LATEST


def first_run(settings) -> bool:
    """No demo database or no trained model in the data dir yet."""
    from app.demo_model import model_path

    return not (Path(settings.local_db_path).exists() and model_path(settings).exists())


def run(args: argparse.Namespace) -> int:
    from app.settings import Settings

    settings = Settings()
    if settings.demo_mode and first_run(settings) and not newer_database_here(settings):
        prepare_demo(settings)  # later starts: Services.open re-checks the seed in background
    print(f"chedai app: http://{args.host}:{args.port}/", flush=True)
    serve(settings, host=args.host, port=args.port)
    return 0
