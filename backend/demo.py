"""The demo server's world (``chedai serve --demo``): the catalogue of the demo market that a
demo-mode device seeds locally (``local_db.demo``), published once as ordinary catalogue
records, so a device that signs in to a demo server pulls the same cars, dealers, lenders and
products.

The demo world's buyers and their interactions stay on the server's side: a demo server's
buyers are the people who sign up, but its recommender starts from the model those synthetic
buyers train (``publish_demo_model``), the one a demo-mode device trains at seed time, so the
offers are ranked from the first sign-in rather than after an admin's first retraining.

Publishing happens at the first start only: if any catalogue record exists (tombstones too),
nothing is published, so a restart neither duplicates nor re-sequences the catalogue, and an
admin's later edits stand. The records are pushed in one transaction, in the order a device can
apply them (dealers, lenders, products, vehicles: the pull order is the server's sequence).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Engine

from backend import store
from backend.recommend import RecommenderUnavailable, interaction_rows, latest_info, publish
from backend.rules import Actor
from local_db.demo.world import World, generate
from local_db.repositories.catalog import sync_records
from sync.wire import CATALOGUE_ENTITIES, ModelInfo, Op

#: Who publishes the demo catalogue (the idempotency rows name it; it is no account).
PUBLISHER = Actor(user_id="demo-catalogue", role="admin")
DEVICE_ID = "server"  # as the admin routes' writes
_OP_IDS = uuid.UUID("5d1c2a8e-3f0b-4c55-9a43-0c1e6b7d2f90")  # namespace of the ops' ids


def demo_world(seed: int) -> World:
    """The demo market's catalogue for ``seed`` (no buyers: the catalogue does not depend on
    them, and a server's buyers are the people who sign up)."""
    return generate(seed, n_buyers=0)


def staff_dealer_id(world: World) -> str:
    """The dealership the public demo staff account works for: the world's first dealer."""
    return world.dealers[0].id


def catalogue_ops(world: World, now_ms: int) -> list[Op]:
    """The world's catalogue as admin upserts, dealers first (see the module docstring). The
    op ids follow from the seed and the record, so the same world gives the same ops.

    A vehicle's picture is a file the seed draws on the device that seeds (``local_db.pictures``);
    a device that pulls has none, so the published picture is empty and the app draws it from
    the car's body and colour."""
    records = sync_records(
        dealers=world.dealers,
        lenders=world.lenders,
        products=world.products,
        vehicles=[replace(v, picture="") for v in world.vehicles],
    )
    return [
        Op(
            op_id=str(uuid.uuid5(_OP_IDS, f"{world.seed}:{entity}:{entity_id}")),
            entity=entity,
            entity_id=entity_id,
            payload=data,
            created_ms=now_ms,
        )
        for entity, entity_id, data in records
    ]


def publish_demo_model(engine: Engine, seed: int, now_ms: int) -> ModelInfo | None:
    """Train the demo world's model on its synthetic buyers' interactions and publish it as
    version 1, unless the server has a model already (None then; a restart leaves it, and an
    admin's retraining stands). Takes a few seconds: the world with its buyers is generated
    again (its catalogue is ``demo_world``'s, the same ids)."""
    if latest_info(engine) is not None:
        return None
    return publish(engine, _demo_trained(engine, seed), now_ms, unless_any=True)


def demo_fit(seed: int) -> Callable[[Engine, int], ModelInfo]:
    """A demo server's retraining (the admin's fit, the schedule): the demo world's synthetic
    buyers' interactions together with those synced by the people who signed up, so that a
    few sign-ups refine the demo model instead of replacing it."""

    def fit(engine: Engine, now_ms: int) -> ModelInfo:
        try:
            model = _demo_trained(engine, seed)
        except ImportError as exc:
            raise RecommenderUnavailable(f"the recommender is not installed ({exc.name})") from None
        return publish(engine, model, now_ms)

    return fit


def _demo_trained(engine: Engine, seed: int):
    """ALS (the demo parameters, with the buyers' segments) on the demo world's interactions
    and every synced one, in time order."""
    from threadpoolctl import threadpool_limits

    from recommender.data import from_rows
    from recommender.demo import DEMO_PARAMS
    from recommender.train import train

    world = generate(seed)
    rows = [(r["user_id"], r["product_id"], r["event"], r["at_ms"]) for r in world.interactions]
    rows = sorted(rows + interaction_rows(engine), key=lambda r: r[3])
    segments = {p.user_id: p.segment for p in world.profiles if p.segment}
    with threadpool_limits(1, "blas"):  # implicit is slower, and warns, on threaded BLAS
        return train(from_rows(rows), DEMO_PARAMS, segments=segments)


def publish_catalogue(engine: Engine, world: World, now_ms: int) -> int:
    """Publish ``world``'s catalogue unless the server has a catalogue already; returns how
    many records were published (0: there was one). All or nothing: a record the rules
    refuse fails the start (ValueError) and publishes none."""
    results = store.publish_once(
        engine,
        PUBLISHER,
        DEVICE_ID,
        catalogue_ops(world, now_ms),
        now_ms,
        unless_any_of=CATALOGUE_ENTITIES,
    )
    return 0 if results is None else len(results)
