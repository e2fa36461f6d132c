"""Findings: a policy's match as people and programs see it, with a stable fingerprint.

The fingerprint is SHA-256 over the policy id, cluster, kind, namespace and name
(separated by a unit separator, empty for none), so the same problem on the same
resource keeps its identity from run to run, and a status (acknowledged, suppressed)
set on it sticks. Money is rounded to the cent, half up, as invoices round.

The JSON form (`costplane govern --output json`) is

    {"policy", "severity", "resource": {"kind", "namespace", "name"}, "tenant",
     "environment", "monthly_waste", "currency", "message", "fix", "fingerprint", "status",
     "suppressed_until", "evidence"}

with `monthly_waste` a decimal string ("24.20"), or null when a value it needs is unknown,
and `suppressed_until` the last day a suppressed finding stays hidden (null otherwise).
`evidence` holds the values the money was computed from (the policy's `where` names and
prices: requests, p95 use, a size and its band), decimal strings or null when unknown.
Suppressed findings are not shown by default (`visible`): a suppression is a decision that
they need no attention until then.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from costplane.catalog import Severity
from costplane.governance.inventory.resources import ResourceRef
from costplane.governance.results import PolicyResult
from costplane.money import cents

SEPARATOR = "\x1f"


class Status(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SUPPRESSED = "suppressed"
    RESOLVED = "resolved"


def fingerprint(policy: str, ref: ResourceRef) -> str:
    """The finding's identity: the same for the same policy and resource, run after run."""
    parts = (policy, ref.cluster or "", ref.kind, ref.namespace or "", ref.name)
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One resource one policy found, with its money and what to do about it."""

    policy: str
    severity: Severity
    resource: ResourceRef
    tenant: str | None
    environment: str | None
    monthly_waste: Decimal | None
    currency: str
    message: str
    fix: str
    status: Status = Status.OPEN
    suppressed_until: dt.date | None = None
    evidence: Mapping[str, Decimal | None] = field(default_factory=dict, compare=False)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.policy, self.resource)

    @property
    def rounded_waste(self) -> Decimal | None:
        return cents(self.monthly_waste) if self.monthly_waste is not None else None

    def with_status(self, status: Status, suppressed_until: dt.date | None = None) -> Finding:
        until = suppressed_until if status is Status.SUPPRESSED else None
        return replace(self, status=status, suppressed_until=until)

    def as_json(self) -> dict[str, Any]:
        """The documented JSON shape; money as a decimal string."""
        waste = self.rounded_waste
        return {
            "policy": self.policy,
            "severity": self.severity.value,
            "resource": {
                "kind": self.resource.kind,
                "namespace": self.resource.namespace,
                "name": self.resource.name,
            },
            "tenant": self.tenant,
            "environment": self.environment,
            "monthly_waste": format(waste, "f") if waste is not None else None,
            "currency": self.currency,
            "message": self.message,
            "fix": self.fix,
            "fingerprint": self.fingerprint,
            "status": self.status.value,
            "suppressed_until": (
                self.suppressed_until.isoformat() if self.suppressed_until is not None else None
            ),
            "evidence": evidence_json(self.evidence),
        }


def evidence_json(evidence: Mapping[str, Decimal | None]) -> dict[str, str | None]:
    """Evidence as JSON: exact decimal strings without trailing zeros, null when unknown."""
    return {
        name: None if value is None else format(value.normalize(), "f")
        for name, value in sorted(evidence.items())
    }


def findings_of(
    results: Iterable[PolicyResult],
    *,
    currency: str,
    likely_tenant: Callable[[str], str | None] = lambda _name: None,
) -> list[Finding]:
    """Every match of every result as a finding, most money first (unknown amounts last),
    then by policy and name.

    A resource whose tenant is unknown (an unlabelled namespace) gets the tenant its
    name suggests, and the message says it was guessed.
    """
    found = []
    for result in results:
        policy = result.policy
        for match in result.matches:
            ref = match.resource
            tenant, message = ref.tenant, policy.description
            if tenant is None:
                tenant = likely_tenant(ref.name if ref.namespace is None else ref.namespace)
                if tenant is not None:
                    message += f" (by its name, tenant {tenant}'s)"
            found.append(
                Finding(
                    policy=policy.id,
                    severity=policy.severity,
                    resource=ref,
                    tenant=tenant,
                    environment=ref.environment,
                    monthly_waste=match.monthly_waste,
                    currency=currency,
                    message=message,
                    fix=policy.fix,
                    evidence=match.evidence,
                )
            )
    return sorted(found, key=_order)


def _order(finding: Finding) -> tuple[Any, ...]:
    ref = finding.resource
    waste = finding.monthly_waste
    return (
        waste is None,  # unknown amounts after every known one
        -(waste or Decimal(0)),
        -finding.severity.rank,
        finding.policy,
        ref.cluster or "",
        ref.kind,
        ref.namespace or "",
        ref.name,
    )


def visible(findings: Iterable[Finding], *, suppressed: bool = False) -> list[Finding]:
    """The findings to show: all but the suppressed ones, unless `suppressed` asks for them."""
    return [f for f in findings if suppressed or f.status is not Status.SUPPRESSED]


def at_or_above(findings: Iterable[Finding], severity: Severity) -> list[Finding]:
    """The findings that should fail a check at `severity`: not suppressed or resolved."""
    counted = (Status.OPEN, Status.ACKNOWLEDGED)
    return [f for f in findings if f.severity.rank >= severity.rank and f.status in counted]
