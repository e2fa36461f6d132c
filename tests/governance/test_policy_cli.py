"""`costplane policy validate|schema`, through the Typer app the lead registers."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from costplane.surfaces.cli.policy import app

GOOD = """\
policies:
  - id: replicas-zero
    description: scaled to nothing
    resource: Deployment
    severity: low
    filters:
      - {key: spec.replicas, value: 0}
"""


def test_validate_accepts_good_files(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(GOOD)
    done = CliRunner().invoke(app, ["validate", str(tmp_path / "ok.yaml")])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == f"{tmp_path / 'ok.yaml'}: valid — 1 policy: replicas-zero"


def test_validate_prints_file_line_message_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("value: 0}", 'op: gt, value: "0"}').replace("low", "urgent"))
    (tmp_path / "ok.yaml").write_text(GOOD.replace("replicas-zero", "other"))
    done = CliRunner().invoke(app, ["validate", str(bad), str(tmp_path / "ok.yaml")])
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{bad}:5: policy replicas-zero: severity: expected one of 'low', 'medium', 'high' "
        "or 'critical', got 'urgent'",
        f"{bad}:7: policy replicas-zero: filters[0].value: op gt compares numbers, but '0' is "
        "text: write 0 without quotes, or add a value_type",
        "error: 2 problems in policy files",
    ]


def test_schema_is_json_schema_of_the_file() -> None:
    done = CliRunner().invoke(app, ["schema"])
    assert done.exit_code == 0
    schema = json.loads(done.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    defs = schema["$defs"]
    assert {"Policy", "Filter", "ValueFilter", "FactFilter", "FactRef"} <= set(defs)
    policy = defs["Policy"]
    assert set(policy["required"]) == {"id", "description", "resource", "severity"}
    assert policy["properties"]["fix"]["type"] == "string"
    assert policy["properties"]["resource"]["anyOf"] == [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
    ]
    assert policy["properties"]["filters"]["items"] == {"$ref": "#/$defs/Filter"}
    assert defs["ValueFilter"]["properties"]["op"]["$ref"] == "#/$defs/Op"
    assert set(defs["Op"]["enum"]) >= {"eq", "not-in", "regex", "absent", "empty"}

    def references(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for value in node.values() for r in references(value)]
        if isinstance(node, list):
            return [r for item in node for r in references(item)]
        return []

    for reference in references(schema):
        assert reference.removeprefix("#/$defs/") in defs, reference
