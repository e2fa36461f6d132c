"""DR evidence for a period: the tenants under contract, their backup catalogue, judged."""

from __future__ import annotations

import datetime as dt

from costplane.catalog import Catalog
from costplane.insight.dr.evidence import RanBy, RecoveryEvidence, recovery_evidence
from costplane.insight.dr.records import read_catalogue
from costplane.insight.dr.tenants import contracted_tenants
from costplane.warehouse import Warehouse


def dr_evidence(
    warehouse: Warehouse,
    catalog: Catalog,
    period: str,
    start: dt.date,
    end: dt.date,
    tenant: str | None = None,
    ran_by: RanBy | None = None,
) -> RecoveryEvidence:
    """Every contracted tenant's (or `tenant`'s) recovery requirements over [start, end)."""
    tenants = contracted_tenants(catalog, start, end, tenant)
    start_at = dt.datetime.combine(start, dt.time())
    end_at = dt.datetime.combine(end, dt.time())
    catalogue = read_catalogue(warehouse, start_at, end_at, [t.id for t in tenants])
    return recovery_evidence(catalogue, catalog, tenants, period, end_at, ran_by)
