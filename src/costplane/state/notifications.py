"""What each notification route was told: read before a run, written after each delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Engine, select

from costplane.state.models import NotificationRecord
from costplane.state.store import open_session


def delivered_keys(engine: Engine) -> set[tuple[str, str]]:
    """(route, event key) for every event a route was told about."""
    query = select(NotificationRecord.route, NotificationRecord.event_key).where(
        NotificationRecord.status == "sent"
    )
    with open_session(engine) as session:
        return {(route, key) for route, key in session.execute(query)}


def routes_sent_on(engine: Engine, day: dt.date) -> set[str]:
    """Routes that delivered a message on `day` (UTC): a daily digest waits for tomorrow."""
    start = dt.datetime.combine(day, dt.time())
    query = select(NotificationRecord.route).where(
        NotificationRecord.sent_at >= start,
        NotificationRecord.sent_at < start + dt.timedelta(days=1),
    )
    with open_session(engine) as session:
        return set(session.scalars(query))


def record_delivery(
    engine: Engine,
    route: str,
    events: Iterable[tuple[str, str, str | None]],
    *,
    error: str | None,
    at: dt.datetime,
) -> None:
    """One delivery of (event key, kind, tenant) events: sent when `error` is None."""
    with open_session(engine) as session, session.begin():
        for key, kind, tenant in events:
            row = session.scalars(
                select(NotificationRecord).where(
                    NotificationRecord.route == route, NotificationRecord.event_key == key
                )
            ).one_or_none()
            if row is None:
                row = NotificationRecord(
                    route=route,
                    event_key=key,
                    kind=kind,
                    tenant=tenant,
                    attempts=0,
                    first_tried_at=at,
                )
                session.add(row)
            row.attempts += 1
            row.last_tried_at = at
            row.status = "failed" if error else "sent"
            row.last_error = error
            row.sent_at = None if error else at


def notification_records(engine: Engine) -> list[NotificationRecord]:
    """Every record, latest attempt first."""
    query = select(NotificationRecord).order_by(
        NotificationRecord.last_tried_at.desc(), NotificationRecord.id.desc()
    )
    with open_session(engine) as session:
        found = list(session.scalars(query))
        session.expunge_all()
    return found
