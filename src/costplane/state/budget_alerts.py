"""Budget alerts as kept: raised once per budget, threshold, basis and month.

`costplane budgets status` hands over every crossing it found; what is not kept yet is
raised (a new alert, the one a notification is sent for), what is kept already is not
raised again, and a kept alert of the month whose crossing is gone (a forecast that fell
back) is marked cleared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, select

from costplane.state.models import BudgetAlert
from costplane.state.store import open_session


@dataclass(frozen=True)
class Crossing:
    """A threshold a budget's actual or forecast reached in a month."""

    budget: str
    threshold_percent: Decimal
    basis: str  # actual | forecast
    threshold_amount: Decimal
    value: Decimal
    currency: str


@dataclass(frozen=True)
class KeptAlert:
    budget: str
    period: str
    threshold_percent: Decimal
    basis: str
    threshold_amount: Decimal
    value: Decimal
    """The actual or forecast when the alert was raised."""
    currency: str
    raised_at: dt.datetime
    cleared_at: dt.datetime | None
    new: bool
    """Raised by this run: the one time this crossing is announced."""


def record_budget_alerts(
    engine: Engine, period: str, crossings: Sequence[Crossing], at: dt.datetime
) -> list[KeptAlert]:
    """Keep the month's crossings; returns every alert of the month that is not cleared,
    those raised now with `new`."""
    now = {(c.budget, _text(c.threshold_percent), c.basis): c for c in crossings}
    with open_session(engine) as session, session.begin():
        kept = {
            (a.budget, a.threshold_percent, a.basis): a
            for a in session.scalars(select(BudgetAlert).where(BudgetAlert.period == period))
        }
        raised: set[tuple[str, str, str]] = set()
        for key, crossing in now.items():
            alert = kept.get(key)
            if alert is None:
                alert = BudgetAlert(
                    budget=crossing.budget,
                    period=period,
                    threshold_percent=key[1],
                    basis=crossing.basis,
                    threshold_amount=_text(crossing.threshold_amount),
                    value=_text(crossing.value),
                    currency=crossing.currency,
                    raised_at=at,
                    cleared_at=None,
                )
                session.add(alert)
                kept[key] = alert
                raised.add(key)
            elif alert.cleared_at is not None:
                alert.cleared_at = None  # crossed again: current, but not raised again
        for key, alert in kept.items():
            if key not in now and alert.cleared_at is None:
                alert.cleared_at = at
        session.flush()
        return [
            _kept(alert, key in raised)
            for key, alert in sorted(kept.items(), key=lambda item: item[1].id)
            if alert.cleared_at is None
        ]


def budget_alerts(engine: Engine, period: str | None = None) -> list[KeptAlert]:
    """Every kept alert (of `period` when given), oldest first, cleared ones included."""
    query = select(BudgetAlert).order_by(BudgetAlert.id)
    if period is not None:
        query = query.where(BudgetAlert.period == period)
    with open_session(engine) as session:
        return [_kept(alert, False) for alert in session.scalars(query)]


def _text(amount: Decimal) -> str:
    """One text per amount (80, 80.0 and 80.00 are one threshold)."""
    return format(amount.normalize(), "f")


def _kept(alert: BudgetAlert, new: bool) -> KeptAlert:
    return KeptAlert(
        budget=alert.budget,
        period=alert.period,
        threshold_percent=Decimal(alert.threshold_percent),
        basis=alert.basis,
        threshold_amount=Decimal(alert.threshold_amount),
        value=Decimal(alert.value),
        currency=alert.currency,
        raised_at=alert.raised_at,
        cleared_at=alert.cleared_at,
        new=new,
    )
