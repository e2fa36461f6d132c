"""Kubernetes' own schemas for the rendered objects: kubernetes-validate for the built-in
kinds, the vendored CRDs' OpenAPI schemas (tests/data/crds, see SOURCE.md) for Traefik,
kube-green and Velero."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

CRDS = Path(__file__).parent.parent / "data" / "crds"
KUBERNETES_VERSION = "1.33.0"
"""A Kubernetes release kubernetes-validate carries schemas for (supported upstream)."""


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the served version's openAPIV3Schema, for every vendored CRD."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        spec = crd["spec"]
        for version in spec["versions"]:
            if version.get("served"):
                api = f"{spec['group']}/{version['name']}"
                found[(api, spec["names"]["kind"])] = version["schema"]["openAPIV3Schema"]
    return found


def _strict(schema: Any) -> Any:
    """The CRD schema refusing unknown fields where it lists properties (the API server
    prunes them silently: a misspelt field would vanish, not fail)."""
    if isinstance(schema, dict):
        result = {key: _strict(value) for key, value in schema.items()}
        open_ended = "additionalProperties" in schema or schema.get(
            "x-kubernetes-preserve-unknown-fields"
        )
        if "properties" in schema and not open_ended:
            result["additionalProperties"] = False
        return result
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def _definitions(schema_dir: str) -> Resource:
    return Resource.from_contents(
        schema_contents(
            f"kubernetes-json-schema/{schema_dir}/_definitions.json", KUBERNETES_VERSION
        )
    )


@cache
def _builtin(api_version: str, kind: str) -> jsonschema.Validator:
    """kubernetes-validate's strict schema for a kind, read once (its `validate` reads the
    definitions file, megabytes, on every call)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = f"v{KUBERNETES_VERSION}-local-strict"
    schema = schema_contents(
        f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json",
        KUBERNETES_VERSION,
    )
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = _definitions(schema_dir) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_errors(obj: dict[str, Any]) -> list[str]:
    """Why the object would be refused; empty when it validates."""
    key = (obj["apiVersion"], obj["kind"])
    crds = crd_schemas()
    if key in crds:
        schema = _strict(crds[key])
        schema["properties"]["metadata"] = {"type": "object"}
        validator = jsonschema.Draft7Validator(schema)
        return [
            f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(obj)
        ]
    validator = _builtin(obj["apiVersion"], obj["kind"])
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)
    ]


def kubernetes_validate_errors(obj: dict[str, Any]) -> list[str]:
    """The same check through kubernetes-validate's own entry point (slow: for a sample)."""
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [str(exc)]
    return []
