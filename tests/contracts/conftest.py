"""Shared, expensive things for contract tests: one demo PKI per session (EC key generation and
file writing are done once; tests needing a fresh one build their own under tmp_path)."""

from __future__ import annotations

import pytest

from contracts.pki import SignerPKI, demo_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> SignerPKI:
    return demo_pki(tmp_path_factory.mktemp("data"))
