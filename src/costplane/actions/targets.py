"""Reading targets: a JSON file of findings or targets, or the objects of namespaces.

The file is a JSON list (or an object with a `findings` or `targets` list) whose
items are any of:

- a finding as `costplane govern --output json` writes it: `resource` (kind,
  namespace, name), `monthly_waste`, `currency`, `message`; the object itself is
  read from the cluster or `--manifests`. A suppressed finding (`status`) is left
  alone. A Namespace finding given to an action on a whole namespace (`sleep`,
  `wake`) stands for the namespace's objects of the action's kinds;
- a target: `object` (the Kubernetes object as JSON), and optionally
  `monthly_amount`, `currency`, `reason`;
- a bare Kubernetes object (with `kind` and `metadata`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from costplane.actions.cluster import Objects
from costplane.actions.target import ObjectRef, Target, ref_of
from costplane.errors import InputError
from costplane.parse_bounds import read_json

SUPPRESSED = "suppressed"


def read_targets(path: Path, objects: Objects | None, kinds: Iterable[str] = ()) -> list[Target]:
    """Targets from a file; findings are completed from `objects` (a cluster or manifests).

    `kinds`, given for an action on whole namespaces (sleep), are the kinds it acts on: a
    Namespace finding becomes the namespace's objects of those kinds (its money was the
    whole namespace's, so theirs is left to the price sheet)."""
    items = _items(path)
    wanted = frozenset(kinds)
    found: list[Target] = []
    for index, item in enumerate(items, 1):
        found += _targets(item, f"{path}: item {index}", objects, wanted)
    return found


def namespace_targets(
    objects: Objects, namespaces: Sequence[str], kinds: Iterable[str], reason: str = ""
) -> list[Target]:
    """Every object of `kinds` in each namespace, with no money attached."""
    return [
        Target(obj, reason=reason or f"namespace {namespace}", priced=False)
        for namespace in namespaces
        for kind in sorted(kinds)
        for obj in objects.list(kind, namespace)
    ]


def require_namespaces(
    objects: Objects, namespaces: Sequence[str], kinds: Iterable[str], where: str
) -> None:
    """Refuse a namespace that is not there: no Namespace object and no object of `kinds`
    in it (a manifest repository may leave the Namespace itself out)."""
    wanted = sorted(kinds)
    for namespace in namespaces:
        if objects.read(ObjectRef("Namespace", "", namespace, "v1")) is not None:
            continue
        if any(objects.list(kind, namespace) for kind in wanted):
            continue
        raise InputError(f"namespace {namespace!r} does not exist in {where}")


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
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    document = read_json(text, path, parse_float=Decimal)
    if isinstance(document, dict):
        document = document.get("findings", document.get("targets"))
    if not isinstance(document, list):
        raise InputError(f"{path}: expected a JSON list of findings or targets")
    return document


def _targets(item: Any, where: str, objects: Objects | None, kinds: frozenset[str]) -> list[Target]:
    if not isinstance(item, Mapping):
        raise InputError(f"{where}: expected a JSON object")
    if "resource" not in item:
        return [_target(item, where)]
    resource = item["resource"]
    if not isinstance(resource, Mapping) or not resource.get("kind") or not resource.get("name"):
        raise InputError(f"{where}: resource: needs kind and name")
    ref = ObjectRef(
        str(resource["kind"]), str(resource.get("namespace") or ""), str(resource["name"])
    )
    if item.get("status") == SUPPRESSED:
        until = item.get("suppressed_until")
        held = f"suppressed finding{f' (until {until})' if until else ''}"
        return [Target(_placeholder(ref), held=held, finding=dict(item))]
    if objects is None:
        raise InputError(
            f"{where}: a finding names {ref}; give --manifests DIR or a cluster to read it"
        )
    if ref.kind == "Namespace" and kinds and "Namespace" not in kinds:
        return _namespace_finding(item, where, ref.name, objects, kinds)
    return [_from_finding(item, where, ref, objects)]


def _namespace_finding(
    item: Mapping[str, Any], where: str, namespace: str, objects: Objects, kinds: frozenset[str]
) -> list[Target]:
    currency = _currency(item.get("currency", ""), f"{where}: currency")
    reason = str(item.get("message") or item.get("policy") or "")
    found = [
        Target(obj, currency=currency, reason=reason, finding=dict(item), priced=False)
        for kind in sorted(kinds)
        for obj in objects.list(kind, namespace)
    ]
    if found:
        return found
    held = f"nothing to act on in namespace {namespace} ({', '.join(sorted(kinds))})"
    return [Target(_placeholder(ObjectRef("Namespace", "", namespace)), held=held)]


def _target(item: Mapping[str, Any], where: str) -> Target:
    obj = item.get("object", item if "kind" in item else None)
    if not isinstance(obj, Mapping) or not ref_of(obj).kind or not ref_of(obj).name:
        raise InputError(f"{where}: object: a Kubernetes object needs kind and metadata.name")
    return Target(
        dict(obj),
        monthly_amount=_money(item.get("monthly_amount", "0"), f"{where}: monthly_amount"),
        currency=_currency(item.get("currency", ""), f"{where}: currency"),
        reason=str(item.get("reason", "")),
        priced="monthly_amount" in item,
    )


def _from_finding(item: Mapping[str, Any], where: str, ref: ObjectRef, objects: Objects) -> Target:
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
