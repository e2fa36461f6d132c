"""Sleep schedules: across midnight, over weekends, in other zones and through DST changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from costplane.actions import is_asleep, last_transition, next_transition
from costplane.actions.timetable import due_namespaces
from costplane.catalog import EnvironmentKind, SleepSchedule, load_catalog
from costplane_fleet.calendar import awake_hours

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WORKDAYS = ["mon", "tue", "wed", "thu", "fri"]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"


def schedule(
    sleep_at: str = "20:00",
    wake_at: str = "07:00",
    weekdays: list[str] | None = None,
    zone: str = "Europe/Berlin",
) -> SleepSchedule:
    return SleepSchedule.model_validate(
        {
            "weekdays": weekdays or WORKDAYS,
            "sleep_at": sleep_at,
            "wake_at": wake_at,
            "time_zone": zone,
        }
    )


def local(text: str, zone: ZoneInfo = BERLIN) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("moment", "asleep"),
    [
        ("2026-01-06 12:00", False),  # Tuesday noon
        ("2026-01-06 19:59", False),
        ("2026-01-06 20:00", True),  # the sleep itself
        ("2026-01-06 23:30", True),
        ("2026-01-07 02:00", True),  # after midnight, still the Tuesday night
        ("2026-01-07 06:59", True),
        ("2026-01-07 07:00", False),  # woken on the next listed weekday
        ("2026-01-09 20:00", True),  # Friday evening
        ("2026-01-10 12:00", True),  # Saturday: no wake-up on unlisted days
        ("2026-01-11 23:00", True),  # Sunday night
        ("2026-01-12 06:59", True),  # Monday before the wake-up
        ("2026-01-12 07:00", False),
    ],
)
def test_a_workday_schedule_sleeps_nights_and_the_whole_weekend(moment: str, asleep: bool) -> None:
    assert is_asleep(schedule(), local(moment)) is asleep


def test_the_answer_does_not_depend_on_the_zone_now_is_given_in() -> None:
    tuesday_night = local("2026-01-06 23:30")
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        assert is_asleep(schedule(), tuesday_night.astimezone(ZoneInfo(zone)))
    assert is_asleep(schedule(), dt.datetime(2026, 1, 6, 22, 30))  # naive is UTC: 23:30 Berlin


def test_a_schedule_inside_one_day_sleeps_only_between_its_times() -> None:
    nightly = schedule("01:00", "06:00", weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    assert not is_asleep(nightly, local("2026-01-06 00:30"))
    assert is_asleep(nightly, local("2026-01-06 01:00"))
    assert is_asleep(nightly, local("2026-01-06 05:59"))
    assert not is_asleep(nightly, local("2026-01-06 06:00"))
    assert not is_asleep(nightly, local("2026-01-06 23:00"))


def test_a_sunday_only_workload_is_awake_on_sundays_only() -> None:
    sundays = schedule("20:00", "08:00", weekdays=["sun"])  # kube-green issue #300's case
    assert not is_asleep(sundays, local("2026-01-11 10:00"))
    assert is_asleep(sundays, local("2026-01-11 21:00"))
    assert is_asleep(sundays, local("2026-01-14 10:00"))  # Wednesday
    assert is_asleep(sundays, local("2026-01-17 10:00"))  # Saturday


def test_a_schedule_in_new_york_crosses_the_utc_date_line() -> None:
    evenings = schedule("19:00", "08:00", zone="America/New_York")
    friday_evening = dt.datetime(2026, 1, 10, 0, 30, tzinfo=dt.UTC)  # Fri 19:30 EST
    assert is_asleep(evenings, friday_evening)
    assert is_asleep(evenings, local("2026-01-12 07:30", NEW_YORK))
    assert not is_asleep(evenings, dt.datetime(2026, 1, 12, 13, 30, tzinfo=dt.UTC))  # 08:30 EST


def test_wake_up_follows_local_time_across_the_spring_clock_change() -> None:
    workdays = schedule()
    # 05:30 UTC is 06:30 in winter (asleep) and 07:30 once summer time started (awake)
    assert is_asleep(workdays, dt.datetime(2026, 3, 23, 5, 30, tzinfo=dt.UTC))
    assert not is_asleep(workdays, dt.datetime(2026, 3, 30, 5, 30, tzinfo=dt.UTC))
    wake = last_transition(workdays, dt.datetime(2026, 3, 30, 5, 30, tzinfo=dt.UTC))
    assert wake.event == "wake"
    assert wake.at == dt.datetime(2026, 3, 30, 5, 0, tzinfo=dt.UTC)


def test_a_sleep_in_the_skipped_hour_happens_when_the_clocks_jump() -> None:
    every_day = schedule(
        "02:30", "07:00", weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    )
    # 29 March 2026: Berlin jumps from 02:00 CET to 03:00 CEST at 01:00 UTC; 02:30 never happens
    assert not is_asleep(every_day, dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC))
    assert is_asleep(every_day, dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC))
    sleep = last_transition(every_day, dt.datetime(2026, 3, 29, 3, 0, tzinfo=dt.UTC))
    assert sleep == last_transition(every_day, dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC))
    assert (sleep.event, sleep.at) == ("sleep", dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC))


def test_a_time_that_happens_twice_in_autumn_counts_once_at_its_first_occurrence() -> None:
    every_day = schedule(
        "02:30", "07:00", weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    )
    # 25 October 2026: 02:30 is at 00:30 UTC (CEST) and again at 01:30 UTC (CET)
    assert not is_asleep(every_day, dt.datetime(2026, 10, 25, 0, 15, tzinfo=dt.UTC))
    assert is_asleep(every_day, dt.datetime(2026, 10, 25, 0, 45, tzinfo=dt.UTC))
    later = last_transition(every_day, dt.datetime(2026, 10, 25, 1, 45, tzinfo=dt.UTC))
    assert later.at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    wake = next_transition(every_day, dt.datetime(2026, 10, 25, 1, 45, tzinfo=dt.UTC))
    assert (wake.event, wake.at) == ("wake", dt.datetime(2026, 10, 25, 6, 0, tzinfo=dt.UTC))


def test_next_transition_after_friday_evening_is_monday_morning() -> None:
    friday_night = local("2026-01-09 22:00")
    upcoming = next_transition(schedule(), friday_night)
    assert upcoming.event == "wake"
    assert upcoming.at.astimezone(BERLIN) == local("2026-01-12 07:00")


def test_every_hour_of_a_spring_agrees_with_the_fleet_generators_calendar() -> None:
    """Two implementations of the same rule (the fleet plants usage only when awake)."""
    start = dt.datetime(2026, 3, 1)
    hours = 24 * 61  # March and April: a clock change and several weekends
    for sched in (schedule(), schedule("21:00", "06:00", zone="America/New_York")):
        awake = awake_hours(sched, start, hours)
        for hour in range(hours):
            moment = (start + dt.timedelta(hours=hour, minutes=30)).replace(tzinfo=dt.UTC)
            assert is_asleep(sched, moment) is not bool(awake[hour]), moment


def test_the_catalog_says_which_namespaces_are_due_now() -> None:
    catalog = load_catalog(EXAMPLE)
    friday_sleep = local("2026-01-09 20:05")
    due = due_namespaces(catalog, friday_sleep)
    assert due, "the example catalog has non-production environments with a schedule"
    assert all(d.event == "sleep" for d in due)
    assert all(d.environment is not EnvironmentKind.PRODUCTION for d in due)
    assert not any(d.namespace.endswith("-prod") for d in due)
    assert "kontor-buero-staging" in {d.namespace for d in due}
    # outside the window nothing is due (someone who woke a namespace by hand is not overruled)
    assert not [
        d
        for d in due_namespaces(catalog, local("2026-01-09 23:00"))
        if d.namespace == "kontor-buero-staging"
    ]
    # with no window, every scheduled namespace is due in its current state
    current = due_namespaces(
        catalog, local("2026-01-09 23:00"), window=None, namespaces=["kontor-buero-staging"]
    )
    assert [(d.namespace, d.event) for d in current] == [("kontor-buero-staging", "sleep")]
