"""prequalify_batch: the same answers as one prequalify call per application, in the order given."""

import gc
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import InputError
from domain.prequal import Application, prequalify_batch
from domain.prequal.core import clear_caches
from tests.domain.prequal.factories import CONSENT, NOW, TODAY, applicant, deal, run, vehicle
from tests.domain.prequal.test_properties import PRODUCTS

D = Decimal


def _applications(n: int, seed: int) -> list[Application]:
    rng = random.Random(seed)
    cars = [vehicle(price=D(p)) for p in (89800, 179800, 329900)]
    out = []
    for _ in range(n):
        income = D(rng.randrange(4000, 40000, 500))
        car = rng.choice(cars)
        out.append(
            Application(
                applicant(
                    monthly_income=income,
                    monthly_debt_payments=(income * rng.randrange(0, 45) / 100).quantize(D("1")),
                    credit_score=rng.choice([None, 560, 640, 700, 780]),
                    age=rng.randrange(20, 64),
                ),
                car,
                deal(
                    down_payment=(car.price * rng.choice([10, 20, 30, 50]) / 100).quantize(D("1")),
                    term_months=rng.choice([12, 24, 36, 48, 60]),
                ),
                CONSENT,
            )
        )
    return out


def test_each_result_equals_prequalify_of_that_application_alone_in_the_order_given():
    applications = _applications(60, seed=5)
    clear_caches()
    results = prequalify_batch(applications, PRODUCTS, today=TODAY, now=NOW)
    assert len(results) == len(applications)
    for a, result in zip(applications, results, strict=True):
        clear_caches()
        assert result == run(PRODUCTS, a=a.applicant, v=a.vehicle, d=a.deal)


def test_a_bad_application_gets_its_error_in_its_place_and_the_others_their_results():
    good = _applications(3, seed=9)
    bad = Application(good[0].applicant, vehicle(), deal(down_payment=D("200000.00")), CONSENT)
    no_consent = Application(good[1].applicant, good[1].vehicle, good[1].deal, None)
    results = prequalify_batch([good[0], bad, no_consent, good[2]], PRODUCTS, today=TODAY, now=NOW)
    assert isinstance(results[1], InputError) and results[1].field == "deal.down_payment"
    assert isinstance(results[2], InputError) and results[2].field == "consent"
    assert results[0] == run(PRODUCTS, a=good[0].applicant, v=good[0].vehicle, d=good[0].deal)
    assert results[3] == run(PRODUCTS, a=good[2].applicant, v=good[2].vehicle, d=good[2].deal)


#: Run in a process of its own: another test's threads (a Flet session closing) make garbage
#: of their own while the collector is paused, which this process must not count.
_COUNT_CYCLES = """
import gc, sys
from tests.domain.prequal.test_batch import NOW, PRODUCTS, TODAY, _applications, prequalify_batch
applications = _applications(20, seed=int(sys.argv[1]))
gc.collect()
gc.disable()
results = prequalify_batch(applications, PRODUCTS, today=TODAY, now=NOW)
assert all(not isinstance(r, Exception) for r in results)
del results
print(gc.collect())
"""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prequalify_leaves_no_reference_cycle_for_the_collector_the_batch_pauses(seed):
    root = Path(__file__).resolve().parents[3]
    counted = subprocess.run(
        [sys.executable, "-c", _COUNT_CYCLES, str(seed)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert counted.stdout.strip() == "0"


def test_the_collector_is_running_again_after_a_batch_even_one_that_raised():
    assert gc.isenabled()
    prequalify_batch(_applications(2, seed=4), PRODUCTS, today=TODAY, now=NOW)
    assert gc.isenabled()
    with pytest.raises(AttributeError):
        prequalify_batch([object()], PRODUCTS, today=TODAY, now=NOW)  # type: ignore[list-item]
    assert gc.isenabled()
