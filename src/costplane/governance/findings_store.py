"""Findings kept in the state store, and their lifecycle.

    open ──ack──▶ acknowledged          (seen; someone is on it)
      │  └─suppress──▶ suppressed       (until a date, with a reason and who decided)
      └──(a run of its policy no longer finds it)──▶ resolved ──(found again)──▶ open

A run records what it found: a new finding is `open`; one found again keeps its
status and first-seen date and gets a new last-seen date, except that a resolved
one is reopened and one whose suppression has expired is open again. Findings of
the policies that ran but were not found are `resolved`; those of policies that
were skipped (a fact no source provides) are left as they were.

Every change of status is kept in `finding_events`, with who made it (a person, or
`govern` for a run) and why, so `findings show` can tell the finding's history; each
run also keeps the values the finding's money was computed from (its evidence).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, Engine, case, select
from sqlalchemy.orm import Session

from costplane.errors import InputError, NotFoundError
from costplane.governance.findings import Finding, Status, evidence_json
from costplane.state import Finding as FindingRow
from costplane.state import FindingEvent, open_session

RUN = "govern"
"""Who changes a status when a run does (found, resolved, reopened)."""


@dataclass(frozen=True)
class RunRecord:
    """What a run changed: new, reopened and resolved fingerprints."""

    new: int
    seen_again: int
    reopened: int
    resolved: int


def record_run(
    engine: Engine, findings: Sequence[Finding], ran: Iterable[str], now: dt.datetime
) -> tuple[list[Finding], RunRecord]:
    """Store a run's findings; returns them with their statuses, and what changed.

    `ran` names the policies that were evaluated (not skipped); `now` is when (UTC).
    """
    moment = _naive(now)
    ran = set(ran)
    by_print = {finding.fingerprint: finding for finding in findings}
    new = seen = reopened = resolved = 0
    statuses: dict[str, tuple[Status, dt.date | None]] = {}
    events: list[tuple[FindingRow, Status, str]] = []
    with open_session(engine) as session, session.begin():
        rows = {
            row.fingerprint: row
            for row in session.scalars(
                select(FindingRow).where(
                    FindingRow.fingerprint.in_(list(by_print))
                    | (FindingRow.policy.in_(sorted(ran)) & (FindingRow.status != Status.RESOLVED))
                )
            )
        }
        for key, finding in by_print.items():
            row = rows.get(key)
            if row is None:
                row = _new_row(finding, moment)
                session.add(row)
                events.append((row, Status.OPEN, "found"))
                statuses[key] = (Status.OPEN, None)
                new += 1
                continue
            seen += 1
            if row.status == Status.RESOLVED:
                reopened += 1
            was = row.status
            _refresh(row, finding, moment)
            if row.status != was:
                why = "found again" if was == Status.RESOLVED else "its suppression ended"
                events.append((row, Status(row.status), why))
            statuses[key] = (Status(row.status), row.suppressed_until)
        for key, row in rows.items():
            if key not in by_print and row.policy in ran and row.status != Status.RESOLVED:
                row.status = Status.RESOLVED
                row.resolved_at = moment
                events.append((row, Status.RESOLVED, "no longer found"))
                resolved += 1
        session.flush()  # new rows get their ids
        session.add_all(
            FindingEvent(finding_id=row.id, at=moment, status=status.value, by=RUN, reason=why)
            for row, status, why in events
        )
    stored = [finding.with_status(*statuses[finding.fingerprint]) for finding in findings]
    return stored, RunRecord(new, seen, reopened, resolved)


def _new_row(finding: Finding, moment: dt.datetime) -> FindingRow:
    row = FindingRow(
        fingerprint=finding.fingerprint,
        cluster=finding.resource.cluster,
        kind=finding.resource.kind,
        namespace=finding.resource.namespace,
        name=finding.resource.name,
        status=Status.OPEN.value,
        first_seen=moment,
    )
    _describe(row, finding, moment)
    return row


def _refresh(row: FindingRow, finding: Finding, moment: dt.datetime) -> None:
    _describe(row, finding, moment)
    expired = row.suppressed_until is not None and row.suppressed_until < moment.date()
    if row.status == Status.RESOLVED or (row.status == Status.SUPPRESSED and expired):
        row.status = Status.OPEN.value
        row.resolved_at = None


def _describe(row: FindingRow, finding: Finding, moment: dt.datetime) -> None:
    waste = finding.rounded_waste
    row.policy = finding.policy
    row.severity = finding.severity.value
    row.tenant = finding.tenant
    row.environment = finding.environment
    row.monthly_waste = format(waste, "f") if waste is not None else None
    row.currency = finding.currency
    row.message = finding.message
    row.fix = finding.fix
    row.evidence = json.dumps(evidence_json(finding.evidence)) if finding.evidence else None
    row.last_seen = moment


@dataclass(frozen=True)
class StatusChange:
    """One entry of a finding's history."""

    at: dt.datetime
    status: str
    by: str
    reason: str | None


@dataclass(frozen=True)
class StoredFinding:
    """A finding as the state store has it, status as of `today`."""

    id: int
    fingerprint: str
    policy: str
    severity: str
    cluster: str | None
    kind: str
    namespace: str | None
    name: str
    tenant: str | None
    environment: str | None
    monthly_waste: Decimal | None
    currency: str
    message: str
    fix: str
    status: Status
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    suppressed_until: dt.date | None
    suppressed_reason: str | None
    suppressed_by: str | None
    evidence: Mapping[str, str | None] = field(default_factory=dict)
    history: tuple[StatusChange, ...] = ()

    @classmethod
    def of(
        cls, row: FindingRow, today: dt.date, history: Sequence[FindingEvent] = ()
    ) -> StoredFinding:
        status = Status(row.status)
        if status is Status.SUPPRESSED and row.suppressed_until and row.suppressed_until < today:
            status = Status.OPEN  # the suppression has expired
        return cls(
            id=row.id,
            fingerprint=row.fingerprint,
            policy=row.policy,
            severity=row.severity,
            cluster=row.cluster,
            kind=row.kind,
            namespace=row.namespace,
            name=row.name,
            tenant=row.tenant,
            environment=row.environment,
            monthly_waste=Decimal(row.monthly_waste) if row.monthly_waste is not None else None,
            currency=row.currency,
            message=row.message,
            fix=row.fix,
            status=status,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            resolved_at=row.resolved_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            suppressed_until=row.suppressed_until,
            suppressed_reason=row.suppressed_reason,
            suppressed_by=row.suppressed_by,
            evidence=json.loads(row.evidence) if row.evidence else {},
            history=tuple(StatusChange(e.at, e.status, e.by, e.reason) for e in history),
        )


def list_findings(
    engine: Engine,
    *,
    statuses: Iterable[Status] | None = None,
    policy: str | None = None,
    tenant: str | None = None,
    severity: str | None = None,
    today: dt.date | None = None,
) -> list[StoredFinding]:
    """Stored findings, most money first; `statuses` filters by status as of `today`."""
    day = today or dt.datetime.now(dt.UTC).date()
    query = select(FindingRow).where(*_filters(statuses, policy, tenant, severity, day))
    with open_session(engine) as session:
        found = [StoredFinding.of(row, day) for row in session.scalars(query)]
    return sorted(found, key=lambda f: _money_first(f.monthly_waste, f.policy, f.id))


@dataclass(frozen=True)
class FindingsPage:
    """One page of stored findings (most money first) and how many there are in all."""

    items: list[StoredFinding]
    total: int


def page_of_findings(
    engine: Engine,
    *,
    limit: int,
    offset: int = 0,
    statuses: Iterable[Status] | None = None,
    policy: str | None = None,
    tenant: str | None = None,
    severity: str | None = None,
    today: dt.date | None = None,
) -> FindingsPage:
    """The page `list_findings` would give from `offset`, without loading every finding.

    The filters run in SQL; only each finding's id, policy and money are read to order
    them (money is decimal text: ordered here as Decimal, exactly, on every engine), and
    only the page's rows are read in full.
    """
    day = today or dt.datetime.now(dt.UTC).date()
    where = _filters(statuses, policy, tenant, severity, day)
    keys = select(FindingRow.id, FindingRow.policy, FindingRow.monthly_waste).where(*where)
    with open_session(engine) as session:
        ordered = sorted(
            session.execute(keys),
            key=lambda k: _money_first(None if k[2] is None else Decimal(k[2]), k[1], k[0]),
        )
        ids = [key[0] for key in ordered[offset : offset + limit]]
        rows = {
            row.id: row for row in session.scalars(select(FindingRow).where(FindingRow.id.in_(ids)))
        }
        items = [StoredFinding.of(rows[i], day) for i in ids]
    return FindingsPage(items, len(ordered))


def _money_first(waste: Decimal | None, policy: str, id_: int) -> tuple[bool, Decimal, str, int]:
    """Most money first, findings without money last, then by policy and id."""
    return (waste is None, -(waste or Decimal(0)), policy, id_)


def _filters(
    statuses: Iterable[Status] | None,
    policy: str | None,
    tenant: str | None,
    severity: str | None,
    day: dt.date,
) -> list[ColumnElement[bool]]:
    """SQL conditions for the filters; a status is the one `StoredFinding.of` gives as of `day`
    (a suppression that ended before `day` is open again)."""
    where: list[ColumnElement[bool]] = []
    if statuses is not None:
        expired = (FindingRow.status == Status.SUPPRESSED.value) & (
            FindingRow.suppressed_until < day
        )
        status_today = case((expired, Status.OPEN.value), else_=FindingRow.status)
        where.append(status_today.in_(sorted({s.value for s in statuses})))
    if policy is not None:
        where.append(FindingRow.policy == policy)
    if tenant is not None:
        where.append(FindingRow.tenant == tenant)
    if severity is not None:
        where.append(FindingRow.severity == severity)
    return where


def get_finding(engine: Engine, reference: str, today: dt.date | None = None) -> StoredFinding:
    """A finding by its id or a unique prefix of its fingerprint (InputError otherwise)."""
    day = today or dt.datetime.now(dt.UTC).date()
    with open_session(engine) as session:
        row = _row(session, reference)
        return StoredFinding.of(row, day, _history(session, row))


def _history(session: Session, row: FindingRow) -> list[FindingEvent]:
    query = select(FindingEvent).where(FindingEvent.finding_id == row.id)
    return list(session.scalars(query.order_by(FindingEvent.at, FindingEvent.id)))


def _event(
    session: Session, row: FindingRow, status: Status, by: str, moment: dt.datetime, why: str | None
) -> None:
    session.add(FindingEvent(finding_id=row.id, at=moment, status=status.value, by=by, reason=why))
    session.flush()


def acknowledge(engine: Engine, reference: str, by: str, now: dt.datetime) -> StoredFinding:
    """Mark a finding as seen and handled by someone."""
    moment = _naive(now)
    with open_session(engine) as session, session.begin():
        row = _row(session, reference)
        if row.status == Status.RESOLVED:
            raise InputError(f"finding {reference} is resolved: nothing to acknowledge")
        row.status = Status.ACKNOWLEDGED.value
        row.acknowledged_at = moment
        row.acknowledged_by = by
        _event(session, row, Status.ACKNOWLEDGED, by, moment, None)
        return StoredFinding.of(row, moment.date(), _history(session, row))


def suppress(
    engine: Engine, reference: str, until: dt.date, reason: str, by: str, now: dt.datetime
) -> StoredFinding:
    """Hide a finding until `until` (inclusive), saying why and who decided."""
    moment = _naive(now)
    if until < moment.date():
        raise InputError(f"--until {until} is in the past")
    if not reason.strip():
        raise InputError("--reason must say why the finding is suppressed")
    with open_session(engine) as session, session.begin():
        row = _row(session, reference)
        row.status = Status.SUPPRESSED.value
        row.suppressed_until = until
        row.suppressed_reason = reason.strip()
        row.suppressed_by = by
        _event(session, row, Status.SUPPRESSED, by, moment, f"until {until}: {reason.strip()}")
        return StoredFinding.of(row, moment.date(), _history(session, row))


def _row(session: Session, reference: str) -> FindingRow:
    text = reference.strip().lower()
    if text.isascii() and text.isdigit() and int(text) < 2**63:  # ids are SQL integers
        row = session.get(FindingRow, int(text))
        if row is not None:
            return row
    if len(text) < 6:
        raise NotFoundError(
            f"no finding {reference!r}: give its id or at least 6 characters of its fingerprint"
        )
    rows = list(
        session.scalars(select(FindingRow).where(FindingRow.fingerprint.startswith(text)).limit(2))
    )
    if not rows:
        raise NotFoundError(f"no finding {reference!r} (costplane findings list shows them)")
    if len(rows) > 1:
        raise InputError(f"{reference!r} is the start of several fingerprints: give more of it")
    return rows[0]


@dataclass(frozen=True)
class Resolution:
    """A finding a run no longer found (it was fixed), when, and the waste it had."""

    at: dt.datetime
    finding_id: int
    policy: str
    tenant: str | None
    name: str
    monthly_waste: Decimal | None


def resolutions(engine: Engine, start: dt.datetime, end: dt.datetime) -> list[Resolution]:
    """The findings resolved in [start, end) (naive UTC), from the findings' events: a
    finding resolved, found again and resolved again counts each time; oldest first."""
    query = (
        select(FindingEvent, FindingRow)
        .join(FindingRow, FindingRow.id == FindingEvent.finding_id)
        .where(
            FindingEvent.status == Status.RESOLVED.value,
            FindingEvent.at >= _naive(start),
            FindingEvent.at < _naive(end),
        )
        .order_by(FindingEvent.at, FindingEvent.id)
    )
    with open_session(engine) as session:
        return [
            Resolution(
                at=event.at,
                finding_id=row.id,
                policy=row.policy,
                tenant=row.tenant,
                name=row.name,
                monthly_waste=Decimal(row.monthly_waste) if row.monthly_waste else None,
            )
            for event, row in session.execute(query)
        ]


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
