"""Kubernetes objects from files: a GitOps repository or an export.

Reads YAML (multi-document) and JSON files, including `kubectl get -o json`
lists (`kind: List` or `*List` with `items`), and yields each object as its
camelCase JSON. A file that does not parse is an input error naming it.

YAML is read as Kubernetes reads it (YAML 1.1 to JSON, as `sigs.k8s.io/yaml`
does): an unquoted timestamp stays the string it was written as, so every object
can be stored as JSON. PyYAML's libyaml loader does it twenty times faster than a
pure-Python one (a GitOps repository holds tens of thousands of documents).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from costplane.errors import InputError
from costplane.sources.object_names import check_object_names

SUFFIXES = (".json", ".yaml", ".yml")
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _KubernetesLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML whose timestamps stay strings, as in Kubernetes' YAML-to-JSON."""


_KubernetesLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str
)


def manifest_files(directory: Path) -> list[Path]:
    """Every manifest file under `directory`, in a stable order."""
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    return sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def read_objects(path: Path) -> Iterator[dict[str, Any]]:
    """The Kubernetes objects in one file, lists unwrapped; a name Kubernetes would refuse
    is refused (it would end up in paths: GitOps patches)."""
    for document in _documents(path):
        for obj in _unwrap(document, path):
            check_object_names(obj, str(path))
            yield obj


def _documents(path: Path) -> Iterator[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            yield json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
        return
    try:
        yield from yaml.load_all(text, Loader=_KubernetesLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc


def _unwrap(document: Any, path: Path, where: str = "") -> Iterator[dict[str, Any]]:
    """The objects in one document; `where` names an item inside a list in errors."""
    if document is None:
        return
    kind = document.get("kind") if isinstance(document, dict) else None
    if not isinstance(kind, str) or not kind:
        raise InputError(f"{path}{where}: not a Kubernetes object or list (no 'kind' text)")
    if kind == "List" or kind.endswith("List"):
        items = document.get("items") or []
        if not isinstance(items, list):
            raise InputError(f"{path}{where}: the items of a {kind} must be a list")
        for index, item in enumerate(items):
            yield from _unwrap(_with_kind(item, document), path, f"{where}: items[{index}]")
        return
    yield document


def _with_kind(item: Any, listing: dict[str, Any]) -> Any:
    """`kubectl get` typed lists (PodList) may omit kind/apiVersion on items."""
    if not isinstance(item, dict) or "kind" in item or listing["kind"] == "List":
        return item
    return {"apiVersion": listing.get("apiVersion", "v1"), "kind": listing["kind"][:-4], **item}
