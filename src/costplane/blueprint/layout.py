"""Rendered objects as files: a Kustomize base with one overlay per environment, or flat
YAML per environment. Text only; the service layer writes it.

Kustomize layout (paths relative to `--out`):

    base/kustomization.yaml           the objects every environment has alike (the
    base/<kind>-<name>.yaml           Service, the NetworkPolicy), without namespace
    overlays/<env>/kustomization.yaml resources: ../../base and the environment's own
    overlays/<env>/<kind>-<name>.yaml objects; `namespace:` and the environment label
    backups/kustomization.yaml        Velero Schedules (they live in Velero's namespace,
    backups/<kind>-<name>.yaml        which an overlay's `namespace:` would override)

`kubectl kustomize overlays/<env>` gives the environment's objects exactly as the flat
layout (`<env>.yaml`) holds them. Every file is deterministic: keys sorted, objects in
apply order, no timestamps.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

import yaml

from costplane.blueprint.context import Manifest
from costplane.blueprint.render import RenderedEnvironment, TenantRendering
from costplane.catalog import Catalog

BASE_KINDS = frozenset({"Service", "NetworkPolicy"})
"""Kinds that may go to the base: no policy reads them across objects by namespace."""
SEPARATE_NAMESPACE_KINDS = frozenset({"Schedule"})


class _Dumper(yaml.SafeDumper):
    """Block style, text with line breaks as literal blocks (odoo.conf stays readable)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_NUMBER_LIKE = re.compile(r"^[0-9][0-9:._+-]*$")


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a literal block; text that a YAML 1.1 reader could take for a
    number or a time (`07:00`, sexagesimal there) quoted."""
    style = "|" if "\n" in value else "'" if _NUMBER_LIKE.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(objects: Sequence[Manifest]) -> str:
    """Objects as multi-document YAML, keys sorted."""
    return "".join(
        "---\n"
        + yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=100)
        for obj in objects
    )


def file_name(obj: Manifest) -> str:
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def plain_files(rendering: TenantRendering) -> dict[str, str]:
    """`<env>.yaml` per environment, every object in it (Velero's Schedule too)."""
    return {f"{env.kind.value}.yaml": to_yaml(env.objects) for env in rendering.environments}


def _neutral(obj: Manifest, environment_key: str) -> Manifest:
    """The object without its namespace and environment label, as the base holds it."""
    neutral = copy.deepcopy(obj)
    neutral["metadata"].pop("namespace", None)
    neutral["metadata"].get("labels", {}).pop(environment_key, None)
    return neutral


def _base(environments: Sequence[RenderedEnvironment], environment_key: str) -> list[Manifest]:
    """Objects of a base kind that every environment renders alike, bar namespace and label."""
    first, *others = environments
    common = []
    for obj in first.objects:
        if obj["kind"] not in BASE_KINDS:
            continue
        neutral = _neutral(obj, environment_key)
        if all(any(_neutral(o, environment_key) == neutral for o in env.objects) for env in others):
            common.append(neutral)
    return common


def _kustomization(body: dict[str, Any]) -> str:
    document = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", **body}
    return yaml.dump(document, Dumper=_Dumper, sort_keys=True, default_flow_style=False)


def kustomize_files(rendering: TenantRendering, catalog: Catalog) -> dict[str, str]:
    """The Kustomize base, one overlay per environment, and the backups directory."""
    environment_key = catalog.labels.environment
    environments = rendering.environments
    if not environments:
        return {}
    base = _base(environments, environment_key)
    files: dict[str, str] = {f"base/{file_name(obj)}": to_yaml([obj]) for obj in base}
    files["base/kustomization.yaml"] = _kustomization(
        {"resources": [file_name(obj) for obj in base]}
    )
    backups: list[Manifest] = []
    for env in environments:
        own = []
        for obj in env.objects:
            if obj["kind"] in SEPARATE_NAMESPACE_KINDS:
                backups.append(obj)
            elif _neutral(obj, environment_key) not in base:
                own.append(obj)
        folder = f"overlays/{env.kind.value}"
        for obj in own:
            files[f"{folder}/{file_name(obj)}"] = to_yaml([obj])
        files[f"{folder}/kustomization.yaml"] = _kustomization(
            {
                "namespace": env.namespace,
                "resources": ["../../base", *(file_name(obj) for obj in own)],
                "labels": [
                    {
                        "pairs": {environment_key: env.kind.value},
                        "includeSelectors": False,
                        "includeTemplates": False,
                    }
                ],
            }
        )
    if backups:
        for obj in backups:
            files[f"backups/{file_name(obj)}"] = to_yaml([obj])
        files["backups/kustomization.yaml"] = _kustomization(
            {"resources": [file_name(obj) for obj in backups]}
        )
    return dict(sorted(files.items()))
