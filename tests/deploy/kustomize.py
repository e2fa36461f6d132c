"""`kustomize build` for the fields deploy/kubernetes uses, so that the tests render the
base and its overlays where no kustomize binary is installed (Debian 12 has none; its
`kubernetes-client` carries kustomize 2, whose generated names differ).

Read: `resources` (files and directories), `namespace`, `images` (newName, newTag,
digest), `configMapGenerator` (`files`, with kustomize's content-hash name suffix and
the references to it renamed; `behavior: replace` of a base's generated ConfigMap) and
`patches` with an explicit `target` (kind and name) and a JSON 6902 patch (add, replace,
remove). Any other field is refused, naming the
file, so that a kustomization using more fails here instead of being misread. Where
`kubectl kustomize` (kustomize 5) is installed, test_manifests.py checks that both give
the same objects."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZATION = "kustomization.yaml"
FIELDS = frozenset(
    {"apiVersion", "kind", "resources", "namespace", "images", "configMapGenerator", "patches"}
)
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
)
_HASH_LETTERS = str.maketrans("013ae", "ghkmt")


class KustomizeError(ValueError):
    """A kustomization this renderer does not read (or that kustomize would refuse)."""


def build(directory: Path) -> list[dict[str, Any]]:
    """The objects `kubectl kustomize directory` prints, in the order read."""
    path = directory / KUSTOMIZATION
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = sorted(set(document) - FIELDS)
    if unknown:
        raise KustomizeError(f"{path}: {', '.join(unknown)}: not read by tests/deploy/kustomize")
    objects: list[dict[str, Any]] = []
    for entry in document.get("resources") or []:
        target = (directory / entry).resolve()
        if not target.is_relative_to(directory.resolve()) and not target.is_dir():
            raise KustomizeError(f"{path}: {entry}: a file outside the kustomization's root")
        if target.is_dir():
            objects += build(target)
        else:
            objects += [d for d in yaml.safe_load_all(target.read_text(encoding="utf-8")) if d]
    renamed: dict[str, str] = {}
    for generator in document.get("configMapGenerator") or []:
        config_map = _generated(directory, generator)
        renamed[generator["name"]] = config_map["metadata"]["name"]
        if generator.get("behavior", "create") == "replace":
            [old] = [o for o in objects if _generated_from(o, generator["name"])]
            objects.remove(old)
            renamed[old["metadata"]["name"]] = config_map["metadata"]["name"]
            if "namespace" in old["metadata"]:  # the replacement keeps the base's namespace
                config_map["metadata"]["namespace"] = old["metadata"]["namespace"]
        objects.append(config_map)
    for obj in objects:
        _rename_config_maps(obj, renamed)
    for patch in document.get("patches") or []:
        _patch(objects, patch, path)
    namespace = document.get("namespace")
    if namespace:
        for obj in objects:
            _set_namespace(obj, namespace)
    for image in document.get("images") or []:
        for obj in objects:
            _set_image(obj, image)
    return objects


def config_map_hash(data: dict[str, str]) -> str:
    """kustomize's name suffix for a generated ConfigMap: the SHA-256 of Go's JSON of
    kind, data and name (read as "" by kustomize 5's lookup of `metadata/name`), its
    HTML-escaping included, the first ten hex digits with 0, 1, 3, a, e replaced."""
    encoded = json.dumps(
        {"data": data, "kind": "ConfigMap", "name": ""},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        encoded = encoded.replace(raw, escaped)
    encoded = encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return hashlib.sha256(encoded.encode()).hexdigest()[:10].translate(_HASH_LETTERS)


def _generated_from(obj: dict[str, Any], name: str) -> bool:
    """Whether the object is a ConfigMap a base generated as `name` (with its suffix)."""
    generated = obj["metadata"]["name"]
    return (
        obj["kind"] == "ConfigMap"
        and generated.startswith(f"{name}-")
        and len(generated) == len(name) + 11
    )


def _generated(directory: Path, generator: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(generator) - {"name", "files", "behavior"})
    if generator.get("behavior", "create") not in ("create", "replace"):
        raise KustomizeError(f"{directory / KUSTOMIZATION}: behavior {generator['behavior']}")
    if unknown:
        raise KustomizeError(f"{directory / KUSTOMIZATION}: configMapGenerator: {unknown}")
    data: dict[str, str] = {}
    for entry in generator["files"]:
        key, _, source = str(entry).rpartition("=")
        data[key or Path(source).name] = (directory / source).read_text(encoding="utf-8")
    name = f"{generator['name']}-{config_map_hash(data)}"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def _rename_config_maps(node: Any, renamed: dict[str, str]) -> None:
    """Point volumes, env and envFrom at the generated (suffixed) names."""
    if isinstance(node, dict):
        for key in ("configMap", "configMapKeyRef", "configMapRef"):
            ref = node.get(key)
            if isinstance(ref, dict) and ref.get("name") in renamed:
                ref["name"] = renamed[ref["name"]]
        for value in node.values():
            _rename_config_maps(value, renamed)
    elif isinstance(node, list):
        for item in node:
            _rename_config_maps(item, renamed)


def _set_namespace(obj: dict[str, Any], namespace: str) -> None:
    if obj["kind"] not in CLUSTER_SCOPED:
        obj["metadata"]["namespace"] = namespace
    if obj["kind"] in ("RoleBinding", "ClusterRoleBinding"):
        for subject in obj.get("subjects") or []:
            if subject.get("kind") == "ServiceAccount" and subject.get("namespace") in (
                None,
                "default",
            ):
                subject["namespace"] = namespace


def _set_image(node: Any, image: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key in ("containers", "initContainers"):
            for container in node.get(key) or []:
                name = container.get("image", "").split("@")[0].split(":")[0]
                if name == image["name"]:
                    new = image.get("newName", name)
                    if "digest" in image:
                        container["image"] = f"{new}@{image['digest']}"
                    else:
                        tag = image.get("newTag")
                        container["image"] = f"{new}:{tag}" if tag else new
        for value in node.values():
            _set_image(value, image)
    elif isinstance(node, list):
        for item in node:
            _set_image(item, image)


def _patch(objects: list[dict[str, Any]], patch: dict[str, Any], path: Path) -> None:
    target = patch.get("target") or {}
    if set(target) != {"kind", "name"} or set(patch) != {"target", "patch"}:
        raise KustomizeError(f"{path}: a patch needs `target` with kind and name, and `patch`")
    matches = [
        o
        for o in objects
        if o["kind"] == target["kind"] and o["metadata"]["name"] == target["name"]
    ]
    if len(matches) != 1:
        raise KustomizeError(f"{path}: patch target {target} matches {len(matches)} objects")
    for operation in yaml.safe_load(patch["patch"]):
        _apply(matches[0], operation, path)


def _apply(obj: dict[str, Any], operation: dict[str, Any], path: Path) -> None:
    """One RFC 6902 operation (add, replace, remove)."""
    op = operation["op"]
    if op not in ("add", "replace", "remove"):
        raise KustomizeError(f"{path}: JSON patch op {op!r} not read here")
    *parents, last = [
        part.replace("~1", "/").replace("~0", "~") for part in operation["path"][1:].split("/")
    ]
    node: Any = obj
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    value = copy.deepcopy(operation.get("value"))
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(index, value)
        elif op == "replace":
            node[index] = value
        else:
            del node[index]
        return
    if op != "add" and last not in node:
        raise KustomizeError(f"{path}: {operation['path']}: nothing there to {op}")
    if op == "remove":
        del node[last]
    else:
        node[last] = value
