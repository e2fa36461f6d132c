"""Collector runs, and the status of each source as `costplane sources status` shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from costplane.state.models import SourceRun
from costplane.state.store import open_session


def record_source_run(engine: Engine, run: SourceRun) -> None:
    with open_session(engine) as session, session.begin():
        session.add(run)


@dataclass(frozen=True)
class SourceStatus:
    """The latest state of one (source, target): a partial run counts as a success that
    is also reported with what it missed."""

    source: str
    target: str
    status: str
    last_success: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    missing: str | None

    def staleness(self, now: dt.datetime) -> dt.timedelta | None:
        """How old the newest data is; None when no run ever succeeded."""
        return None if self.last_success is None else now - self.last_success


def source_status(engine: Engine) -> list[SourceStatus]:
    """One status per (source, target) that ever ran, sorted by source and target."""
    with open_session(engine) as session:
        runs = list(session.scalars(select(SourceRun).order_by(SourceRun.id)))
    latest: dict[tuple[str, str], list[SourceRun]] = {}
    for run in runs:
        latest.setdefault((run.source, run.target), []).append(run)
    return [_status(key, history) for key, history in sorted(latest.items())]


def _status(key: tuple[str, str], history: list[SourceRun]) -> SourceStatus:
    last = history[-1]
    succeeded = [r for r in history if r.status in ("ok", "partial")]
    failed = [r for r in history if r.error]
    return SourceStatus(
        source=key[0],
        target=key[1],
        status=last.status,
        last_success=succeeded[-1].finished_at if succeeded else None,
        last_error=failed[-1].error if failed else None,
        last_error_at=failed[-1].finished_at if failed else None,
        missing=last.missing,
    )
