"""The policy model: what to look at, what is wrong with it, what it costs, what to do.

id: requests-oversized
description: CPU requests far above what the workload uses
resource: Deployment
severity: medium
filters: [...]
savings: {...}
actions: [{type: report}]
"""

from __future__ import annotations

import enum
import re
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    WithJsonSchema,
    field_validator,
)

from costplane.catalog.types import Identifier
from costplane.governance.action_spec import ActionSpec
from costplane.governance.filter_parse import parse_filters
from costplane.governance.filter_spec import FilterSpec
from costplane.governance.inventory import NON_KUBERNETES_KINDS
from costplane.governance.savings import Savings

KIND_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical, for `--fail-on`."""
        return list(Severity).index(self)


Filters = Annotated[
    tuple[SerializeAsAny[FilterSpec], ...],
    BeforeValidator(parse_filters),
    WithJsonSchema({"type": "array", "items": {"x-costplane-ref": "Filter"}}),
]


class Policy(BaseModel):
    """One governance policy, validated whole when its file loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier = Field(description="stable id, e.g. requests-oversized")
    description: str = Field(min_length=1)
    resource: str = Field(
        description="a Kubernetes kind (Deployment, PersistentVolumeClaim, IngressRoute, ...) "
        f"or one of: {', '.join(NON_KUBERNETES_KINDS)}"
    )
    severity: Severity
    filters: Filters = Field(default=(), description="all must match (an implicit and)")
    savings: Savings = Field(default_factory=Savings, description="monthly waste; 0 when omitted")
    actions: tuple[ActionSpec, ...] = ()

    @field_validator("resource")
    @classmethod
    def _kind(cls, kind: str) -> str:
        if kind in NON_KUBERNETES_KINDS or KIND_PATTERN.match(kind):
            return kind
        raise ValueError(
            f"expected a Kubernetes kind such as Deployment (capitalised, as in the API) or one "
            f"of {', '.join(NON_KUBERNETES_KINDS)}, got {kind!r}"
        )

    def fact_names(self) -> frozenset[str]:
        """Every fact the filters and savings read."""
        names = frozenset().union(*(spec.fact_names() for spec in self.filters))
        return names | self.savings.fact_names()
