"""Reading targets: a JSON file of findings or targets, or the objects of namespaces.

The file is a JSON list (or an object with a `findings` or `targets` list) whose
items are any of:

- a finding as `costplane govern --output json` writes it: `resource` (kind,
  namespace, name), `monthly_waste`, `currency`, `message`; the object itself is
  read from the cluster or `--manifests`;
- a target: `object` (the Kubernetes object as JSON), and optionally
  `monthly_amount`, `currency`, `reason`;
- a bare Kubernetes object (with `kind` and `metadata`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from costplane.actions.cluster import Objects
from costplane.actions.target import ObjectRef, Target, ref_of
from costplane.errors import InputError


def read_targets(path: Path, objects: Objects | None) -> list[Target]:
    """Targets from a file; findings are completed from `objects` (a cluster or manifests)."""
    items = _items(path)
    return [_target(item, f"{path}: item {index}", objects) for index, item in enumerate(items, 1)]


def namespace_targets(
    objects: Objects, namespaces: Sequence[str], kinds: Iterable[str], reason: str = ""
) -> list[Target]:
    """Every object of `kinds` in each namespace, with no money attached."""
    return [
        Target(obj, reason=reason or f"namespace {namespace}")
        for namespace in namespaces
        for kind in sorted(kinds)
        for obj in objects.list(kind, namespace)
    ]


def refreshed(targets: Sequence[Target], objects: Objects) -> list[Target]:
    """The same targets with their objects as `objects` has them now (so a live change is
    planned against what is live, not against an old export)."""
    current = []
    for target in targets:
        obj = objects.read(target.ref)
        current.append(replace(target, object=obj or target.object, missing=obj is None))
    return current


def _items(path: Path) -> list[Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if isinstance(document, dict):
        document = document.get("findings", document.get("targets"))
    if not isinstance(document, list):
        raise InputError(f"{path}: expected a JSON list of findings or targets")
    return document


def _target(item: Any, where: str, objects: Objects | None) -> Target:
    if not isinstance(item, Mapping):
        raise InputError(f"{where}: expected a JSON object")
    if "resource" in item:
        return _from_finding(item, where, objects)
    obj = item.get("object", item if "kind" in item else None)
    if not isinstance(obj, Mapping) or not ref_of(obj).kind or not ref_of(obj).name:
        raise InputError(f"{where}: object: a Kubernetes object needs kind and metadata.name")
    return Target(
        dict(obj),
        monthly_amount=_money(item.get("monthly_amount", "0"), f"{where}: monthly_amount"),
        currency=_currency(item.get("currency", ""), f"{where}: currency"),
        reason=str(item.get("reason", "")),
    )


def _from_finding(item: Mapping[str, Any], where: str, objects: Objects | None) -> Target:
    resource = item["resource"]
    if not isinstance(resource, Mapping) or not resource.get("kind") or not resource.get("name"):
        raise InputError(f"{where}: resource: needs kind and name")
    ref = ObjectRef(
        str(resource["kind"]), str(resource.get("namespace") or ""), str(resource["name"])
    )
    if objects is None:
        raise InputError(
            f"{where}: a finding names {ref}; give --manifests DIR or a cluster to read it"
        )
    obj = objects.read(ref)
    return Target(
        obj or _placeholder(ref),
        monthly_amount=_money(item.get("monthly_waste", "0"), f"{where}: monthly_waste"),
        currency=_currency(item.get("currency", ""), f"{where}: currency"),
        reason=str(item.get("message") or item.get("policy") or ""),
        finding=dict(item),
        missing=obj is None,
    )


def _placeholder(ref: ObjectRef) -> dict[str, Any]:
    """A finding's object that no longer exists: planned as skipped ("not found")."""
    metadata = {"name": ref.name, **({"namespace": ref.namespace} if ref.namespace else {})}
    return {"kind": ref.kind, "metadata": metadata}


MONEY_TEXT = 40
"""The audit log keeps an amount as text of at most this length (state/models.py)."""


def _money(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "0"))  # JSON numbers arrive as Decimal
    except InvalidOperation:
        raise InputError(f"{where}: not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise InputError(f"{where}: not a finite amount: {value!r}")
    if len(format(amount, "f")) > MONEY_TEXT:
        raise InputError(f"{where}: an amount of at most {MONEY_TEXT} characters: {value!r}")
    return amount


def _currency(value: Any, where: str) -> str:
    text = str(value or "")
    if text and not (len(text) == 3 and text.isalpha() and text.isupper()):
        raise InputError(f"{where}: an ISO 4217 code such as EUR, not {text!r}")
    return text
