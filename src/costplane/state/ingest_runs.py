"""The history of warehouse loads, as `costplane ingest history` shows it."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Engine, select

from costplane.state.models import IngestRun
from costplane.state.store import open_session


def record_runs(engine: Engine, runs: Iterable[IngestRun]) -> None:
    with open_session(engine) as session, session.begin():
        session.add_all(runs)


def recent_runs(engine: Engine, limit: int = 50) -> list[IngestRun]:
    """The newest runs first."""
    with open_session(engine) as session:
        query = select(IngestRun).order_by(IngestRun.id.desc()).limit(limit)
        runs = list(session.scalars(query))
        session.expunge_all()
        return runs


def runs_of_loads(engine: Engine, load_ids: Collection[int], limit: int = 50) -> list[IngestRun]:
    """The runs that wrote these loads, newest first."""
    with open_session(engine) as session:
        query = (
            select(IngestRun)
            .where(IngestRun.load_id.in_(list(load_ids)))
            .order_by(IngestRun.id.desc())
            .limit(limit)
        )
        runs = list(session.scalars(query))
        session.expunge_all()
        return runs
