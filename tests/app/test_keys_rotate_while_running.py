"""``chedai keys rotate`` is refused while the app runs on the data dir, or a server with the
key file (``local_db.in_use``): a running one keeps the key it read and would seal new values
with the key the rotation drops. Nothing is changed then; once it has stopped, the rotation
runs. An app starting while a rotation is under way waits for it and reads the new key."""

from __future__ import annotations

import json
import os
import select
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.services import Services
from app.settings import Settings
from backend.db import make_engine as server_engine
from backend.db import migrate as migrate_server
from backend.sealing import KEY_FILE_NAME as SERVER_KEY_FILE
from local_db.crypto import FieldCipher, read_keys
from tests.app.cli_run import cjk, cli, data_dir, run_main  # noqa: F401 (data_dir: a fixture)
from tests.app.test_keys_rotate import _stored
from tests.app.test_keys_rotate import device as _device
from tests.backend.factories import make_app

device = _device  # the fixture: a data dir holding a profile, a pending edit and a session

ROOT = Path(__file__).resolve().parents[2]
#: A second process opening the app's Services on a data dir (the env's CHEDAI_DATA_DIR): it
#: says "started" once its imports are done, then the keys it read once open, then waits.
APP_PROCESS = """
import sys
from app.services import Services
from app.settings import Settings
from local_db.crypto import cipher_for_dir

print("started", flush=True)
settings = Settings(server_url="http://127.0.0.1:9")
services = Services.open(settings)
print(",".join(k.hex() for k in cipher_for_dir(settings.data_dir).keys), flush=True)
sys.stdin.read()  # until the test closes it
"""


def _open_app(folder: Path) -> Services:
    return Services.open(Settings(data_dir=folder, server_url="http://127.0.0.1:9"))


def _app_process(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "CHEDAI_DATA_DIR": str(folder)}
    return subprocess.Popen(
        [sys.executable, "-c", APP_PROCESS], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _line(proc: subprocess.Popen, timeout: float) -> str | None:
    """The process's next line on stdout, or None when none comes within ``timeout`` s."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else None


def _end(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()


@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
def test_rotating_is_refused_while_the_app_is_open_on_the_data_folder(
    device, capsys, monkeypatch, locale
):
    folder, profile, old = device
    key = (folder / "field.key").read_bytes()
    services = _open_app(folder)
    try:
        code, out, err = cli(capsys, monkeypatch, ["keys", "rotate"], locale=locale)
        assert (code, out) == (2, "") and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("chedai keys: ") and str(folder) in err
        assert cjk(err) == (locale == "zh_CN")
        if locale == "en_US":
            assert "Chedai is running on this data folder" in err and "quit it" in err
        assert (folder / "field.key").read_bytes() == key  # byte for byte
        assert _stored(folder, old)[0] == profile
        assert stat.S_IMODE((folder / "field.key.lock").stat().st_mode) == 0o600
    finally:
        services.close()

    code, out, err = cli(capsys, monkeypatch, ["keys", "rotate"])  # the app was quit
    assert (code, err) == (0, "")
    [fresh] = read_keys(folder / "field.key")
    assert _stored(folder, FieldCipher(fresh))[0] == profile


def test_rotating_is_refused_while_the_app_runs_in_another_process(device):
    folder, profile, old = device
    key = (folder / "field.key").read_bytes()
    app = _app_process(folder)
    try:
        assert _line(app, 60) == "started"
        assert _line(app, 60) == old.keys[0].hex(), app.stderr.read()  # open
        env = {**os.environ, "CHEDAI_DATA_DIR": str(folder), "CHEDAI_LOCALE": "en_US"}
        rotate = [sys.executable, "-m", "app", "keys", "rotate"]
        refused = subprocess.run(rotate, cwd=ROOT, env=env, capture_output=True, text=True)
        assert (refused.returncode, refused.stdout) == (2, "")
        assert refused.stderr == (
            f"chedai keys: Chedai is running on this data folder ({folder}): quit it, then "
            "rotate the key\n"
        )
        assert (folder / "field.key").read_bytes() == key
        assert _stored(folder, old)[0] == profile
    finally:
        _end(app)  # the app quits: its lock goes with it

    done = subprocess.run(rotate, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["key_file"] == str(folder / "field.key")


def test_an_app_started_during_a_rotation_waits_for_it_and_reads_the_new_key(
    device, capsys, monkeypatch
):
    folder, profile, _ = device
    from local_db import sealing

    reseal, started = sealing.reseal, []

    def slow_reseal(engine, cipher):  # the app starts while the rotation is under way
        app = _app_process(folder)
        started.append(app)
        assert _line(app, 60) == "started"
        assert _line(app, 3) is None  # not open yet: it waits for the rotation
        return reseal(engine, cipher)

    monkeypatch.setattr(sealing, "reseal", slow_reseal)
    try:
        code, _, err = cli(capsys, monkeypatch, ["keys", "rotate"])
        assert (code, err) == (0, "")
        [fresh] = read_keys(folder / "field.key")
        assert _line(started[0], 60) == fresh.hex()  # open now, with the new key alone
    finally:
        for app in started:
            _end(app)
    assert _stored(folder, FieldCipher(fresh))[0] == profile


def test_rotating_the_servers_key_is_refused_while_a_server_holds_it(tmp_path, capsys, monkeypatch):
    engine = server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate_server(engine)
    api = make_app(engine, tmp_path)  # a server running: it read the key
    key_file = tmp_path / SERVER_KEY_FILE
    key = key_file.read_bytes()
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHEDAI_LOCALE", "en_US")
    argv = ["keys", "rotate", "--server", "--database-url", f"sqlite:///{tmp_path / 'server.db'}"]
    try:
        code, out, err = run_main(capsys, argv)
        assert (code, out) == (2, "") and "Traceback" not in err
        assert err == (
            f"chedai keys: a Chedai server is running with this key file ({key_file}): stop "
            "every server using it, then rotate\n"
        )
        assert key_file.read_bytes() == key
    finally:
        engine.dispose()

    api.state.key_in_use.release()  # the server stopped
    code, out, err = run_main(capsys, argv)
    assert (code, err) == (0, "")
    assert read_keys(key_file)[0] != key[:32]
