"""The wire's hand-copied vocabularies stay equal to their sources."""

from __future__ import annotations

from typing import get_args

from domain.catalog import EventType
from recommender.events import EVENTS
from sync.wire import CATALOGUE_ENTITIES, ENTITIES, INTERACTION_KINDS, Entity


def test_interaction_kinds_are_the_recommenders_events_in_the_same_order():
    assert INTERACTION_KINDS == EVENTS == tuple(e.value for e in EventType)


def test_every_wire_entity_has_a_place_on_the_device():
    from sync.local_store import BY_WIRE

    assert set(BY_WIRE) == set(ENTITIES)


def test_the_entity_literal_names_every_entity_once():
    assert sorted(get_args(Entity)) == sorted(ENTITIES) == sorted(set(ENTITIES))
    assert set(CATALOGUE_ENTITIES) == {"vehicle", "lender", "product", "dealer"}
