"""A target: one Kubernetes object an action is asked to act on, and the money at stake."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ObjectRef:
    """Which object: enough to find it in a cluster or a manifest directory."""

    kind: str
    namespace: str  # "" for cluster-scoped objects
    name: str
    api_version: str = ""

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def ref_of(obj: Mapping[str, Any]) -> ObjectRef:
    metadata = obj.get("metadata") or {}
    return ObjectRef(
        kind=str(obj.get("kind") or ""),
        namespace=str(metadata.get("namespace") or ""),
        name=str(metadata.get("name") or ""),
        api_version=str(obj.get("apiVersion") or ""),
    )


@dataclass(frozen=True)
class Target:
    """An object as its camelCase Kubernetes JSON, the monthly amount it concerns and why.

    `finding` keeps the governance finding the target came from, if any, so that
    a notification sends what governance found rather than a paraphrase.
    """

    object: Mapping[str, Any]
    monthly_amount: Decimal = Decimal(0)
    currency: str = ""
    reason: str = ""
    finding: Mapping[str, Any] | None = field(default=None, compare=False)
    missing: bool = False  # named by a finding, but not found where objects were read

    @property
    def ref(self) -> ObjectRef:
        return ref_of(self.object)

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def namespace(self) -> str:
        return self.ref.namespace

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self.object.get("metadata") or {}

    @property
    def annotations(self) -> Mapping[str, str]:
        return self.metadata.get("annotations") or {}

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.object.get("spec") or {}
