"""Collectors and actions retry a flaky target a bounded number of times, then name it."""

from __future__ import annotations

import pytest

from costplane import retries
from costplane.errors import ServiceUnavailableError
from costplane.retries import with_retries


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(retries, "sleep", slept.append)
    return slept


def test_a_transient_failure_is_retried_with_backoff(no_sleep: list[float]) -> None:
    answers = iter([ConnectionError("reset"), ConnectionError("reset"), "ok"])

    def call() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert with_retries(call, what="redis://cache1", retry_on=(ConnectionError,)) == "ok"
    assert no_sleep == [0.5, 1.0]


def test_the_last_failure_names_the_target_in_one_line(no_sleep: list[float]) -> None:
    def call() -> None:
        raise ConnectionError("connection refused\nmore detail")

    with pytest.raises(ServiceUnavailableError) as raised:
        with_retries(call, what="prometheus at http://prom:9090", retry_on=(ConnectionError,))
    assert str(raised.value) == (
        "prometheus at http://prom:9090: connection refused (after 3 attempts)"
    )
    assert len(no_sleep) == 2


def test_an_error_retrying_cannot_fix_is_raised_at_once(no_sleep: list[float]) -> None:
    def call() -> None:
        raise PermissionError("403 forbidden")

    with pytest.raises(PermissionError):
        with_retries(call, what="cluster", retry_on=(ConnectionError,))
    assert no_sleep == []
