"""The audit log: the chain verifies, the store refuses rewrites, and tampering is named."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from costplane.actions import (
    Anchor,
    AuditLog,
    Change,
    Target,
    canonical_json,
    make_action,
    plan_action,
)
from costplane.actions.audit_chain import GENESIS, entry_hash
from costplane.state import open_session, state_engine
from costplane.state.models import AuditEntry
from tests.actions.conftest import cronjob, deployment

NOW = dt.datetime(2026, 1, 6, 19, 0, tzinfo=dt.UTC)
COLUMNS = [column.name for column in AuditEntry.__table__.columns]


def _changes() -> Sequence[Change]:
    targets = [
        Target(deployment("odoo-web", 3), Decimal("41.20"), "EUR", "asleep at night"),
        Target(deployment("odoo-worker", 2), Decimal("12.00"), "EUR"),
        Target(cronjob("odoo-cron"), Decimal("0.50"), "EUR"),
    ]
    return plan_action(make_action("sleep"), targets, NOW).changes


def _write(log: AuditLog, changes: Sequence[Change], actor: str = "ops@acme") -> None:
    for change in changes:
        intent = log.record_intent(change, actor)
        log.record_result(
            intent, change, actor, ok=True, detail="patched", observed={"spec": {"replicas": 0}}
        )


def _tamper(engine: Engine, statement: str, **params: Any) -> None:
    """What an attacker with write access to the database does: switch the guard off, edit."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            connection.execute(text(statement), params)
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            connection.execute(text(statement), params)


def _problems(log: AuditLog, anchors: Sequence[Anchor] = ()) -> list[tuple[int, str]]:
    return [(t.entry_id, t.problem) for t in log.verify(anchors).tampering]


def test_a_written_log_verifies_and_records_who_what_before_and_after(store: Engine) -> None:
    log = AuditLog(store)
    assert log.verify().intact
    assert log.verify().entries == 0
    _write(log, _changes())
    result = log.verify()
    assert (result.intact, result.entries, result.head_id, result.unfinished) == (True, 6, 6, ())
    newest_first = log.entries()
    assert [e.id for e in newest_first] == [6, 5, 4, 3, 2, 1]
    intent, outcome = newest_first[-1], newest_first[-2]
    assert (intent.phase, intent.result, intent.actor, intent.action) == (
        "intent",
        "pending",
        "ops@acme",
        "sleep",
    )
    assert (intent.kind, intent.namespace, intent.name) == ("Deployment", "acme-dev", "odoo-web")
    assert json.loads(intent.before or "") == {
        "metadata": {"annotations": {"costplane.io/sleep-state": None}},
        "spec": {"replicas": 3},
    }
    assert json.loads(intent.patch or "")["spec"] == {"replicas": 0}
    assert intent.monthly_amount == "41.20"
    assert intent.currency == "EUR"
    assert intent.prev_hash == GENESIS
    assert (outcome.phase, outcome.result, outcome.intent_id, outcome.detail) == (
        "result",
        "ok",
        1,
        "patched",
    )
    assert outcome.prev_hash == intent.hash
    assert json.loads(outcome.after or "") == {"spec": {"replicas": 0}}


def test_each_hash_covers_a_canonical_json_of_the_entry_and_the_previous_hash(
    sqlite_store: Engine,
) -> None:
    log = AuditLog(sqlite_store)
    _write(log, _changes()[:1])
    first = log.entries()[-1]
    fields = {
        name: getattr(first, name)
        for name in (
            "id",
            "actor",
            "phase",
            "intent_id",
            "action",
            "api_version",
            "kind",
            "namespace",
            "name",
            "patch",
            "before",
            "after",
            "monthly_amount",
            "currency",
            "result",
            "detail",
            "prev_hash",
        )
    }
    fields["recorded_at"] = first.recorded_at.isoformat(timespec="microseconds")
    import hashlib

    assert first.hash == hashlib.sha256(canonical_json(fields).encode()).hexdigest()
    assert entry_hash(first) == first.hash


def test_the_store_refuses_updates_and_deletes(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes()[:1])
    for statement in (
        "UPDATE audit_log SET actor = 'someone-else'",
        "DELETE FROM audit_log WHERE id = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), store.begin() as connection:
            connection.execute(text(statement))
    assert log.verify().intact
    assert log.verify().entries == 2


def test_an_edited_field_is_named(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes())
    _tamper(store, "UPDATE audit_log SET monthly_amount = '0.00' WHERE id = 3")
    assert _problems(log) == [(3, "edited")]


def test_an_edited_entry_whose_hash_was_recomputed_is_named_by_the_next_link(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes())
    with open_session(store) as session:
        entry = session.get(AuditEntry, 3)
        assert entry is not None
        entry.actor = "nobody"
        forged = entry_hash(entry)
    _tamper(store, "UPDATE audit_log SET actor = 'nobody', hash = :h WHERE id = 3", h=forged)
    result = log.verify()
    assert [(t.entry_id, t.problem) for t in result.tampering] == [(3, "edited")]
    assert (
        "entry 3 was rewritten: entry 4 was chained to a different version"
        in result.tampering[0].message
    )


def test_a_removed_entry_is_named(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes())
    _tamper(store, "DELETE FROM audit_log WHERE id = 4")
    result = log.verify()
    assert [(t.entry_id, t.problem) for t in result.tampering] == [(4, "removed")]
    assert result.tampering[0].message == "entry 4 missing (removed) before entry 5"
    assert result.unfinished == (3,)  # the removed entry was the result of intent 3
    _tamper(store, "DELETE FROM audit_log WHERE id IN (1, 2)")
    assert _problems(log) == [(1, "removed"), (4, "removed")]


def test_an_inserted_entry_is_named(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes())
    head = log.entries(limit=1)[0]
    # a forged entry chained properly onto entry 2 and placed at the end
    with open_session(store) as session:
        second = session.get(AuditEntry, 2)
        assert second is not None
        session.expunge(second)
    forged = AuditEntry(**{c: getattr(head, c) for c in COLUMNS})
    forged.id, forged.prev_hash, forged.actor = 7, second.hash, "intruder"
    forged.hash = entry_hash(forged)
    columns = ", ".join(COLUMNS)
    values = {c: getattr(forged, c) for c in COLUMNS}
    placeholders = ", ".join(f":{c}" for c in values)
    # prev_hash is unique: the forger has to move entry 3's link out of the way first
    _tamper(store, "UPDATE audit_log SET prev_hash = :p WHERE id = 3", p="f" * 64)
    _tamper(store, f"INSERT INTO audit_log ({columns}) VALUES ({placeholders})", **values)
    problems = _problems(log)
    assert (7, "inserted") in problems
    assert (3, "edited") in problems


def test_a_row_written_by_hand_does_not_match_any_hash(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes()[:1])
    head = log.entries(limit=1)[0]
    _tamper(
        store,
        "INSERT INTO audit_log (id, recorded_at, actor, phase, action, api_version, kind,"
        " namespace, name, monthly_amount, currency, result, prev_hash, hash)"
        " VALUES (3, :at, 'ops', 'intent', 'sleep', 'apps/v1', 'Deployment', 'acme-dev',"
        " 'odoo-web', '0', 'EUR', 'ok', :prev, :hash)",
        at=dt.datetime(2026, 1, 6, 20, 0),
        prev=head.hash,
        hash="a" * 64,
    )
    assert _problems(log) == [(3, "edited")]


def test_reordered_entries_are_named(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes())
    _tamper(store, "UPDATE audit_log SET id = 100 WHERE id = 2")
    _tamper(store, "UPDATE audit_log SET id = 2 WHERE id = 3")
    _tamper(store, "UPDATE audit_log SET id = 3 WHERE id = 100")
    problems = set(_problems(log))
    assert {(2, "edited"), (3, "edited"), (2, "inserted"), (3, "inserted")} <= problems


def test_a_log_cut_short_is_caught_by_an_anchor(store: Engine) -> None:
    log = AuditLog(store)
    _write(log, _changes())
    before = log.verify()
    anchor = Anchor.parse(f"{before.head_id}:{before.head_hash}")
    _tamper(store, "DELETE FROM audit_log WHERE id >= 5")
    assert log.verify().intact  # what no unkeyed chain can see on its own
    assert _problems(log, [anchor]) == [(5, "truncated")]  # the first entry gone
    with pytest.raises(ValueError, match="ID:HASH"):
        Anchor.parse("6:abc")


def test_an_intent_with_no_result_is_reported_as_unfinished(sqlite_store: Engine) -> None:
    log = AuditLog(sqlite_store)
    change = _changes()[0]
    log.record_intent(change, "ops")
    result = log.verify()
    assert result.intact
    assert result.unfinished == (1,)


def test_concurrent_writers_keep_one_chain(store: Engine) -> None:
    change = _changes()[0]
    errors: list[BaseException] = []

    def write() -> None:
        try:
            log = AuditLog(store)
            for _ in range(8):
                log.record_intent(change, threading.current_thread().name)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=write, name=f"writer-{n}") for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = AuditLog(store).verify()
    assert (result.intact, result.entries) == (True, 24)


def test_on_postgresql_insert_and_select_are_all_the_log_needs(
    postgres_store: Engine, postgres_url: str
) -> None:
    role = f"costplane_audit_{uuid.uuid4().hex[:8]}"
    with postgres_store.begin() as admin:
        admin.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        admin.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        admin.execute(text(f'GRANT SELECT ON alembic_version TO "{role}"'))
        admin.execute(text(f'GRANT INSERT, SELECT ON audit_log TO "{role}"'))
    server = postgres_url.split("@", 1)[1]  # host:port/database of the scratch database
    limited = state_engine(f"postgresql://{role}@{server}")
    try:
        log = AuditLog(limited)
        _write(log, _changes())
        assert log.verify().intact
        assert log.verify().entries == 6
        with pytest.raises(DBAPIError, match="permission denied"), limited.begin() as connection:
            connection.execute(text("UPDATE audit_log SET actor = 'x'"))
    finally:
        limited.dispose()
        with postgres_store.begin() as admin:
            admin.execute(text(f'DROP OWNED BY "{role}"'))
            admin.execute(text(f'DROP ROLE "{role}"'))
