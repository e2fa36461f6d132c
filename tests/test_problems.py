"""One problem type and one error for inputs with problems, and one way to name a value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from costplane.describe import describe
from costplane.errors import InputError, InputProblemsError, Problem


def test_a_problem_prints_the_places_it_has() -> None:
    assert str(Problem("costplane.yaml", 3, 7, "unknown key")) == "costplane.yaml:3:7: unknown key"
    assert str(Problem("p.yaml", 4, None, "bad op")) == "p.yaml:4: bad op"
    assert str(Problem("bill.csv", None, None, "2 currencies")) == "bill.csv: 2 currencies"


def test_the_error_keeps_the_order_given_and_ends_with_its_summary() -> None:
    problems = [Problem("b.csv", 9, None, "late"), Problem("a.csv", 1, None, "early")]
    error = InputProblemsError(problems, "2 problems in a.csv and b.csv")
    assert isinstance(error, InputError)
    assert error.exit_code == 2
    assert error.problems == problems
    assert str(error).splitlines() == ["b.csv:9: late", "a.csv:1: early", error.summary]


def test_a_value_is_named_as_it_was_written() -> None:
    assert [describe(v) for v in (None, True, {}, [], "abc", 7)] == [
        "nothing",
        "true",
        "a mapping",
        "a list",
        "'abc'",
        "7",
    ]
    assert describe(Decimal("1E+3")) == "1000"
    assert describe(dt.date(2025, 2, 1)) == "2025-02-01"
    long = describe("x" * 500)
    assert len(long) == 60
    assert long.endswith("...")
