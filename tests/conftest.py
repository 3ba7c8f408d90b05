"""Shared test helpers."""

from __future__ import annotations

import os
import shutil

import pytest


def require_binary(name: str, package: str) -> str:
    """The path of a system binary the test needs. Missing: a skip that says what to install,
    except under CI (CI=true), where a missing package is a failure, never a skip."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed: apt-get install {package}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
