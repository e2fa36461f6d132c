"""What identifies the state store's findings and collector runs as they stand, cheaply:
a reader that keeps something computed from them (the `/metrics` exposition) recomputes
only when this stamp moved.

`govern` stamps every finding it sees again with `last_seen` and adds findings; an
acknowledgement or a suppression adds a `finding_events` row; every collector run adds a
`source_runs` row. A suppression that expires changes a finding's status with no write:
the caller adds the day to its key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from costplane.state.models import Finding, FindingEvent, SourceRun
from costplane.state.store import open_session


@dataclass(frozen=True)
class StateStamp:
    findings: int
    last_seen: dt.datetime | None
    finding_event: int | None
    source_run: int | None


def state_stamp(engine: Engine) -> StateStamp:
    with open_session(engine) as session:
        findings, last_seen = session.execute(
            select(func.count(Finding.id), func.max(Finding.last_seen))
        ).one()
        event = session.scalar(select(func.max(FindingEvent.id)))
        run = session.scalar(select(func.max(SourceRun.id)))
    return StateStamp(findings, last_seen, event, run)
