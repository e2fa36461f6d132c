"""The audit log of applied actions, in the state store: written before and after each one.

`record_intent` is called before an action touches anything, `record_result`
after, so a run that dies halfway still shows what it was about to do. Entries
are only ever added; `verify` recomputes the chain (see `audit_chain`). With a
`HeadsFile`, each entry's id and hash are also noted outside the database once it is
committed, so that `verify` can prove where the log ends (see `audit_heads`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from costplane.actions.audit_chain import (
    GENESIS,
    Anchor,
    Verification,
    canonical_json,
    entry_hash,
    verify_chain,
)
from costplane.actions.audit_heads import HeadsFile
from costplane.actions.change import DELETE, Change
from costplane.errors import ExecutionError
from costplane.state import AuditEntry, open_session

ACTOR_VARIABLE = "COSTPLANE_ACTOR"
_APPEND_ATTEMPTS = 5
_POSTGRES_LOCK_KEY = 0x436F73744175  # "CostAu": the audit log's advisory lock


def current_actor(by: str | None = None) -> str:
    """Who acts: `--by`, else $COSTPLANE_ACTOR (a CI job sets it), else the login name."""
    if by:
        return by
    if os.environ.get(ACTOR_VARIABLE):
        return os.environ[ACTOR_VARIABLE]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


DECISION_API_VERSION = "costplane/v1"
"""The `api_version` of a decision's entry: the object is Costplane's finding, not Kubernetes'."""


@dataclass(frozen=True)
class Decision:
    """What a person decided about a finding, as the audit log records it."""

    action: str
    """acknowledge or suppress"""
    name: str
    """The finding's id."""
    namespace: str | None
    detail: str
    monthly_amount: Decimal
    currency: str
    after: Mapping[str, Any]
    """The finding's status fields once decided."""


class AuditLog:
    """Appending to and reading the audit log of one state store."""

    def __init__(self, engine: Engine, heads: HeadsFile | None = None) -> None:
        self.engine = engine
        self.heads = heads

    def record_intent(self, change: Change, actor: str) -> int:
        """Write what is about to happen; returns the entry's id."""
        return self._append(
            _fields(change, actor, phase="intent", result="pending", detail=change.summary)
        )

    def record_result(
        self,
        intent_id: int,
        change: Change,
        actor: str,
        *,
        ok: bool,
        detail: str,
        observed: Mapping[str, Any] | None = None,
    ) -> int:
        """Write how it ended; `observed` is what the server holds now in the changed fields."""
        fields = _fields(
            change, actor, phase="result", result="ok" if ok else "failed", detail=detail
        )
        fields.update(intent_id=intent_id, before=None, after=_json(observed))
        return self._append(fields)

    def record_decision(self, decision: Decision, actor: str) -> int:
        """Write a person's decision on a finding (acknowledged, suppressed): one entry,
        phase `decision`, nothing applied and nothing pending."""
        return self._append(
            {
                "actor": actor,
                "phase": "decision",
                "intent_id": None,
                "action": decision.action,
                "api_version": DECISION_API_VERSION,
                "kind": "Finding",
                "namespace": decision.namespace or "",
                "name": decision.name,
                "patch": None,
                "before": None,
                "after": _json(decision.after),
                "monthly_amount": format(decision.monthly_amount, "f"),
                "currency": decision.currency,
                "result": "ok",
                "detail": decision.detail,
            }
        )

    def entries(self, *, limit: int | None = None) -> list[AuditEntry]:
        """The newest entries first (all of them without a limit)."""
        with open_session(self.engine) as session:
            query = select(AuditEntry).order_by(AuditEntry.id.desc())
            if limit is not None:
                query = query.limit(limit)
            found = list(session.scalars(query))
            session.expunge_all()
            return found

    def verify(self, anchors: Sequence[Anchor] = ()) -> Verification:
        """The chain recomputed, and checked against the noted heads and `anchors`."""
        noted = self.heads.noted() if self.heads is not None else None
        return verify_chain(self.entries(), anchors, noted)

    def _append(self, fields: dict[str, Any]) -> int:
        """Add one entry after the current head, then note it outside the database
        (after the commit: a crash in between leaves it unconfirmed, not missing)."""
        entry_id, digest = self._commit(fields)
        if self.heads is not None:
            self.heads.note(entry_id, digest)
        return entry_id

    def _commit(self, fields: dict[str, Any]) -> tuple[int, str]:
        """One entry in one transaction; a concurrent writer makes this one retry."""
        for _attempt in range(_APPEND_ATTEMPTS):
            try:
                with open_session(self.engine) as session, session.begin():
                    _one_writer(session)
                    head = session.scalars(
                        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
                    ).first()
                    entry = AuditEntry(
                        id=head.id + 1 if head else 1,
                        prev_hash=head.hash if head else GENESIS,
                        recorded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                        **fields,
                    )
                    entry.hash = entry_hash(entry)
                    session.add(entry)
                    return entry.id, entry.hash  # once the block has committed
            except IntegrityError:
                continue  # another writer took this place in the chain: chain after it
        raise ExecutionError("could not append to the audit log: too many concurrent writers")


def _one_writer(session: Session) -> None:
    """Take the log's write lock before reading its head, so writers queue instead of racing
    (the unique prev_hash would refuse a fork anyway, at the cost of a retry)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # an advisory lock needs no table privilege
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_POSTGRES_LOCK_KEY})")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite: the database's write lock now


def _fields(change: Change, actor: str, *, phase: str, result: str, detail: str) -> dict[str, Any]:
    merge_patch = change.merge_patch
    patch = (
        _json(merge_patch) if merge_patch is not None else (DELETE if change.is_delete else None)
    )
    return {
        "actor": actor,
        "phase": phase,
        "intent_id": None,
        "action": change.action,
        "api_version": change.api_version,
        "kind": change.kind,
        "namespace": change.namespace,
        "name": change.name,
        "patch": patch,
        "before": _json(change.before),
        "after": _json(change.after),
        "monthly_amount": format(change.monthly_amount, "f"),
        "currency": change.currency,
        "result": result,
        "detail": detail,
    }


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else canonical_json(value)
