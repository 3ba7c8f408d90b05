"""Buyer interactions with loan products: the recommender's training signal."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from domain.catalog import EventType, Interaction
from domain.ids import new_id
from local_db.codec import from_ms, to_ms
from local_db.repositories._sync import write
from local_db.tables import InteractionRow

INTERACTIONS = InteractionRow.__table__


def record_interaction(
    session: Session,
    *,
    user_id: str,
    product_id: str,
    event: EventType,
    vehicle_id: str | None = None,
    at: datetime | None = None,
    interaction_id: str | None = None,
    enqueue: bool = True,
) -> Interaction:
    at = at or datetime.now(UTC)
    at_ms = to_ms(at)
    row = {
        "id": interaction_id or new_id(),
        "user_id": user_id,
        "product_id": product_id,
        "vehicle_id": vehicle_id,
        "event": event.value,
        "at_ms": at_ms,
        "updated_ms": at_ms,
        "deleted": False,
    }
    # the server (and recommender.events) call the event its "kind"
    payload = {**row, "kind": row["event"]}
    write(
        session,
        INTERACTIONS,
        row,
        entity="interaction",
        op="append",
        enqueue=enqueue,
        payload=payload,
    )
    return Interaction(row["id"], user_id, product_id, event, from_ms(at_ms), vehicle_id)


def interaction_events(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> list[tuple[str, str, str, int]]:
    """(user_id, product_id, event, at_ms) of every interaction in [since, until), oldest
    first: the cheap path for building a training matrix from hundreds of thousands of rows."""
    c = INTERACTIONS.c
    query = select(c.user_id, c.product_id, c.event, c.at_ms).where(c.deleted.is_(False))
    if since is not None:
        query = query.where(c.at_ms >= to_ms(since))
    if until is not None:
        query = query.where(c.at_ms < to_ms(until))
    return [tuple(r) for r in session.execute(query.order_by(c.at_ms, c.id))]


def list_interactions_for_training(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    user_id: str | None = None,
) -> list[Interaction]:
    """Interactions as domain objects, oldest first (optionally one user's)."""
    c = INTERACTIONS.c
    query = select(INTERACTIONS).where(c.deleted.is_(False))
    if since is not None:
        query = query.where(c.at_ms >= to_ms(since))
    if until is not None:
        query = query.where(c.at_ms < to_ms(until))
    if user_id is not None:
        query = query.where(c.user_id == user_id)
    return [
        Interaction(
            r.id, r.user_id, r.product_id, EventType(r.event), from_ms(r.at_ms), r.vehicle_id
        )
        for r in session.execute(query.order_by(c.at_ms, c.id))
    ]
