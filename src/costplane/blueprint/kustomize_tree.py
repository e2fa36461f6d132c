"""A GitOps directory read as `kustomize build` would give it, for what `render` writes:
`resources` (files and directories), `namespace` and `labels`. Files no kustomization
uses are read as they are. Any other Kustomize feature (patches, generators, components)
is refused, naming the file: give `kustomize build`'s output instead."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from costplane.errors import InputError
from costplane.sources import manifest_files, read_objects

KUSTOMIZATION = "kustomization.yaml"
SUPPORTED = frozenset({"apiVersion", "kind", "resources", "namespace", "labels"})
CLUSTER_SCOPED = frozenset({"Namespace"})


def _kustomization(directory: Path) -> dict[str, Any]:
    path = directory / KUSTOMIZATION
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the kustomization: {exc}") from None
    unsupported = sorted(set(document) - SUPPORTED)
    if unsupported:
        raise InputError(
            f"{path}: {', '.join(unsupported)}: not read by Costplane; give the output of "
            "`kustomize build` instead"
        )
    return dict(document)


def _build(directory: Path, used: set[Path], depth: int = 0) -> list[dict[str, Any]]:
    if depth > 20:
        raise InputError(f"{directory}: kustomizations nested more than 20 deep")
    document = _kustomization(directory)
    used.add((directory / KUSTOMIZATION).resolve())
    objects: list[dict[str, Any]] = []
    for entry in document.get("resources") or []:
        target = (directory / str(entry)).resolve()
        if target.is_dir():
            objects += _build(target, used, depth + 1)
        elif target.is_file():
            used.add(target)
            objects += [copy.deepcopy(obj) for obj in read_objects(target)]
        else:
            raise InputError(f"{directory / KUSTOMIZATION}: resource {entry!r} not found")
    namespace = document.get("namespace")
    pairs: dict[str, str] = {}
    for label in document.get("labels") or []:
        pairs.update({str(k): str(v) for k, v in (label.get("pairs") or {}).items()})
    for obj in objects:
        metadata = obj.setdefault("metadata", {})
        if namespace and obj.get("kind") not in CLUSTER_SCOPED:
            metadata["namespace"] = namespace
        if pairs:
            metadata["labels"] = {**(metadata.get("labels") or {}), **pairs}
    return objects


def gitops_objects(root: Path) -> list[dict[str, Any]]:
    """Every object under `root`: kustomizations built, other files as they are."""
    directories = sorted({p.parent for p in root.rglob(KUSTOMIZATION) if p.is_file()})
    referenced: set[Path] = set()
    for directory in directories:
        for entry in _kustomization(directory).get("resources") or []:
            referenced.add((directory / str(entry)).resolve())
    used: set[Path] = set()
    objects: list[dict[str, Any]] = []
    for directory in directories:
        if directory.resolve() not in referenced:
            objects += _build(directory, used)
    for path in manifest_files(root):
        if path.resolve() not in used and path.name != KUSTOMIZATION:
            objects += list(read_objects(path))
    return objects
