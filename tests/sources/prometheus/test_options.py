"""The window, the step and the target, from what a user types."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from costplane.errors import InputError
from costplane.masked_url import masked_url
from costplane.sources.prometheus import prometheus_target, window_of
from costplane.sources.prometheus.window import parse_step

NOW = dt.datetime(2025, 6, 10, 14, 25)


def test_without_dates_the_window_is_yesterday_utc() -> None:
    window = window_of(None, None, "1h", now=NOW)
    assert (window.start, window.end, window.steps) == (
        dt.datetime(2025, 6, 9),
        dt.datetime(2025, 6, 10),
        24,
    )


def test_dates_in_any_zone_are_utc_hours() -> None:
    window = window_of("2025-06-01T02:00+02:00", "2025-06-02", "15m", now=NOW)
    assert (window.start, window.end, window.step, window.steps, window.hours) == (
        dt.datetime(2025, 6, 1),
        dt.datetime(2025, 6, 2),
        900,
        96,
        24,
    )
    assert window.span_text(1, 4) == "2025-06-01T00:00:00..2025-06-01T01:00:00"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600), ("30m", 1800), ("5m", 300), ("90s", 90), ("7m", None), ("60", 60)],
)
def test_steps_divide_the_hour(text: str, seconds: int | None) -> None:
    if seconds is None:
        with pytest.raises(InputError, match="must divide one hour"):
            parse_step(text)
    else:
        assert parse_step(text) == seconds


@pytest.mark.parametrize("text", ["", "1d", "fast", "2h", "0s"])
def test_a_bad_step_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="--step"):
        parse_step(text)


def test_credentials_are_kept_apart_and_never_shown() -> None:
    target = prometheus_target("https://reader:pa%3Ass@mimir.example:8080/prometheus/", {})
    assert target.base_url == "https://mimir.example:8080/prometheus"
    assert target.shown == "https://reader:***@mimir.example:8080/prometheus/"
    assert (target.username, target.password, target.token) == ("reader", "pa:ss", None)
    assert isinstance(target.auth(), httpx.BasicAuth)
    assert "pa:ss" not in repr(target)
    assert target.scrub("failed for pa:ss") == "failed for ***"


def test_token_and_tenant_come_from_the_environment() -> None:
    environ = {"COSTPLANE_PROMETHEUS_TOKEN": "t0ken", "COSTPLANE_PROMETHEUS_ORG_ID": "team-a"}
    target = prometheus_target("http://thanos-query:9090", environ)
    assert target.headers() == {
        "Accept": "application/json",
        "Authorization": "Bearer t0ken",
        "X-Scope-OrgID": "team-a",
    }
    assert target.auth() is None
    assert "t0ken" not in repr(target)
    with pytest.raises(InputError, match="both given; use one"):
        prometheus_target("http://u:p@thanos-query:9090", environ)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("prometheus:9090", "not an http(s) URL"),
        ("u:secret@prometheus:9090", "--url ***@prometheus:9090: not an http(s) URL"),
        ("http://u:secret@host:99999999", "the port is not a number"),
        ("http://host:9090/?token=abc", "must not carry a query string"),
    ],
)
def test_a_bad_url_is_an_input_error_without_its_secrets(url: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as raised:
        prometheus_target(url, {})
    assert "secret" not in str(raised.value)
    assert "abc" not in str(raised.value)


def test_masked_urls() -> None:
    assert masked_url("http://prom:9090") == "http://prom:9090"
    assert masked_url("http://user@prom:9090/x") == "http://user@prom:9090/x"
    assert (
        masked_url("http://user:pw@prom:9090/x?token=1") == "http://user:***@prom:9090/x?token=***"
    )


def test_a_step_that_is_no_duration_is_an_input_error() -> None:
    for text in ("²", "fast"):  # '²' is a digit to Python, no number
        with pytest.raises(InputError):
            parse_step(text)
