"""Facts from `service_usage`: ingress traffic, log volume, and volume use.

- `requests` and `last_traffic` read Traefik's requests (service `traefik`,
  metric `requests`, one row per router and day). An IngressRoute's are those of
  its routers (`<namespace>-<name>-<hash>@kubernetescrd`, the kubernetescrd
  provider's names); any other resource's are its namespace's. In a cluster with
  Traefik data, no rows means 0 requests. Rows are daily, so `last_traffic` is the
  end of the last day with a request (or the window's end, if sooner).
- `log_bytes_per_day`: log bytes ingested (service `logs`) over the window, per
  day of the window the warehouse has data for.
- `volume_used_bytes`: the peak bytes used on a PersistentVolumeClaim (service
  `kubelet`, metric `used_bytes`, resource = the claim's name, a day's maximum of
  `kubelet_volume_stats_used_bytes`). Provided only when the warehouse holds such
  rows, so a policy that needs it is skipped, and says why, where nobody collects it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir

from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import (
    aware_utc,
    bounds,
    exact,
    namespace_of,
)
from costplane.governance.inventory.resources import ResourceRef

DAY = dt.timedelta(days=1)
TRAEFIK, LOGS, KUBELET = "traefik", "logs", "kubelet"
ROUTER_PROVIDER = "@kubernetescrd"


class ServiceFacts(WarehouseProvider):
    """Traffic, log and volume facts, one query per kind of fact and window."""

    FACTS = (
        FactDefinition(
            "requests", FactType.NUMBER, "ingress requests served in the window", windowed=True
        ),
        FactDefinition(
            "last_traffic", FactType.TIMESTAMP, "when the last ingress request was served"
        ),
        FactDefinition(
            "log_bytes_per_day",
            FactType.BYTES,
            "log bytes the namespace ingested per day, averaged over the days of the window "
            "the warehouse has data for",
            windowed=True,
        ),
        FactDefinition(
            "volume_used_bytes",
            FactType.BYTES,
            "the most bytes used on the PersistentVolumeClaim in the window "
            "(kubelet_volume_stats_used_bytes, as service_usage rows of service kubelet)",
            windowed=True,
        ),
    )

    def provides(self, name: str) -> bool:
        if name == "volume_used_bytes":
            return self.cache.get("volumes?", self._has_volume_rows)
        return name in self.NAMES

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        start, end = bounds(request)
        name = request.name
        if name == "requests":
            assert start is not None
            routers = self.cache.get(("routers", start, end), lambda: self._routers(start, end))
            return [_requests(ref, routers) for ref in subjects]
        if name == "last_traffic":
            days = self.cache.get(("last", end), lambda: self._last_days(end))
            return [_last_traffic(ref, days, end) for ref in subjects]
        assert start is not None
        if name == "log_bytes_per_day":
            logs = self.cache.get(("logs", start, end), lambda: self._logs(start, end))
            return [logs.get((ref.cluster, namespace_of(ref))) for ref in subjects]
        volumes = self.cache.get(("volumes", start, end), lambda: self._volumes(start, end))
        return [
            volumes.get((ref.cluster, ref.namespace, ref.name))
            if ref.kind == "PersistentVolumeClaim"
            else None
            for ref in subjects
        ]

    def _rows(self, service: str, start: dt.datetime | None, end: dt.datetime) -> ir.Table:
        usage = self.warehouse.table("service_usage")
        wanted = (usage.service == service) & (usage.day < end.date())
        if start is not None:
            wanted &= usage.day >= start.date()
        return usage.filter(wanted)

    def _routers(self, start: dt.datetime, end: dt.datetime) -> _Routers:
        rows = self._rows(TRAEFIK, start, end)
        rows = rows.filter(rows.metric == "requests")
        table = rows.group_by(["cluster", "namespace", "resource"]).aggregate(
            requests=rows.quantity.sum()
        )
        return _Routers.of(table.to_pyarrow().to_pylist())

    def _last_days(self, end: dt.datetime) -> _LastDays:
        rows = self._rows(TRAEFIK, None, end)
        rows = rows.filter((rows.metric == "requests") & (rows.quantity > 0))
        table = rows.group_by(["cluster", "namespace", "resource"]).aggregate(last=rows.day.max())
        return _LastDays.of(table.to_pyarrow().to_pylist())

    def _logs(self, start: dt.datetime, end: dt.datetime) -> dict[tuple[Any, Any], Decimal]:
        usage = self.warehouse.table("service_usage")
        first = (
            usage.filter(usage.service == LOGS).group_by("cluster").aggregate(first=usage.day.min())
        )
        firsts = {row["cluster"]: row["first"] for row in first.to_pyarrow().to_pylist()}
        rows = self._rows(LOGS, start, end)
        table = rows.group_by(["cluster", "namespace"]).aggregate(total=rows.quantity.sum())
        found: dict[tuple[Any, Any], Decimal] = {}
        for row in table.to_pyarrow().to_pylist():
            begin = max(start.date(), firsts.get(row["cluster"]) or start.date())
            days = (end.date() - begin).days
            total = exact(row["total"])
            if days > 0 and total is not None:
                found[(row["cluster"], row["namespace"])] = total / days
        return found

    def _volumes(self, start: dt.datetime, end: dt.datetime) -> dict[tuple[Any, ...], object]:
        rows = self._rows(KUBELET, start, end)
        rows = rows.filter(rows.metric == "used_bytes")
        table = rows.group_by(["cluster", "namespace", "resource"]).aggregate(
            peak=rows.quantity.max()
        )
        return {
            (row["cluster"], row["namespace"], row["resource"]): exact(row["peak"])
            for row in table.to_pyarrow().to_pylist()
        }

    def _has_volume_rows(self) -> bool:
        usage = self.warehouse.table("service_usage")
        rows = usage.filter((usage.service == KUBELET) & (usage.metric == "used_bytes"))
        return bool(rows.count().to_pyarrow().as_py())


class _Routers:
    """Requests per router and per namespace, and which clusters have Traefik data."""

    def __init__(self) -> None:
        self.by_router: dict[tuple[Any, Any], list[tuple[str, Decimal]]] = defaultdict(list)
        self.by_namespace: dict[tuple[Any, Any], Decimal] = defaultdict(Decimal)
        self.clusters: set[Any] = set()

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> _Routers:
        found = cls()
        for row in rows:
            key = (row["cluster"], row["namespace"])
            amount = exact(row["requests"]) or Decimal(0)
            found.by_router[key].append((str(row["resource"] or ""), amount))
            found.by_namespace[key] += amount
            found.clusters.add(row["cluster"])
        return found


def _requests(ref: ResourceRef, routers: _Routers) -> Decimal | None:
    namespace = namespace_of(ref)
    if ref.cluster not in routers.clusters or namespace is None:
        return None
    key = (ref.cluster, namespace)
    if ref.kind != "IngressRoute":
        return routers.by_namespace.get(key, Decimal(0))
    prefix = f"{namespace}-{ref.name}-"
    return sum(
        (amount for router, amount in routers.by_router.get(key, []) if _routes(router, prefix)),
        Decimal(0),
    )


def _routes(router: str, prefix: str) -> bool:
    """Whether a kubernetescrd router name belongs to the IngressRoute named by `prefix`."""
    name = router.removesuffix(ROUTER_PROVIDER)
    return name.startswith(prefix) and "-" not in name[len(prefix) :]


class _LastDays:
    def __init__(self) -> None:
        self.by_router: dict[tuple[Any, Any], list[tuple[str, dt.date]]] = defaultdict(list)
        self.by_namespace: dict[tuple[Any, Any], dt.date] = {}

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> _LastDays:
        found = cls()
        for row in rows:
            key = (row["cluster"], row["namespace"])
            day: dt.date = row["last"]
            found.by_router[key].append((str(row["resource"] or ""), day))
            known = found.by_namespace.get(key)
            found.by_namespace[key] = day if known is None else max(known, day)
        return found


def _last_traffic(ref: ResourceRef, days: _LastDays, end: dt.datetime) -> dt.datetime | None:
    namespace = namespace_of(ref)
    key = (ref.cluster, namespace)
    if ref.kind == "IngressRoute":
        prefix = f"{namespace}-{ref.name}-"
        found = [day for router, day in days.by_router.get(key, []) if _routes(router, prefix)]
        last = max(found) if found else None
    else:
        last = days.by_namespace.get(key)
    if last is None:
        return None
    moment = dt.datetime.combine(last + DAY, dt.time())
    return aware_utc(min(moment, end))
