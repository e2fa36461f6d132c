"""Which namespaces are due to sleep or wake now, from the catalog's sleep schedules.

A tenant's non-production environments follow its service class's schedule;
production never sleeps. Like kube-green, Costplane acts at the scheduled
moment, not all the time: a namespace is due only if its latest transition
happened within `window` (run `costplane act schedule --apply` from a CronJob
more often than the window). Someone who wakes a namespace up at night by hand
is therefore not overruled until the next scheduled sleep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from costplane.actions.schedule import Event, last_transition
from costplane.catalog import Catalog, EnvironmentKind

DEFAULT_WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Due:
    """A namespace whose schedule asked for `event` at `at`."""

    namespace: str
    tenant: str
    environment: EnvironmentKind
    event: Event
    at: dt.datetime


def due_namespaces(
    catalog: Catalog,
    now: dt.datetime,
    window: dt.timedelta | None = DEFAULT_WINDOW,
    namespaces: Iterable[str] = (),
) -> list[Due]:
    """The namespaces due now (with `window` None: every scheduled one, in its current state).

    `namespaces`, when given, keeps only those."""
    wanted = set(namespaces)
    moment = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    due = []
    for tenant in catalog.tenants:
        schedule = catalog.service_classes[tenant.service_class].sleep_schedule
        if schedule is None:
            continue
        last = last_transition(schedule, moment)
        if window is not None and moment - last.at > window:
            continue
        for kind, environment in sorted(tenant.environments.items()):
            if kind.is_production:
                continue
            due += [
                Due(namespace, tenant.id, kind, last.event, last.at)
                for namespace in environment.namespaces
                if not wanted or namespace in wanted
            ]
    return due
