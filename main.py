"""Entry for ``python main.py``: the web app on 127.0.0.1:8550 (same as ``chedai app``)."""

from __future__ import annotations

import os

from app.commands.app import serve
from app.settings import Settings

if __name__ == "__main__":
    serve(
        Settings(),
        host=os.environ.get("FLET_SERVER_IP", "127.0.0.1"),
        port=int(os.environ.get("FLET_SERVER_PORT", "8550")),
    )
