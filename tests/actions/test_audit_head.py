"""The end of the audit log, proven by the heads noted outside the database on every append.

Each attack is what someone with write access to the database (and not to the heads
file) does: cut off the newest entries, empty the log, or rewrite an entry and re-hash
every entry after it so that the chain is valid again. Each is named by its first entry.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from costplane.actions import Anchor, AuditLog, HeadsFile, heads_path
from costplane.actions.audit_chain import GENESIS, entry_hash
from costplane.actions.audit_heads import HEADS_VARIABLE
from costplane.errors import ExecutionError, InputError
from costplane.state import state_engine, upgrade
from tests.actions.test_audit import _changes, _tamper, _write


def _log(store: Engine, tmp_path: Path) -> AuditLog:
    """A log of six entries (three intents, three results), each head noted in a file."""
    log = AuditLog(store, HeadsFile(tmp_path / "audit-heads"))
    _write(log, _changes())
    return log


def _rehash_from(store: Engine, entry_id: int, **edit: Any) -> None:
    """Edit one entry, then recompute its hash and every later link and hash: a valid chain."""
    entries = sorted(AuditLog(store).entries(), key=lambda e: e.id)
    for name, value in edit.items():
        setattr(entries[entry_id - 1], name, value)
    previous = entries[entry_id - 2].hash if entry_id > 1 else GENESIS
    for entry in entries[entry_id - 1 :]:
        entry.prev_hash = previous
        entry.hash = previous = entry_hash(entry)
    for entry in entries[entry_id - 1 :]:
        _tamper(
            store,
            "UPDATE audit_log SET actor = :actor, monthly_amount = :amount,"
            " prev_hash = :prev, hash = :hash WHERE id = :id",
            actor=entry.actor,
            amount=entry.monthly_amount,
            prev=entry.prev_hash,
            hash=entry.hash,
            id=entry.id,
        )


def _named(log: AuditLog, anchors: Sequence[Anchor] = ()) -> list[tuple[int, str, str]]:
    return [(t.entry_id, t.problem, t.message) for t in log.verify(anchors).tampering]


def test_every_append_notes_its_head_outside_the_database(store: Engine, tmp_path: Path) -> None:
    log = _log(store, tmp_path)
    lines = (tmp_path / "audit-heads").read_text().splitlines()
    assert lines == [f"{e.id} {e.hash}" for e in sorted(log.entries(), key=lambda e: e.id)]
    result = log.verify()
    assert (result.intact, result.noted, result.unconfirmed) == (True, 6, ())


def test_the_last_entries_deleted_are_named_from_the_first(store: Engine, tmp_path: Path) -> None:
    log = _log(store, tmp_path)
    _tamper(store, "DELETE FROM audit_log WHERE id >= 5")
    assert _named(log) == [
        (
            5,
            "truncated",
            "entries 5–6 are gone: the log ends at entry 4, but entry 6 was noted in "
            "audit-heads:6 (the log was cut off)",
        )
    ]


def test_an_emptied_log_is_named_from_entry_1(store: Engine, tmp_path: Path) -> None:
    log = _log(store, tmp_path)
    _tamper(store, "DELETE FROM audit_log")
    result = log.verify()
    assert (result.intact, result.entries) == (False, 0)
    assert _named(log) == [
        (
            1,
            "truncated",
            "entries 1–6 are gone: the log is empty, but entry 6 was noted in "
            "audit-heads:6 (the log was emptied)",
        )
    ]


def test_a_rewritten_and_rehashed_entry_is_named_not_the_ones_after_it(
    store: Engine, tmp_path: Path
) -> None:
    log = _log(store, tmp_path)
    _rehash_from(store, 3, monthly_amount="0.00")
    assert AuditLog(store).verify().intact  # the chain alone: valid again
    assert _named(log) == [
        (
            3,
            "edited",
            "entry 3 is not the entry that was written: its hash differs from the one noted "
            "in audit-heads:3, and the entries after it were chained to the new version",
        )
    ]


def test_a_rewrite_of_the_first_entry_is_named(store: Engine, tmp_path: Path) -> None:
    log = _log(store, tmp_path)
    _rehash_from(store, 1, actor="nobody")
    assert [(entry_id, problem) for entry_id, problem, _ in _named(log)] == [(1, "edited")]


def test_the_log_cut_off_and_written_again_is_named(store: Engine, tmp_path: Path) -> None:
    """Cut off at 4, then Costplane appends again: entry 5 exists, but is not the noted 5."""
    log = _log(store, tmp_path)
    _tamper(store, "DELETE FROM audit_log WHERE id >= 5")
    _write(log, _changes()[:1], actor="later")
    assert [(entry_id, problem) for entry_id, problem, _ in _named(log)] == [(5, "edited")]


def test_an_anchor_names_the_first_entry_cut_off(store: Engine) -> None:
    log = AuditLog(store)  # no heads file: the anchor kept by hand is all there is
    _write(log, _changes())
    head = log.verify()
    anchor = Anchor.parse(f"{head.head_id}:{head.head_hash}")
    _tamper(store, "DELETE FROM audit_log WHERE id >= 5")
    assert _named(log, [anchor]) == [
        (
            5,
            "truncated",
            "entries 5–6 are gone: the log ends at entry 4, but entry 6 was noted in "
            "--anchor (the log was cut off)",
        )
    ]


def test_anchors_bound_a_rewrite_and_the_heads_file_names_its_first_entry(
    store: Engine, tmp_path: Path
) -> None:
    log = _log(store, tmp_path)
    entries = {e.id: e.hash for e in log.entries()}
    anchors = [Anchor(1, entries[1]), Anchor(6, entries[6])]
    _rehash_from(store, 3, actor="nobody")
    by_hand = AuditLog(store).verify(anchors).tampering
    assert [(t.entry_id, t.problem) for t in by_hand] == [(6, "edited")]
    assert "(the rewrite began there or earlier, after entry 1)" in by_hand[0].message
    assert [(t.entry_id, t.problem) for t in log.verify(anchors).tampering] == [(3, "edited")]


def test_a_crash_between_commit_and_note_is_unconfirmed_not_tampering(
    store: Engine, tmp_path: Path
) -> None:
    log = _log(store, tmp_path)
    _write(AuditLog(store), _changes()[:1])  # committed, never noted: the run died in between
    result = log.verify()
    assert (result.intact, result.entries, result.unconfirmed) == (True, 8, (7, 8))
    _write(log, _changes()[:1])  # the next append notes 10, which chains 7 and 8
    assert (log.verify().intact, log.verify().unconfirmed) == (True, ())


def test_no_heads_file_is_reported_as_none(sqlite_store: Engine, tmp_path: Path) -> None:
    _write(AuditLog(sqlite_store), _changes()[:1])
    result = AuditLog(sqlite_store, HeadsFile(tmp_path / "absent")).verify()
    assert (result.intact, result.noted, result.unconfirmed) == (True, None, ())


def test_a_damaged_heads_file_is_bad_input_naming_its_line(
    sqlite_store: Engine, tmp_path: Path
) -> None:
    log = _log(sqlite_store, tmp_path)
    heads = tmp_path / "audit-heads"
    with heads.open("a") as file:
        file.write("7 not-a-hash\n")
    with pytest.raises(InputError, match=r"audit-heads:7: not an audit head \(expected 'ID HASH'"):
        log.verify()
    heads.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match=r"audit-heads:1: not an audit head"):
        log.verify()


def test_a_head_that_cannot_be_noted_stops_the_action(sqlite_store: Engine, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir()  # a directory where the file should be
    log = AuditLog(sqlite_store, HeadsFile(blocked))
    with pytest.raises(ExecutionError, match="could not note audit entry 1 outside the database"):
        log.record_intent(_changes()[0], "ops")
    assert [e.id for e in log.entries()] == [1]  # in the log; the action was not taken


def test_the_heads_file_can_live_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(HEADS_VARIABLE, raising=False)
    assert heads_path(tmp_path / ".costplane") == tmp_path / ".costplane" / "audit-heads"
    monkeypatch.setenv(HEADS_VARIABLE, str(tmp_path / "elsewhere" / "heads"))
    assert heads_path(tmp_path / ".costplane") == tmp_path / "elsewhere" / "heads"


def _project_log(home: Path) -> tuple[Engine, AuditLog]:
    """The log of the project the CLI reads, written as `act run --apply` writes it."""
    data = home / ".costplane"
    data.mkdir(parents=True, exist_ok=True)
    engine = state_engine(f"sqlite:///{data / 'state.db'}")
    upgrade(engine)
    log = AuditLog(engine, HeadsFile(heads_path(data)))
    _write(log, _changes())
    return engine, log


def test_audit_verify_exits_3_naming_the_first_entry_cut_off(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HEADS_VARIABLE, raising=False)
    engine, _ = _project_log(cli.home)
    engine.dispose()
    with sqlite3.connect(cli.home / ".costplane" / "state.db") as connection:
        connection.execute("DROP TRIGGER audit_log_no_delete")
        connection.execute("DELETE FROM audit_log WHERE id >= 4")
    result = cli("audit", "verify")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0] == (
        "truncated: entries 4–6 are gone: the log ends at entry 3, but entry 6 was noted in "
        "audit-heads:6 (the log was cut off)"
    )


def test_audit_verify_json_says_what_the_heads_file_vouched_for(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "witness" / "heads"
    monkeypatch.setenv(HEADS_VARIABLE, str(elsewhere))
    engine, _ = _project_log(cli.home)
    _write(AuditLog(engine), _changes()[:1])  # a run that died before noting
    engine.dispose()
    assert os.path.exists(elsewhere)
    assert not (cli.home / ".costplane" / "audit-heads").exists()
    result = cli("audit", "verify", "-o", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["heads_file"] == {"path": str(elsewhere), "noted": 6, "unconfirmed": [7, 8]}
    assert "note: entries 7–8 are not in" in result.stderr
    elsewhere.unlink()
    assert "note: no audit heads file at" in cli("audit", "verify").stderr
    assert cli("audit", "verify").exit_code == 0


@pytest.mark.parametrize(
    "text", ["6:" + "z" * 64, "²:" + "a" * 64, "0:" + "a" * 64, "-1:" + "a" * 64, "6:abc"]
)
def test_an_anchor_that_is_not_an_id_and_a_sha256_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"an anchor is ID:HASH \(a 64-digit SHA-256\)"):
        Anchor.parse(text)


def test_a_heads_line_for_entry_0_is_refused(sqlite_store: Engine, tmp_path: Path) -> None:
    log = _log(sqlite_store, tmp_path)
    with (tmp_path / "audit-heads").open("a") as file:
        file.write(f"0 {'a' * 64}\n")
    with pytest.raises(InputError, match="audit-heads:7: not an audit head"):
        log.verify()
