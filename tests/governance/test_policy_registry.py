"""Plug-in filter types: registered by name, validated, in the schema, run by the engine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

import pytest
from tests.governance.conftest import deployment, names, policy_yaml, run_policy

from costplane.errors import InputProblemsError
from costplane.governance import (
    FILTERS,
    ResourceFilter,
    ResourceRef,
    Scope,
    filter_type,
    parse_policies,
    policy_schema,
)
from costplane.governance.filters.registry import FilterRegistry


@pytest.fixture
def image_registry() -> Iterator[type[ResourceFilter]]:
    @filter_type("image-registry")
    class ImageRegistry(ResourceFilter):
        """Containers pulling from a registry not on the list."""

        type: Literal["image-registry"] = "image-registry"
        allowed: list[str]

        def matches(self, resource: Mapping[str, Any], ref: ResourceRef, scope: Scope) -> bool:
            containers = resource["spec"]["template"]["spec"]["containers"]
            return any(c["image"].split("/")[0] not in self.allowed for c in containers)

    yield ImageRegistry
    FILTERS.unregister("image-registry")


def with_image(name: str, image: str) -> dict[str, Any]:
    return deployment(name, containers=[{"name": "c", "image": image}])


def test_a_registered_type_runs_inside_the_language(image_registry: type) -> None:
    objects = [
        with_image("ours", "registry.example.com/odoo:18"),
        with_image("hub", "docker.io/odoo:18"),
        with_image("hub-scaled-down", "docker.io/odoo:18"),
    ]
    objects[2]["spec"]["replicas"] = 0
    text = policy_yaml(
        "  - {type: image-registry, allowed: [registry.example.com]}\n"
        "  - {key: spec.replicas, op: gt, value: 0}"
    )
    assert names(run_policy(text, objects)) == ["hub"]


def test_its_options_are_validated_at_load(image_registry: type) -> None:
    with pytest.raises(InputProblemsError) as error:
        parse_policies(policy_yaml("  - {type: image-registry, allowed: 3}"), "t.yaml")
    assert "t.yaml:6: policy under-test: filters[0].allowed: expected a list, got 3" in str(
        error.value
    )


def test_the_schema_names_registered_types(image_registry: type) -> None:
    schema = policy_schema()
    assert "ImageRegistry" in schema["$defs"]
    assert {"$ref": "#/$defs/ImageRegistry"} in schema["$defs"]["Filter"]["anyOf"]


def test_a_type_needs_its_literal_type_field() -> None:
    registry = FilterRegistry("costplane.test-filters")
    with pytest.raises(TypeError, match="type: Literal"):

        @registry.register("untyped")
        class Untyped(ResourceFilter):
            def matches(self, resource: Mapping[str, Any], ref: ResourceRef, scope: Scope) -> bool:
                return True


def test_unknown_types_suggest_the_closest() -> None:
    with pytest.raises(KeyError, match="did you mean 'value'"):
        FILTERS.get("valeu")
