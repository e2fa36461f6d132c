"""The JSON Schema editors and CI use to check `costplane.yaml` before Costplane runs."""

from __future__ import annotations

import json
import re
from typing import Any

from costplane.catalog import catalog_schema


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_the_schema_is_json_and_names_the_top_level_keys() -> None:
    schema = json.loads(json.dumps(catalog_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {
        "version",
        "currency",
        "labels",
        "redis",
        "service_classes",
        "price_sheet",
        "tenants",
        "budgets",
        "allocation",
        "chargeback",
        "notifications",
        "placement",
        "migration",
        "platform",
        "branding",
    }
    assert schema["required"] == ["currency", "service_classes", "price_sheet"]
    assert schema["additionalProperties"] is False


def test_every_reference_in_the_schema_resolves() -> None:
    schema = catalog_schema()
    refs = _refs(schema)
    assert refs
    names = {re.sub(r"^#/\$defs/", "", ref) for ref in refs}
    assert names <= set(schema["$defs"])


def test_money_accepts_text_or_number_in_the_schema() -> None:
    """Editors must not flag `monthly_fee: "450.10"` (quoted for exactness) as wrong."""
    fee = catalog_schema()["$defs"]["ServiceClass"]["properties"]["monthly_fee"]
    assert fee["type"] == ["string", "number"]
