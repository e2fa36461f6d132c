"""The policy model: what to look at, what is wrong with it, what it costs, what to do.

id: requests-oversized
description: CPU requests far above what the workload uses
resource: [Deployment, StatefulSet]     # or one kind: resource: Deployment
severity: medium
fix: Lower the requests to the recommendation, in git.
filters: [...]
savings: {...}
actions: [{type: report}]
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    WithJsonSchema,
    field_validator,
)

from costplane.catalog import Identifier, Severity
from costplane.describe import describe
from costplane.governance.action_spec import ActionSpec
from costplane.governance.filters.parse import parse_filters
from costplane.governance.filters.spec import FilterSpec
from costplane.governance.inventory.resources import NON_KUBERNETES_KINDS
from costplane.governance.problems import invalid
from costplane.governance.savings.formula import Savings

KIND_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*$")


Filters = Annotated[
    tuple[SerializeAsAny[FilterSpec], ...],
    BeforeValidator(parse_filters),
    WithJsonSchema({"type": "array", "items": {"x-costplane-ref": "Filter"}}),
]


Kinds = (
    str | Annotated[tuple[str, ...], Field(min_length=1, json_schema_extra={"uniqueItems": True})]
)


class Policy(BaseModel):
    """One governance policy, validated whole when its file loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier = Field(description="stable id, e.g. requests-oversized")
    description: str = Field(min_length=1)
    resource: Kinds = Field(
        description="a Kubernetes kind (Deployment, PersistentVolumeClaim, IngressRoute, ...) "
        f"or one of: {', '.join(NON_KUBERNETES_KINDS)}; or a list of kinds, each evaluated"
    )
    severity: Severity
    fix: str = Field(default="", description="what to do about a finding, shown with each one")
    filters: Filters = Field(default=(), description="all must match (an implicit and)")
    savings: Savings = Field(default_factory=Savings, description="monthly waste; 0 when omitted")
    actions: tuple[ActionSpec, ...] = ()

    @field_validator("resource", mode="before")
    @classmethod
    def _kinds(cls, written: Any) -> Any:
        """One kind, or a non-empty list of distinct kinds; each problem at its item."""
        if not isinstance(written, list | tuple):
            return _kind(written, ())
        if not written:
            invalid((), "expected a kind or a non-empty list of kinds, got an empty list")
        for index, kind in enumerate(written):
            _kind(kind, (index,))
            if kind in written[:index]:
                invalid((index,), f"{kind} is listed twice", kind)
        return tuple(written)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds the policy runs over, in the order written."""
        return (self.resource,) if isinstance(self.resource, str) else self.resource

    def fact_names(self) -> frozenset[str]:
        """Every fact the filters and savings read."""
        return self.filter_fact_names() | self.savings.fact_names()

    def filter_fact_names(self) -> frozenset[str]:
        """The facts the filters read: without one, the policy cannot run."""
        return frozenset().union(*(spec.fact_names() for spec in self.filters))


def _kind(kind: object, loc: tuple[int, ...]) -> str:
    if not isinstance(kind, str) or not (kind in NON_KUBERNETES_KINDS or KIND_PATTERN.match(kind)):
        invalid(
            loc,
            "expected a Kubernetes kind such as Deployment (capitalised, as in the API) or one "
            f"of {', '.join(NON_KUBERNETES_KINDS)}, got {describe(kind)}",
            kind,
        )
    return kind
