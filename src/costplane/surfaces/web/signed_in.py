"""A session's token to its viewer, by the server's own tokens and access rules: the
pages ask `may` what the API's routes require, and a tenant token keeps its tenant."""

from __future__ import annotations

from costplane.service import Project, Right, authenticate, may
from costplane.surfaces.web.viewer import Identify, Viewer


def token_viewers(project: Project) -> Identify:
    """`Identify` over the project's tokens, checked on every request (a revoked token
    signs its sessions out at once)."""

    def identify(secret: str) -> Viewer | None:
        principal = authenticate(project, secret)
        if principal is None:
            return None
        return Viewer(
            subject=principal.subject,
            role=principal.role.value,
            tenant=principal.tenant,
            sees_margin=may(principal, Right.READ_MARGIN),
            sees_bill=may(principal, Right.READ_RECONCILE),
            may_decide=may(principal, Right.DECIDE_FINDINGS),
        )

    return identify
