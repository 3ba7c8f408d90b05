"""Serve the app over the small test market (tests/ui/world.py) for the browser tests:

python -m tests.ui.serve_world <port> <data_dir>
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from app.commands.app import asgi_app
from tests.ui.world import make_world

if __name__ == "__main__":
    port, data_dir = int(sys.argv[1]), Path(sys.argv[2])
    world = make_world(data_dir)
    app = asgi_app(world.services.settings, world.services)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
