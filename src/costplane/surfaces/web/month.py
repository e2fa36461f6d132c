"""What every tenant's page of a month shows that is costly to read, read once for all.

A tenant's page draws its days and judges its entitlements and DR evidence. Read for one
tenant, that is about half a second of scans over the month's allocations, usage and
inventory at 5,000 tenants, nearly all of it the same for every tenant; read for every
tenant at once it is a few seconds in all (docs/performance.md, `api`). So the server
keeps a month's `TenantPages` per data version (computed in the background, see
`pages.py`), and each page takes its tenant's part: the same figures `tenant_days`,
`report entitlements --tenant` and `report dr --tenant` give.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from costplane.errors import InputError
from costplane.insight import (
    Entitlements,
    RecoveryEvidence,
    TenantEntitlements,
    TenantRecovery,
)
from costplane.service import (
    ClassReportRequest,
    Project,
    TenantsDays,
    dr_report,
    entitlements_report,
    every_tenant_days,
    to_document,
)

KIND = "web-tenants"
"""The kind of the months' `TenantPages` among the values of the server's report cache."""
MONTHS_KEPT = 3
"""Months of `TenantPages` the server keeps: about 190 MB each at 5,000 tenants, so a
dashboard browsed back over a year does not hold a year of them."""
ONE_TENANT = "web-tenant"
"""The kind of a tenant's views read for it alone, while the month's are not kept."""
ONE_TENANT_KEPT = 16
"""Of those, kept: right after a write each tenant asking makes one, and unbounded they
would push the month's reports out of the server's cache."""


def key(period: str) -> tuple[str, str]:
    """The month's `TenantPages` in the server's report cache."""
    return (KIND, period)


@dataclass(frozen=True)
class TenantPages:
    days: TenantsDays
    entitlements: Entitlements | None
    recovery: RecoveryEvidence | None
    """None, both: the month's contracts could not be judged (`note` says why)."""
    note: str | None = None

    def capabilities_of(self, tenant: str) -> dict[str, Any] | None:
        """The tenant's entitlements and DR views, as `capability` gives them; None for a
        tenant not under contract this month (its page reads its own).

        Made for each page, not kept: they take under a millisecond (0.3 ms on average
        at 5,000 tenants), and kept they grew with every tenant seen until the next
        write, outside what the server froze (report_cache.py, `settle`): after 2,000
        tenants, 51,000 more objects for each full garbage collection to walk (33 ms).
        """
        if self.entitlements is None or self.recovery is None:
            view = {"document": None, "note": self.note}
            return {"entitlements": view, "dr": view}
        if tenant not in self._entitled or tenant not in self._recovered:
            return None
        entitled = dataclasses.replace(
            self.entitlements, tenants=(self._entitled[tenant],), notes=()
        )
        recovered = dataclasses.replace(self.recovery, tenants=(self._recovered[tenant],))
        return {"entitlements": capability(entitled), "dr": capability(recovered)}

    @cached_property
    def _entitled(self) -> dict[str, TenantEntitlements]:
        return {t.tenant: t for t in self.entitlements.tenants} if self.entitlements else {}

    @cached_property
    def _recovered(self) -> dict[str, TenantRecovery]:
        return {t.tenant: t for t in self.recovery.tenants} if self.recovery else {}


def tenant_pages(project: Project, period: str) -> TenantPages:
    days = every_tenant_days(project, period)
    request = ClassReportRequest.of(period)
    try:
        recovery = dr_report(project, request)
        entitled = entitlements_report(project, request, recovery)
    except InputError as exc:
        return TenantPages(days, None, None, str(exc))
    return TenantPages(days, entitled, recovery)


def capability(document: Any) -> dict[str, Any]:
    """A later capability's view of the tenant (entitlements, DR) as its JSON document."""
    return {"document": to_document(document), "note": None}
