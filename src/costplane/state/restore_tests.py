"""Restore tests as recorded, with who ran them: `costplane record restore-test` writes them."""

from __future__ import annotations

from sqlalchemy import Engine, select

from costplane.state.models import RestoreTestRecord
from costplane.state.store import open_session


def record_restore_test(engine: Engine, test: RestoreTestRecord) -> RestoreTestRecord:
    """Store the test, or update the one of the same tenant, environment and time; the
    stored row is returned (detached, its fields loaded)."""
    with open_session(engine) as session, session.begin():
        known = session.scalars(
            select(RestoreTestRecord).where(
                RestoreTestRecord.tenant == test.tenant,
                RestoreTestRecord.environment == test.environment,
                RestoreTestRecord.tested_at == test.tested_at,
            )
        ).one_or_none()
        if known is None:
            session.add(test)
            stored = test
        else:
            for field in ("database", "result", "evidence_url", "backup_id", "ran_by"):
                setattr(known, field, getattr(test, field))
            known.recorded_at, known.load_id = test.recorded_at, test.load_id
            stored = known
        session.flush()
        session.expunge(stored)
    return stored


def restore_tests(engine: Engine, tenant: str | None = None) -> list[RestoreTestRecord]:
    """The recorded tests, newest first; only `tenant`'s when given."""
    query = select(RestoreTestRecord).order_by(
        RestoreTestRecord.tested_at.desc(), RestoreTestRecord.id.desc()
    )
    if tenant is not None:
        query = query.where(RestoreTestRecord.tenant == tenant)
    with open_session(engine) as session:
        found = list(session.scalars(query))
        session.expunge_all()
    return found
