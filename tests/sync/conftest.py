import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Starlette 1.x deprecates plain httpx under its TestClient in favour of httpx2
    # (StarletteDeprecationWarning, a UserWarning). The app and the sync client are written
    # against httpx, a project dependency; TestClient is only the in-process transport of
    # these tests, so the deprecation is not ours to act on.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning",
    )
