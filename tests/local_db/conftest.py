from __future__ import annotations

import pytest
from sqlmodel import Session

from local_db.crypto import FieldCipher
from local_db.engine import make_engine
from local_db.migrations import migrate


@pytest.fixture
def engine():
    engine = make_engine(":memory:")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def cipher():
    return FieldCipher(bytes(range(32)))
