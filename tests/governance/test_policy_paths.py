"""Key paths: the steps they name, and where a broken one is broken."""

from __future__ import annotations

import re

import pytest

from costplane.governance.inventory.paths import WILDCARD, PathSyntaxError, parse_path, read_path


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("spec.replicas", ("spec", "replicas")),
        (
            "spec.template.spec.containers[0].resources.requests.cpu",
            ("spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"),
        ),
        ("spec.containers[*].image", ("spec", "containers", WILDCARD, "image")),
        ("spec.containers[-1]", ("spec", "containers", -1)),
        (
            'metadata.labels."app.kubernetes.io/name"',
            ("metadata", "labels", "app.kubernetes.io/name"),
        ),
        ("metadata.labels['costplane.io/tenant']", ("metadata", "labels", "costplane.io/tenant")),
        ('spec.hard["requests.cpu"]', ("spec", "hard", "requests.cpu")),
    ],
)
def test_paths_parse_into_steps(text: str, steps: tuple[object, ...]) -> None:
    assert parse_path(text).steps == steps


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("spec..replicas", "character 6"),
        ("spec.replicas.", "ends with '.'"),
        ("spec.containers[x]", "inside []"),
        ("spec.containers[²]", "inside []"),  # a digit to Python, no index
        ("spec.containers[0", "unclosed '['"),
        ('metadata.labels."app', "unclosed quote"),
        ("", "must not be empty"),
    ],
)
def test_broken_paths_say_where(text: str, where: str) -> None:
    with pytest.raises(PathSyntaxError, match=re.escape(where)):
        parse_path(text)


def test_read_path_reaches_one_value_or_none() -> None:
    document = {"spec": {"containers": [{"image": "a"}, {"image": "b"}]}}
    assert read_path(document, parse_path("spec.containers[1].image").steps) == "b"
    assert read_path(document, parse_path("spec.containers[2].image").steps) is None
    assert read_path(document, parse_path("spec.containers.image").steps) is None
    assert read_path({"name": "abc"}, parse_path("name[0]").steps) is None  # text is not a list
