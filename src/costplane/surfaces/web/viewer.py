"""Who is looking at the dashboard, as the pages need to know it.

The server's access rules (roles, rights, the tenant scope) decide; the pages only ask
the three questions below, so a page cannot forget a rule it never sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    subject: str
    """Who the token names: the audit log and a finding's history say it."""
    role: str
    tenant: str | None
    """Set for a tenant token: it sees this tenant's pages and nothing else."""
    sees_margin: bool
    """Fees and margins are shown (finance and admin)."""
    sees_bill: bool
    """The bill and its reconciliation are shown (finance and admin)."""
    may_decide: bool
    """May acknowledge and suppress findings."""

    def may_see(self, tenant: str | None) -> bool:
        """Whether a tenant's page or finding is this viewer's to see: a tenant token sees
        its own tenant only (never a finding without a tenant); every other role sees all."""
        return self.tenant is None or tenant == self.tenant


Identify = Callable[[str], "Viewer | None"]
"""A token's secret to its viewer, None when the token is unknown, revoked or expired."""
