"""The command line reads the ALS defaults from ``recommender.params`` at start: that must not
load numpy (about a fifth of ``chedai --help``'s time); the package's public names still
import as before."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_cli_defaults_load_without_numpy():
    code = "import sys, recommender.params; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_public_names_import_from_the_package():
    import recommender
    from recommender import Recommender, apply_guardrail
    from recommender.guardrail import apply_guardrail as defined
    from recommender.score import Recommender as scorer

    assert (Recommender, apply_guardrail) == (scorer, defined)
    assert sorted(recommender.__all__) == sorted(recommender._PUBLIC)
    with pytest.raises(AttributeError, match="no attribute 'ranker'"):
        recommender.ranker  # noqa: B018
