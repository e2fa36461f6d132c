"""A policy's actions are checked against the actions' own options when it loads: a bad
type or option is FILE:LINE: message, exit 2, like any other policy problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.governance.conftest import NOW
from tests.governance.test_policy_load import GOOD
from typer.testing import CliRunner

from costplane.actions import action_options
from costplane.errors import InputProblemsError
from costplane.governance import Inventory, evaluate_policies, parse_policies, policy_schema
from costplane.surfaces.cli.policy import app

POLICY = (
    GOOD
    + """\
    actions:
      - type: mark-for-op
        op: delete-snapshot
        days: 3
      - type: notify
        url: https://hooks.example.com/T0/B0
      - type: annotate
        costplane.io/owner: team-a
"""
)


def validate(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    done = CliRunner().invoke(app, ["validate", str(path)])
    return done.exit_code, [line.replace(str(path), "p.yaml") for line in done.stderr.splitlines()]


def test_a_policy_with_valid_actions_loads_and_runs(tmp_path: Path) -> None:
    assert validate(tmp_path, POLICY) == (0, [])
    [policy] = parse_policies(POLICY, actions=action_options())
    assert [(a.type, a.params) for a in policy.actions][:2] == [
        ("mark-for-op", {"op": "delete-snapshot", "days": 3}),
        ("notify", {"url": "https://hooks.example.com/T0/B0"}),
    ]
    idle = {"kind": "Deployment", "metadata": {"name": "idle"}, "spec": {"replicas": 0}}
    [result] = evaluate_policies([policy], Inventory.from_objects([idle]), now=NOW)
    assert [match.resource.name for match in result.matches] == ["idle"]


def test_an_unknown_action_type_is_at_its_line(tmp_path: Path) -> None:
    exit_code, lines = validate(tmp_path, POLICY.replace("type: notify", "type: notfy"))
    assert exit_code == 2
    assert lines == [
        "p.yaml:12: policy replicas-zero: actions[1].type: unknown action type 'notfy' (did "
        "you mean 'notify'?); known types: annotate, delete-snapshot, mark-for-op, notify, "
        "patch, report, sleep, wake",
        "error: 1 problem in policy files",
    ]


def test_an_unknown_parameter_is_at_its_line(tmp_path: Path) -> None:
    text = POLICY.replace("        days: 3\n", "        days: 3\n        weeks: 2\n")
    exit_code, lines = validate(tmp_path, text)
    assert exit_code == 2
    assert lines == [
        "p.yaml:12: policy replicas-zero: actions[0]: unknown key 'weeks'",
        "error: 1 problem in policy files",
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("days: 3", "days: soon"),
            "p.yaml:11: policy replicas-zero: actions[0].days: expected a whole number, got 'soon'",
        ),
        (
            ("url: https://hooks.example.com/T0/B0", "url: [a, b]"),
            "p.yaml:13: policy replicas-zero: actions[1].url: expected text, got a list",
        ),
        (
            ("costplane.io/owner: team-a", "costplane.io/owner: {team: a}"),
            "p.yaml:15: policy replicas-zero: actions[2].costplane.io/owner: expected text, "
            "got a mapping",
        ),
        (
            ("op: delete-snapshot", "op: shred"),
            "p.yaml:10: policy replicas-zero: actions[0].op: must name an action, not 'shred'",
        ),
    ],
)
def test_a_parameter_of_the_wrong_type_is_at_its_line(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    exit_code, lines = validate(tmp_path, POLICY.replace(*edit))
    assert exit_code == 2
    assert lines == [expected, "error: 1 problem in policy files"]


def test_action_problems_are_listed_with_the_policys_others() -> None:
    text = POLICY.replace("severity: low", "severity: urgent").replace("days: 3", "days: -1")
    with pytest.raises(InputProblemsError) as error:
        parse_policies(text, "p.yaml", actions=action_options())
    assert [str(problem) for problem in error.value.problems] == [
        "p.yaml:5: policy replicas-zero: severity: expected one of 'low', 'medium', 'high' or "
        "'critical', got 'urgent'",
        "p.yaml:11: policy replicas-zero: actions[0].days: Input should be greater than or "
        "equal to 0, got -1",
    ]


def test_the_schema_gives_each_action_type_its_options() -> None:
    schema = policy_schema(actions=action_options())
    variants = {item["title"]: item for item in schema["$defs"]["ActionSpec"]["anyOf"]}
    assert set(variants) == set(action_options())
    mark = variants["mark-for-op"]
    assert mark["properties"]["type"] == {"const": "mark-for-op"}
    assert mark["properties"]["days"]["type"] == "integer"
    assert mark["properties"]["days"]["minimum"] == 0
    assert mark["required"] == ["type", "op"]
    assert mark["additionalProperties"] is False
    assert variants["report"]["required"] == ["type"]


def test_policy_schema_prints_the_actions_options() -> None:
    printed = CliRunner().invoke(app, ["schema"])
    assert printed.exit_code == 0, printed.output
    variants = json.loads(printed.stdout)["$defs"]["ActionSpec"]["anyOf"]
    assert "notify" in {item["title"] for item in variants}
