"""`--period` outside the months Costplane reads (1970-01 to 2200-12) is bad input: exit 2
with one line naming the option and the range, never an unexpected OverflowError or
ValueError (issue 18: `--period 9999-12` and `0000-01` exited 1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costplane.allocation.window import Window
from costplane.errors import InputError
from tests.conftest import Run

RANGE = "outside the months Costplane reads, 1970-01 to 2200-12"


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1969-12", "2201-01", "2262-05"])
def test_a_month_outside_the_range_is_exit_2_with_one_line(
    cli: Run, tmp_path: Path, period: str
) -> None:
    result = cli("--home", str(tmp_path), "report", "reconcile", "--period", period)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: --period {period}: {RANGE}"]


@pytest.mark.parametrize(
    "command",
    [
        ["report", "showback"],
        ["report", "chargeback"],
        ["report", "margin"],
        ["report", "unit-cost"],
        ["export", "focus", "--out", "bill.parquet"],
    ],
)
def test_every_command_with_a_period_refuses_year_9999(
    cli: Run, tmp_path: Path, command: list[str]
) -> None:
    result = cli("--home", str(tmp_path), *command, "--period", "9999-12")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --period 9999-12: {RANGE}"
    assert not (tmp_path / "bill.parquet").exists()


def test_unicode_digits_are_not_a_month(cli: Run, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path), "report", "reconcile", "--period", "٢٠٢٦-10")
    assert result.exit_code == 2
    assert "expected a month as YYYY-MM" in result.stderr


def test_the_first_and_last_months_are_read_whole() -> None:
    assert Window.month("1970-01") == Window(dt.date(1970, 1, 1), dt.date(1970, 2, 1))
    assert Window.month("2200-12") == Window(dt.date(2200, 12, 1), dt.date(2201, 1, 1))
    assert len(Window.month("2200-12").days()) == 31


@given(st.from_regex(r"[0-9]{4}-[0-9]{2}", fullmatch=True))
def test_any_month_shaped_text_is_a_window_or_input_error(period: str) -> None:
    year, month = int(period[:4]), int(period[5:])
    if not (1970 <= year <= 2200 and 1 <= month <= 12):
        with pytest.raises(InputError, match=f"^--period '?{period}'?: "):
            Window.month(period)
        return
    window = Window.month(period)
    assert window.start == dt.date(year, month, 1)
    assert window.end.day == 1
    assert 28 <= (window.end - window.start).days <= 31


@pytest.mark.parametrize(("start", "days"), [("1969-12-15", "30"), ("2200-12-20", "30")])
def test_a_demo_leaving_the_months_is_refused_before_any_work(
    cli: Run, tmp_path: Path, start: str, days: str
) -> None:
    """It used to generate, load and allocate the fleet, then fail on `--period`."""
    home = tmp_path / "demo"
    done = cli("--home", str(home), "demo", "--start", start, "--days", days, "--no-serve")
    assert done.exit_code == 2, done.stderr
    assert done.stderr.startswith(f"error: --start {start}: {days} days from it leave the months")
    assert len(done.stderr.splitlines()) == 1
    assert not (home / "fleet").exists()


def test_a_window_of_days_reaches_the_last_day_of_the_last_month() -> None:
    window = Window.of_days(dt.date(2200, 12, 2), 30)
    assert (window.start, window.end) == (dt.date(2200, 12, 2), dt.date(2201, 1, 1))
    with pytest.raises(InputError, match="--start 2200-12-02: 31 days"):
        Window.of_days(dt.date(2200, 12, 2), 31)
