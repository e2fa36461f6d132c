"""An event worth telling someone: a finding, a budget threshold, an anomaly, a stale source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from costplane.catalog import EventKind, Severity


@dataclass(frozen=True)
class Event:
    kind: EventKind
    key: str
    """Names the event once and for all: a route is told about a key once, never again."""
    severity: Severity
    title: str
    text: str
    occurred_at: dt.datetime
    """UTC, naive."""
    tenant: str | None = None
    service_class: str | None = None
    amount: Decimal | None = None
    """The money at stake (monthly waste, excess, budget spent), in `currency`."""
    currency: str | None = None
