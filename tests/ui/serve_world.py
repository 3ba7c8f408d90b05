"""Serve the app over the small test market (tests/ui/world.py) for the browser tests:

python -m tests.ui.serve_world <port> <data_dir>
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from app.commands.app import asgi_app
from tests.ui.world import make_world

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running(data_dir: Path) -> Iterator[str]:
    """This module served on a free 127.0.0.1 port in a subprocess; yields the app's URL."""
    from scripts.screenshots import free_port

    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "FLET_FORCE_WEB_SERVER": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.serve_world", str(port), str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the test app did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()


if __name__ == "__main__":
    port, data_dir = int(sys.argv[1]), Path(sys.argv[2])
    world = make_world(data_dir)
    app = asgi_app(world.services.settings, world.services)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
