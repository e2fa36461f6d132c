"""Every URL Costplane prints goes through one mask: no password or token in clear."""

from __future__ import annotations

import pytest

from costplane.masked_url import masked_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@db:5432/costplane", "postgresql://u:***@db:5432/costplane"),
        ("postgresql+psycopg://u@db/costplane", "postgresql+psycopg://u@db/costplane"),
        (
            "postgresql://u@db/c?password=secret&sslmode=require",
            "postgresql://u@db/c?password=***&sslmode=require",
        ),
        ("postgresql://u:p/ss@db/c", "postgresql://u:***@db/c"),  # an unescaped / in it
        ("postgresql://u:p@ss@db/c", "postgresql://u:***@db/c"),  # an unescaped @ in it
        ("duckdb:///data/w.duckdb?memory_limit=2GB", "duckdb:///data/w.duckdb?memory_limit=2GB"),
        ("sqlite:////abs/state.db", "sqlite:////abs/state.db"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        (
            "rediss://default:pw@cache:6379/0?Password=x",
            "rediss://default:***@cache:6379/0?Password=***",
        ),
        ("http://prom:9090/x?token=abc#top", "http://prom:9090/x?token=***#top"),
        ("user:pw@cache:6379", "***@cache:6379"),  # typed without its scheme
        ("  http://user@prom:9090  ", "http://user@prom:9090"),
    ],
)
def test_passwords_and_secret_parameters_are_masked(url: str, shown: str) -> None:
    assert masked_url(url) == shown
