"""Findings in the state store: a stable fingerprint, first and last seen, and the lifecycle
open -> acknowledged / suppressed until a date -> resolved -> reopened, on SQLite and on the
running PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from costplane.errors import InputError
from costplane.governance import Severity
from costplane.governance.findings import Finding, Status, at_or_above, fingerprint
from costplane.governance.findings_store import (
    acknowledge,
    get_finding,
    list_findings,
    page_of_findings,
    record_run,
    suppress,
)
from costplane.governance.inventory.resources import ResourceRef
from costplane.state import state_engine, upgrade

MONDAY = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

WEB = ResourceRef("Deployment", "web", "acme-prod", "c1", "acme", "production")
IDLE = ResourceRef("Namespace", "acme-dev", None, "c1", "acme", "development")
SNAP = ResourceRef("VolumeSnapshot", "daily", "acme-prod", "c1", "acme", "production")


def finding(
    policy: str, ref: ResourceRef, waste: str | None = "0", severity: str = "medium"
) -> Finding:
    return Finding(
        policy=policy,
        severity=Severity(severity),
        resource=ref,
        tenant=ref.tenant,
        environment=ref.environment,
        monthly_waste=Decimal(waste) if waste is not None else None,
        currency="EUR",
        message=f"{policy} found",
        fix="fix it",
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    created = state_engine(url)
    upgrade(created)
    yield created
    created.dispose()


def test_the_fingerprint_is_stable_and_names_the_resource() -> None:
    same = ResourceRef("Deployment", "web", "acme-prod", "c1", tenant="someone-else")
    assert fingerprint("requests-oversized", WEB) == fingerprint("requests-oversized", same)
    assert len(fingerprint("requests-oversized", WEB)) == 64
    others = {
        fingerprint("image-tag-mutable", WEB),
        fingerprint("requests-oversized", WEB._replace(cluster="c2")),
        fingerprint("requests-oversized", WEB._replace(namespace="acme-dev")),
        fingerprint("requests-oversized", WEB._replace(kind="StatefulSet")),
        fingerprint("requests-oversized", WEB._replace(name="cron")),
    }
    assert fingerprint("requests-oversized", WEB) not in others
    assert len(others) == 5


def test_a_new_finding_is_open_and_seen_again_keeps_its_first_date(engine: Engine) -> None:
    first = [finding("requests-oversized", WEB, "24.204")]
    stored, record = record_run(engine, first, ["requests-oversized"], MONDAY)
    assert [f.status for f in stored] == [Status.OPEN]
    assert (record.new, record.seen_again) == (1, 0)
    _again, record = record_run(
        engine, [finding("requests-oversized", WEB, "30")], ["requests-oversized"], MONDAY + DAY
    )
    assert (record.new, record.seen_again) == (0, 1)
    [kept] = list_findings(engine, today=MONDAY.date())
    assert kept.first_seen == MONDAY.replace(tzinfo=None)
    assert kept.last_seen == (MONDAY + DAY).replace(tzinfo=None)
    assert kept.monthly_waste == Decimal("30.00")  # the latest run's money, to the cent
    assert kept.fingerprint == first[0].fingerprint
    assert (kept.namespace, kept.name, kept.cluster) == ("acme-prod", "web", "c1")


def test_an_unknown_amount_is_kept_unknown_and_listed_after_known_ones(engine: Engine) -> None:
    found = [
        finding("database-over-band", IDLE, None),  # sorts first by name
        finding("image-tag-mutable", WEB, "0"),
        finding("snapshot-stale", SNAP, "2"),
    ]
    record_run(engine, found, [f.policy for f in found], MONDAY)
    listed = list_findings(engine, today=MONDAY.date())
    assert [(f.policy, f.monthly_waste) for f in listed] == [
        ("snapshot-stale", Decimal("2.00")),
        ("image-tag-mutable", Decimal("0.00")),
        ("database-over-band", None),
    ]


def test_not_found_again_is_resolved_and_found_again_is_reopened(engine: Engine) -> None:
    record_run(engine, [finding("nonprod-idle", IDLE, "4.37")], ["nonprod-idle"], MONDAY)
    _, record = record_run(engine, [], ["nonprod-idle"], MONDAY + DAY)
    assert record.resolved == 1
    [resolved] = list_findings(engine, statuses=[Status.RESOLVED])
    assert resolved.resolved_at == (MONDAY + DAY).replace(tzinfo=None)
    assert list_findings(engine) == list_findings(engine, statuses=[Status.RESOLVED])
    stored, record = record_run(
        engine, [finding("nonprod-idle", IDLE, "4.37")], ["nonprod-idle"], MONDAY + 2 * DAY
    )
    assert record.reopened == 1
    assert stored[0].status is Status.OPEN
    [again] = list_findings(engine, statuses=[Status.OPEN])
    assert again.resolved_at is None
    assert again.first_seen == MONDAY.replace(tzinfo=None)


def test_a_skipped_policy_leaves_its_findings_alone(engine: Engine) -> None:
    record_run(engine, [finding("nonprod-idle", IDLE)], ["nonprod-idle"], MONDAY)
    _, record = record_run(engine, [], ["image-tag-mutable"], MONDAY + DAY)
    assert record.resolved == 0
    assert [f.status for f in list_findings(engine)] == [Status.OPEN]


def test_acknowledged_stays_acknowledged_and_still_fails_a_check(engine: Engine) -> None:
    stored, _ = record_run(
        engine, [finding("snapshot-stale", SNAP, severity="high")], ["snapshot-stale"], MONDAY
    )
    acked = acknowledge(engine, stored[0].fingerprint[:10], "ana", MONDAY)
    assert (acked.status, acked.acknowledged_by) == (Status.ACKNOWLEDGED, "ana")
    stored, _ = record_run(
        engine, [finding("snapshot-stale", SNAP, severity="high")], ["snapshot-stale"], MONDAY + DAY
    )
    assert stored[0].status is Status.ACKNOWLEDGED
    assert at_or_above(stored, Severity.HIGH) == stored
    assert at_or_above(stored, Severity.CRITICAL) == []


def test_suppressed_until_a_date_then_open_again(engine: Engine) -> None:
    stored, _ = record_run(
        engine, [finding("snapshot-stale", SNAP, severity="high")], ["snapshot-stale"], MONDAY
    )
    until = (MONDAY + 3 * DAY).date()
    hidden = suppress(
        engine,
        str(get_finding(engine, stored[0].fingerprint).id),
        until,
        " migration ",
        "bo",
        MONDAY,
    )
    assert (hidden.status, hidden.suppressed_reason, hidden.suppressed_by) == (
        Status.SUPPRESSED,
        "migration",
        "bo",
    )
    assert list_findings(engine, statuses=[Status.OPEN], today=MONDAY.date()) == []
    stored, _ = record_run(
        engine,
        [finding("snapshot-stale", SNAP, severity="high")],
        ["snapshot-stale"],
        MONDAY + 3 * DAY,
    )
    assert stored[0].status is Status.SUPPRESSED  # the last day still counts
    assert at_or_above(stored, Severity.LOW) == []
    [shown] = list_findings(engine, today=(MONDAY + 4 * DAY).date())
    assert shown.status is Status.OPEN  # expired, even before the next run
    stored, _ = record_run(
        engine,
        [finding("snapshot-stale", SNAP, severity="high")],
        ["snapshot-stale"],
        MONDAY + 4 * DAY,
    )
    assert stored[0].status is Status.OPEN


def test_bad_references_and_dates_are_input_errors(engine: Engine) -> None:
    stored, _ = record_run(engine, [finding("nonprod-idle", IDLE)], ["nonprod-idle"], MONDAY)
    with pytest.raises(InputError, match="at least 6 characters"):
        get_finding(engine, "ab")
    with pytest.raises(InputError, match="no finding"):
        get_finding(engine, "ffffffffff")
    with pytest.raises(InputError, match="in the past"):
        suppress(engine, stored[0].fingerprint, (MONDAY - DAY).date(), "why", "me", MONDAY)
    with pytest.raises(InputError, match="--reason"):
        suppress(engine, stored[0].fingerprint, MONDAY.date(), "  ", "me", MONDAY)
    record_run(engine, [], ["nonprod-idle"], MONDAY + DAY)
    with pytest.raises(InputError, match="resolved"):
        acknowledge(engine, stored[0].fingerprint, "me", MONDAY + DAY)


def test_listing_filters_and_orders_by_money(engine: Engine) -> None:
    record_run(
        engine,
        [
            finding("snapshot-stale", SNAP, "0.26"),
            finding("requests-oversized", WEB, "24.20"),
            finding("nonprod-idle", IDLE, "4.37"),
        ],
        ["snapshot-stale", "requests-oversized", "nonprod-idle"],
        MONDAY,
    )
    assert [f.policy for f in list_findings(engine)] == [
        "requests-oversized",
        "nonprod-idle",
        "snapshot-stale",
    ]
    assert [f.name for f in list_findings(engine, policy="nonprod-idle")] == ["acme-dev"]
    assert list_findings(engine, tenant="bolt") == []


def test_pages_are_the_list_in_slices_with_status_as_of_the_day(engine: Engine) -> None:
    cron = WEB._replace(name="cron")
    record_run(
        engine,
        [
            finding("requests-oversized", WEB, "9.5", severity="high"),
            finding("requests-oversized", cron, "10"),  # 10 before 9.5: money, not text
            finding("database-over-band", IDLE, None),
            finding("snapshot-stale", SNAP, "2"),
            finding("image-tag-mutable", WEB, "2"),  # same money: by policy
        ],
        ["requests-oversized", "database-over-band", "snapshot-stale", "image-tag-mutable"],
        MONDAY,
    )
    snap = next(f for f in list_findings(engine) if f.policy == "snapshot-stale")
    suppress(engine, str(snap.id), (MONDAY + DAY).date(), "migration", "bo", MONDAY)
    expected = [
        ("cron", "requests-oversized"),
        ("web", "requests-oversized"),
        ("web", "image-tag-mutable"),
        ("daily", "snapshot-stale"),
        ("acme-dev", "database-over-band"),
    ]

    def pages(day: dt.date, size: int, **filters: object) -> tuple[list[tuple[str, str]], int]:
        shown, totals = [], set()
        for offset in range(0, 6, size):
            page = page_of_findings(
                engine,
                limit=size,
                offset=offset,
                today=day,
                **filters,  # type: ignore[arg-type]
            )
            shown += [(f.name, f.policy) for f in page.items]
            totals.add(page.total)
        [total] = totals
        return shown, total

    hidden = [key for key in expected if key[1] != "snapshot-stale"]
    assert pages(MONDAY.date(), 2, statuses=[Status.OPEN]) == (hidden, 4)
    suppressed = pages(MONDAY.date(), 4, statuses=[Status.SUPPRESSED])
    assert suppressed == ([("daily", "snapshot-stale")], 1)
    later = (MONDAY + 2 * DAY).date()  # the suppression ended: open again
    assert pages(later, 2, statuses=[Status.OPEN]) == (expected, 5)
    assert pages(later, 3) == (expected, 5)
    assert pages(later, 3, severity="high") == ([("web", "requests-oversized")], 1)
    assert pages(later, 3, tenant="bolt") == ([], 0)
    assert [(f.name, f.policy) for f in list_findings(engine, today=later)] == expected
    [only] = page_of_findings(engine, limit=1, offset=3, today=later).items
    assert (only.status, only.monthly_waste, only.suppressed_by) == (
        Status.OPEN,
        Decimal("2.00"),
        "bo",
    )
