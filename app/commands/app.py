"""``chedai app [--host 127.0.0.1] [--port 8550]``: serve the Flet web app.

Flet's web mode with ``no_cdn`` (everything, CanvasKit included, from this server) and the
canvaskit renderer, on the demo database (created and seeded on first run) unless
``CHEDAI_SERVER_URL`` names a backend to sync with.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("app", help="serve the app in the browser (Flet web mode)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8550, help="port (default 8550)")
    parser.set_defaults(func=run)


def make_main(services):
    """The Flet ``main(page)``: one AppState per browser session over shared services."""
    import app.i18n
    import views
    from app.state import AppState

    def main(page) -> None:
        state = AppState(locale=services.settings.locale)
        views.mount(page, state, services, app.i18n)

    return main


def serve(settings, *, host: str, port: int, export_asgi_app: bool = False):
    import flet as ft

    from app.services import Services

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    services = Services.open(settings)
    return ft.run(
        make_main(services),
        view=ft.AppView.WEB_BROWSER,
        host=host,
        port=port,
        no_cdn=True,
        web_renderer=ft.WebRenderer.CANVAS_KIT,
        assets_dir=str(ASSETS_DIR),
        export_asgi_app=export_asgi_app,
    )


def run(args: argparse.Namespace) -> int:
    from app.settings import Settings

    print(f"chedai app: http://{args.host}:{args.port}/", flush=True)
    serve(Settings(), host=args.host, port=args.port)
    return 0
