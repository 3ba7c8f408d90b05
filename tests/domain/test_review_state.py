"""Where a flagged application's manual review stands, from its status, flags and decision."""

from __future__ import annotations

import pytest

from domain.catalog import review_state

FLAGS = ("fraud.velocity_person",)


@pytest.mark.parametrize(
    ("status", "review", "decision", "expected"),
    [
        pytest.param("submitted", (), None, None, id="no-flag-nothing-to-review"),
        pytest.param("approved", (), None, None, id="no-flag-approved-by-the-rules"),
        pytest.param("prequalified", FLAGS, None, "pending", id="flagged-at-the-check"),
        pytest.param("submitted", FLAGS, None, "pending", id="flagged-offer-chosen"),
        pytest.param("approved", FLAGS, "approved", "approved", id="reviewer-approved"),
        pytest.param("contracted", FLAGS, "approved", "approved", id="signed-after-review"),
        pytest.param("declined", FLAGS, "declined", "declined", id="reviewer-declined"),
        pytest.param("declined", FLAGS, None, None, id="no-lender-offered-nothing-to-review"),
        pytest.param("withdrawn", FLAGS, None, None, id="withdrawn-before-a-decision"),
    ],
)
def test_review_state_follows_the_reviewers_decision_and_the_status(
    status, review, decision, expected
):
    assert review_state(status, review, decision) == expected
