"""What the server computes as it starts, before it says it is ready.

The first request for a month's showback or for a tenant's page would otherwise pay for
every tenant's figures (seconds at thousands of tenants, docs/performance.md `api`). So
the server computes the newest allocated month's showback and tenant pages in the
background as it starts, and `/readyz` answers 503 ("warming") until they are kept: a
load balancer or Kubernetes sends no traffic to a server that would answer slowly.
`/healthz` answers throughout. After a write, the next request computes the showback
again, and tenant pages read their own figures while the month's are recomputed in the
background (report_cache.py, `soon`).
"""

from __future__ import annotations

from costplane.service import Project, latest_month
from costplane.surfaces.server.cost import whole_showback
from costplane.surfaces.server.report_cache import ReportCache, data_version
from costplane.surfaces.web.month import key, tenant_pages


def warm_up(project: Project, reports: ReportCache) -> None:
    """Start computing the newest month's showback and tenant pages in the background."""

    if data_version(project.settings) is None:
        return  # a warehouse by URL keeps nothing (report_cache.py): nothing to warm

    def newest() -> None:
        name = latest_month(project)
        if name is None:
            return  # nothing allocated yet: nothing to keep
        whole_showback(project, reports, name, "tenant")
        reports.value(key(name), lambda: tenant_pages(project, name))

    reports.warm([newest])
