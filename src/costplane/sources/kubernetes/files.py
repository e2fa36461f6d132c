"""Kubernetes objects from a GitOps repository or a `kubectl get -o json` export.

Only the kinds the collector reads are kept (a repository also holds
ConfigMaps and Secrets, which Costplane must not copy); Services only as load
balancers, as on the live path. Every object kept must be named, or the file
is refused with its path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costplane.errors import InputError
from costplane.kubernetes_kinds import kind_of
from costplane.sources.manifests import manifest_files, read_objects


@dataclass
class FilesRead:
    objects: list[dict[str, Any]] = field(default_factory=list)
    files: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    """Objects of other kinds (or non-load-balancer Services), by kind."""


def read_directory(directory: Path) -> FilesRead:
    """The objects of the collector's kinds in every YAML and JSON file under `directory`."""
    read = FilesRead()
    for path in manifest_files(directory):
        read.files += 1
        for obj in read_objects(path):
            kind = kind_of(obj)
            if kind is None or not kind.keeps(obj):
                read.ignored[str(obj.get("kind"))] += 1
                continue
            if not isinstance(obj.get("metadata"), dict) or not obj["metadata"].get("name"):
                raise InputError(f"{path}: a {obj['kind']} without metadata.name")
            problem = identity_problem(obj)
            if problem is not None:
                named = [obj["metadata"].get(key) for key in ("namespace", "name")]
                where = "/".join(part for part in named if isinstance(part, str) and part)
                raise InputError(f"{path}: {obj['kind']} {where}: {problem}")
            read.objects.append(obj)
    return read


def identity_problem(obj: dict[str, Any]) -> str | None:
    """What makes an object unusable as an inventory row (its identity, labels), or None."""
    metadata = obj["metadata"]
    for key in ("name", "namespace", "uid"):
        if metadata.get(key) is not None and not isinstance(metadata[key], str):
            return f"metadata.{key} must be text"
    if obj.get("apiVersion") is not None and not isinstance(obj["apiVersion"], str):
        return "apiVersion must be text"
    for key in ("labels", "annotations"):
        found = metadata.get(key)
        if found is None:
            continue
        if not isinstance(found, dict):
            return f"metadata.{key} must be a mapping"
        for name, value in found.items():
            if not isinstance(value, str):
                return f"metadata.{key}.{name} must be text"
    return None
