"""The JSON Schema of a policy file, for editors and `costplane policy schema`.

Built when asked, from the registry, so plug-in filter types appear in it; given the
actions' vocabulary, each action type's options too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from costplane.governance.action_spec import ActionVocabulary
from costplane.governance.filters.operands import FactRef
from costplane.governance.filters.registry import FILTERS
from costplane.governance.policy import Policy

_REF = "#/$defs/{model}"


def policy_schema(actions: ActionVocabulary | None = None) -> dict[str, Any]:
    """Draft 2020-12 schema: `policies: [...]`, a list of policies, or one policy; with
    `actions`, an action is one of those types with exactly its options."""
    defs: dict[str, Any] = {}
    defs["Policy"] = _lift(Policy.model_json_schema(ref_template=_REF), defs)
    if actions is not None:
        defs["ActionSpec"] = {"anyOf": [_action(name, actions[name], defs) for name in actions]}
    defs["FactRef"] = _lift(FactRef.model_json_schema(ref_template=_REF), defs)
    variants: list[dict[str, Any]] = []
    for name in FILTERS.names():
        model = FILTERS.get(name)
        defs[model.__name__] = _lift(model.model_json_schema(ref_template=_REF), defs)
        variants.append({"$ref": f"#/$defs/{model.__name__}"})
    variants += [_connective("and"), _connective("or"), _connective("not"), _SHORTHAND]
    defs["Filter"] = {"anyOf": variants}
    policies = {"type": "array", "items": {"$ref": "#/$defs/Policy"}}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Costplane policy file",
        "anyOf": [
            {
                "type": "object",
                "properties": {"policies": policies},
                "required": ["policies"],
                "additionalProperties": False,
            },
            policies,
            {"$ref": "#/$defs/Policy"},
        ],
        "$defs": defs,
    }
    resolved: dict[str, Any] = _resolve(schema)
    return resolved


def _resolve(node: Any) -> Any:
    """Turn the models' placeholders (`x-costplane-ref`) into references to the file's $defs:
    pydantic would try to resolve a `$ref` it did not make itself."""
    if isinstance(node, dict):
        if "x-costplane-ref" in node:
            return {"$ref": f"#/$defs/{node['x-costplane-ref']}"}
        return {key: _resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    return node


def _lift(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Move a model schema's own $defs up to the file's."""
    defs.update(schema.pop("$defs", {}))
    return schema


def _action(name: str, options: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """`{type: NAME, ...options}` for one action type, from its options model."""
    schema = _lift(options.model_json_schema(ref_template=_REF), defs)
    schema["title"] = name
    schema["properties"] = {"type": {"const": name}, **schema.get("properties", {})}
    schema["required"] = ["type", *schema.get("required", [])]
    return schema


def _connective(name: str) -> dict[str, Any]:
    filters: dict[str, Any] = {"type": "array", "items": {"$ref": "#/$defs/Filter"}, "minItems": 1}
    if name == "not":
        filters = {"anyOf": [filters, {"$ref": "#/$defs/Filter"}]}
    return {
        "type": "object",
        "properties": {name: filters},
        "required": [name],
        "additionalProperties": False,
    }


_SHORTHAND = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "description": "{PATH: VALUE}: shorthand for {key: PATH, op: eq, value: VALUE}",
}
