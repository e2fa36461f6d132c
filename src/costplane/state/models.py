"""The state store's tables: what Costplane itself remembers between runs.

The warehouse holds facts about the platform; the state store holds Costplane's
own records (which ingests ran and how they ended, findings, the audit trail, who
ran each recorded restore test). Every change to these tables is an Alembic
migration in `migrations/`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class IngestRun(Base):
    """One load into the warehouse as the user asked for it, successful or not."""

    __tablename__ = "ingest_runs"
    __table_args__ = (Index("ix_ingest_runs_source_scope", "source", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(300))
    table_name: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[dt.datetime] = mapped_column(DateTime)
    period_end: Mapped[dt.datetime] = mapped_column(DateTime)
    load_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    replaced_rows: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SourceRun(Base):
    """One collector run against one target (a cluster, a server, a bucket): when it ran,
    how it ended, and what it could not read. `costplane sources status` reads these."""

    __tablename__ = "source_runs"
    __table_args__ = (Index("ix_source_runs_source_target", "source", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(500))  # masked: never a password
    status: Mapped[str] = mapped_column(String(20))  # ok | partial | failed
    rows: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[str | None] = mapped_column(Text, nullable=True)  # one item a line
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One line of the append-only audit log of applied actions (see costplane.actions.audit).

    An action writes an `intent` entry before it runs and a `result` entry after it,
    pointing back at the intent. Each entry's `hash` is SHA-256 over a canonical JSON
    of its fields and `prev_hash`, the previous entry's hash: editing, removing,
    inserting or reordering entries breaks the chain, which `costplane audit verify`
    recomputes. `id` is given by the writer (the previous id + 1), so a gap shows a
    removed entry, and `prev_hash` is unique, so two writers cannot fork the chain.
    JSON fields are stored as the exact canonical text that was hashed.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    actor: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(10))  # intent | result
    intent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(100))
    api_version: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100))
    namespace: Mapped[str] = mapped_column(String(253))
    name: Mapped[str] = mapped_column(String(253))
    patch: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON, or "delete"
    before: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON
    monthly_amount: Mapped[str] = mapped_column(String(40))  # a decimal, as text
    currency: Mapped[str] = mapped_column(String(3))
    result: Mapped[str] = mapped_column(String(20))  # pending | ok | failed
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Finding(Base):
    """One thing a governance policy found, kept across runs (see costplane.governance.findings).

    `fingerprint` is SHA-256 over the policy id, cluster, kind, namespace and name, so
    the same problem on the same resource is one row however often it is found. A run
    that finds it again updates `last_seen` (and reopens it if it was resolved); a run
    of the same policy that no longer finds it marks it `resolved`. People set
    `acknowledged` (seen, being handled) or `suppressed` until a date, with a reason.
    Money is a decimal as text, like the audit log's.
    """

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_status", "status"),
        Index("ix_findings_policy", "policy"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    policy: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(10))  # low | medium | high | critical
    cluster: Mapped[str | None] = mapped_column(String(253), nullable=True)
    kind: Mapped[str] = mapped_column(String(100))
    namespace: Mapped[str | None] = mapped_column(String(253), nullable=True)
    name: Mapped[str] = mapped_column(String(253))
    tenant: Mapped[str | None] = mapped_column(String(100), nullable=True)
    environment: Mapped[str | None] = mapped_column(String(20), nullable=True)
    monthly_waste: Mapped[str | None] = mapped_column(String(40), nullable=True)  # decimal text
    currency: Mapped[str] = mapped_column(String(3))
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open | acknowledged | suppressed | resolved
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    suppressed_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    suppressed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    suppressed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: name -> decimal


class FindingEvent(Base):
    """One change of a finding's status: who (a person, or `govern` for a run), when, why."""

    __tablename__ = "finding_events"
    __table_args__ = (Index("ix_finding_events_finding", "finding_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    status: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class RestoreTestRecord(Base):
    """A restore test as `costplane record restore-test` recorded it, and who ran it.

    The result itself is a `backup_records` row in the warehouse, where policies read
    it; this row keeps what is Costplane's own: who ran the test (`ran_by`, a column of
    its own, as findings keep `acknowledged_by`), when it was recorded, and the load
    holding the warehouse row. Recording the same tenant, environment and time again
    updates this row, as the load replaces the warehouse row.
    """

    __tablename__ = "restore_tests"
    __table_args__ = (
        UniqueConstraint("tenant", "environment", "tested_at", name="uq_restore_tests_test"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(100))
    environment: Mapped[str] = mapped_column(String(20))
    database: Mapped[str | None] = mapped_column(String(253), nullable=True)
    tested_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    result: Mapped[str] = mapped_column(String(10))  # ok | failed
    evidence_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    backup_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ran_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    load_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class NotificationRecord(Base):
    """What a notification route was told about an event, and how the delivery went.

    One row per route and event key: a delivered key is never sent to that route again;
    a failed one counts its attempts and is tried again on the next run.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("route", "event_key", name="uq_notifications_route_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    route: Mapped[str] = mapped_column(String(100))
    event_key: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # sent | failed
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_tried_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    last_tried_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class BudgetAlert(Base):
    """A budget threshold crossed in a month, by the actual or the forecast: raised once.

    (budget, period, threshold, basis) is unique, so however often `costplane budgets
    status` runs, a crossing is one row and one alert. A forecast that falls back under
    the threshold sets `cleared_at`; crossing again clears it and raises nothing new.
    Money is a decimal as text, like the findings'.
    """

    __tablename__ = "budget_alerts"
    __table_args__ = (
        UniqueConstraint(
            "budget", "period", "threshold_percent", "basis", name="uq_budget_alerts_crossing"
        ),
        Index("ix_budget_alerts_period", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    budget: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    threshold_percent: Mapped[str] = mapped_column(String(20))  # decimal text
    basis: Mapped[str] = mapped_column(String(10))  # actual | forecast
    threshold_amount: Mapped[str] = mapped_column(String(40))  # decimal text
    value: Mapped[str] = mapped_column(String(40))  # the actual or forecast when raised
    currency: Mapped[str] = mapped_column(String(3))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ApiToken(Base):
    """A bearer token of the REST API and dashboard (see costplane.service.tokens).

    Only the SHA-256 of the token's secret is kept: the secret is shown once, when the
    token is made, and cannot be read back. `id` is public (it is part of the token's text
    and what `token revoke` takes); a revoked token keeps its row, so `token list` shows
    who had access until when.
    """

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))  # hex
    role: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str | None] = mapped_column(String(100), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
