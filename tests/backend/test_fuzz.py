"""Fuzz every operation of /openapi.json (schemathesis): whatever the input, never a 5xx."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from backend.db import make_engine, migrate
from tests.backend.factories import make_app, make_user

pytestmark = pytest.mark.slow

# schemathesis reads the schema when the module is collected, so the app is built here (its
# own SQLite file in a temporary directory, removed by the fixture below).
_TMP = Path(tempfile.mkdtemp(prefix="chedai-fuzz-"))
_ENGINE = make_engine(f"sqlite:///{_TMP / 'server.db'}")
migrate(_ENGINE)
APP = make_app(_ENGINE, _TMP)
ADMIN_AUTH = make_user(APP, "admin")[0].headers["Authorization"]  # every route is reachable
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    _ENGINE.dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_the_api_answer_5xx(case):
    response = case.call(headers={"Authorization": ADMIN_AUTH})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    content_type = " ".join(response.headers.get("content-type", []))
    if response.status_code >= 400 and content_type.startswith("application/json"):
        assert {"code", "message"} <= set(response.json())
