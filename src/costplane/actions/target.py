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
    """Who `obj` is; a field that is not text (a damaged manifest) reads as empty."""
    metadata = _mapping(obj.get("metadata"))
    return ObjectRef(
        kind=_text(obj.get("kind")),
        namespace=_text(metadata.get("namespace")),
        name=_text(metadata.get("name")),
        api_version=_text(obj.get("apiVersion")),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: object) -> Mapping[str, Any]:
    """`value` if it is a mapping; {} for anything else (missing, null, damaged)."""
    return value if isinstance(value, Mapping) else {}


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
    held: str = ""  # why it is left alone whatever the action (a suppressed finding)
    priced: bool = True  # False: no finding or file gave its money; the price sheet may

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
        return _mapping(self.object.get("metadata"))

    @property
    def annotations(self) -> Mapping[str, str]:
        return _mapping(self.metadata.get("annotations"))

    @property
    def spec(self) -> Mapping[str, Any]:
        return _mapping(self.object.get("spec"))
