"""GitOps mode: each change written as a Kustomize patch instead of touching the cluster.

One patch file per resource and action under `patches/<action>/<namespace>/`,
listed in the directory's `kustomization.yaml` under `patches:` with a
`target` (an existing kustomization keeps everything else, comments included;
a new one needs `resources:` pointing at the base). A patch that only touches
maps and scalars is written as a partial object, which Kustomize merges like
the JSON merge patch it is; one that sets a list is written as RFC 6902
operations computed against the object, because a strategic merge would merge
lists by key where the merge patch replaces them. A delete is `$patch: delete`.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from costplane.actions.change import Change, Plan
from costplane.actions.merge_patch import apply_merge_patch, has_list
from costplane.actions.target import Target
from costplane.errors import InputError
from costplane.parse_bounds import DocumentTooLargeError
from costplane.written_file import (
    NAME_MAX,
    check_target,
    make_directories,
    os_error,
    shown,
    write_text,
)
from costplane.yaml_source import bounded

KUSTOMIZATION = "kustomization.yaml"


def write_gitops(plan: Plan, directory: Path, targets: Sequence[Target]) -> list[Path]:
    """Write the plan's cluster changes as patch files plus the kustomization; the files.

    Every path is checked before anything is written: it stays under `directory`, with
    no symbolic link on the way, and is a regular file or a new name (written_file)."""
    objects = {(t.kind, t.namespace, t.name): t.object for t in targets}
    label = f"--gitops {shown(directory)}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(directory, exc, label) from exc
    kustomization_path = check_target(
        directory / KUSTOMIZATION, root=directory, label=f"{label}: {KUSTOMIZATION}"
    )
    kustomization = _read_kustomization(kustomization_path)
    patches = []
    for change in plan.cluster_changes:
        relative = patch_path(change)
        check_target(directory / relative, root=directory, label=f"{label}: {shown(relative)}")
        base = objects.get((change.kind, change.namespace, change.name), {})
        patches.append((change, relative, patch_document(change, base)))
    written = []
    for change, relative, document in patches:
        path = directory / relative
        where = f"{label}: {shown(relative)}"
        make_directories(path.parent, root=directory, label=where)
        write_text(path, _dumped(document), root=directory, label=where)
        _list_patch(kustomization, relative, change)
        written.append(path)
    if written:
        where = f"{label}: {KUSTOMIZATION}"
        write_text(kustomization_path, _dumped(kustomization), root=directory, label=where)
        written.append(directory / KUSTOMIZATION)
    return written


def patch_path(change: Change) -> str:
    """`patches/<action>/<namespace>/<kind>-<name>.yaml`; each part one path segment (a
    name that is not is refused), the file name cut, with a hash, to fit NAME_MAX."""
    namespace = change.namespace or "_cluster"
    for part in (change.action, namespace, change.kind, change.name):
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
            raise InputError(
                f"{change.kind} {shown(namespace)}/{shown(change.name)}: "
                "not a Kubernetes name; no patch file can be named after it"
            )
    name = f"{change.kind.lower()}-{change.name}.yaml"
    if len(os.fsencode(name)) > NAME_MAX:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        name = f"{change.kind.lower()}-{change.name[:200]}-{digest}.yaml"
    return f"patches/{change.action}/{namespace}/{name}"


def patch_document(change: Change, base: Mapping[str, Any]) -> Any:
    """The patch file's content for one change (see the module's note on the three forms)."""
    identity: dict[str, Any] = {"apiVersion": change.api_version, "kind": change.kind}
    metadata = {
        "name": change.name,
        **({"namespace": change.namespace} if change.namespace else {}),
    }
    if change.is_delete:
        return {"$patch": "delete", **identity, "metadata": metadata}
    patch = dict(change.merge_patch or {})
    if has_list(patch):
        return json_patch_operations(base, patch)
    return {**identity, **patch, "metadata": {**metadata, **patch.get("metadata", {})}}


def json_patch_operations(
    base: Any, patch: Mapping[str, Any], prefix: str = ""
) -> list[dict[str, Any]]:
    """RFC 6902 operations that turn `base` into what the merge patch makes of it."""
    operations: list[dict[str, Any]] = []
    for key, value in patch.items():
        path = f"{prefix}/{key.replace('~', '~0').replace('/', '~1')}"
        present = isinstance(base, Mapping) and key in base
        if value is None:
            if present:
                operations.append({"op": "remove", "path": path})
        elif isinstance(value, Mapping) and present and isinstance(base[key], Mapping):
            operations += json_patch_operations(base[key], value, path)
        else:  # "add" creates the member or replaces it
            operations.append({"op": "add", "path": path, "value": apply_merge_patch(None, value)})
    return operations


def _list_patch(kustomization: CommentedMap, relative: str, change: Change) -> None:
    group, _, version = change.api_version.rpartition("/")
    target: dict[str, str] = {"group": group, "version": version, "kind": change.kind}
    if change.namespace:
        target["namespace"] = change.namespace
    target["name"] = change.name
    entry = CommentedMap([("path", relative), ("target", CommentedMap(target))])
    patches = kustomization.setdefault("patches", CommentedSeq())
    # Kustomize applies patches in list order: the newest change must come last, or an
    # older one rewritten in place (sleep after a wake) would be undone by the other.
    for index in reversed(range(len(patches))):
        existing = patches[index]
        if isinstance(existing, Mapping) and existing.get("path") == relative:
            del patches[index]
    patches.append(entry)


def _read_kustomization(path: Path) -> CommentedMap:
    if not path.is_file():
        return CommentedMap(
            [("apiVersion", "kustomize.config.k8s.io/v1beta1"), ("kind", "Kustomization")]
        )
    try:
        document = bounded(_yaml()).load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise InputError(f"{path}: not readable as YAML: {exc}") from exc
    except DocumentTooLargeError as exc:
        raise InputError(f"{path}:{exc.line}:{exc.column}: {exc}") from None
    if not isinstance(document, CommentedMap):
        raise InputError(f"{path}: a kustomization is a YAML mapping")
    if not isinstance(document.get("patches", []), list):
        raise InputError(f"{path}: patches: expected a list")
    return document


def _yaml() -> YAML:
    yaml = YAML()  # round trip: keeps the user's comments and order
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dumped(document: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()
