"""A bad policy file: every problem at its line, as FILE:LINE: message, and nothing loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.governance.conftest import NOW

from costplane.actions import action_options
from costplane.errors import InputProblemsError
from costplane.governance import (
    Inventory,
    evaluate_policies,
    load_policies,
    parse_policies,
)
from costplane.governance.findings import findings_of

GOOD = """\
policies:
  - id: replicas-zero
    description: scaled to nothing
    resource: Deployment
    severity: low
    filters:
      - {key: spec.replicas, value: 0}
"""


def problems(text: str, file: str = "p.yaml") -> list[str]:
    with pytest.raises(InputProblemsError) as error:
        parse_policies(text, file, actions=action_options())
    return [str(problem) for problem in error.value.problems]


def test_a_good_file_loads() -> None:
    [policy] = parse_policies(GOOD)
    assert (policy.id, policy.resource, policy.severity.rank) == ("replicas-zero", "Deployment", 0)
    assert (policy.kinds, policy.fix) == (("Deployment",), "")


def test_a_list_of_kinds_and_a_fix() -> None:
    text = GOOD.replace("resource: Deployment", "resource: [Deployment, StatefulSet]").replace(
        "    severity: low\n", "    severity: low\n    fix: Scale it up, or delete it.\n"
    )
    [policy] = parse_policies(text)
    assert policy.kinds == ("Deployment", "StatefulSet")
    objects = [
        {"kind": "StatefulSet", "metadata": {"name": "idle"}, "spec": {"replicas": 0}},
        {"kind": "Deployment", "metadata": {"name": "busy"}, "spec": {"replicas": 2}},
    ]
    results = evaluate_policies([policy], Inventory.from_objects(objects), now=NOW)
    [finding] = findings_of(results, currency="EUR")
    assert (finding.resource.kind, finding.resource.name) == ("StatefulSet", "idle")
    assert finding.as_json()["fix"] == "Scale it up, or delete it."


def test_every_problem_is_reported_at_its_line() -> None:
    text = """\
policies:
  - id: cpu-high
    description: big cpu
    resource: deployment
    severity: urgent
    filters:
      - key: spec.template.spec.containers[0].resources.requests.cpu
        op: gt
        value: 2
      - key: spec.replicas
        op: gt
        value: "3"
      - or:
          - key: metadata.labels.app
            op: regex
            value: "(["
          - fact: cpu_p95_cores
            op: lt
            value: 100m
      - key: spec.template.spec.containers[*].resources.requests.memory
        value_type: bytes
        op: gt
        value: 4GX
      - {key: spec.replicas, op: greater, value: 1}
      - {key: spec.replicas, match: all, value: 1}
    actions:
      - type: anotate
"""
    assert problems(text) == [
        "p.yaml:4: policy cpu-high: resource: expected a Kubernetes kind such as Deployment "
        "(capitalised, as in the API) or one of database, cache, backup-set, tenant, "
        "environment, node-pool, got 'deployment'",
        "p.yaml:5: policy cpu-high: severity: expected one of 'low', 'medium', 'high' or "
        "'critical', got 'urgent'",
        "p.yaml:7: policy cpu-high: filters[0].key: spec.template.spec.containers[0].resources"
        '.requests.cpu holds a Kubernetes quantity ("500m", "4Gi"): add value_type: quantity '
        "(or bytes) so it compares as the amount it means",
        "p.yaml:12: policy cpu-high: filters[1].value: op gt compares numbers, but '3' is "
        "text: write 3 without quotes, or add a value_type",
        "p.yaml:16: policy cpu-high: filters[2].or[0].value: not a valid regular expression: "
        "missing ]: [ (patterns run by RE2: no backreferences or lookaround)",
        "p.yaml:17: policy cpu-high: filters[2].or[1].fact: fact cpu_p95_cores needs a "
        "window, e.g. window: 14d",
        "p.yaml:23: policy cpu-high: filters[3].value: not a size: '4GX' (expected e.g. 4Gi, "
        "4GiB, 512MB or a number of bytes) (value_type bytes)",
        "p.yaml:24: policy cpu-high: filters[4].op: expected one of 'eq', 'ne', 'gt', 'ge', "
        "'lt', 'le', 'in', 'not-in', 'contains', 'regex', 'absent', 'present' or 'empty', "
        "got 'greater'",
        "p.yaml:25: policy cpu-high: filters[5].match: match applies only to a key with [*] "
        "(any or all elements)",
        "p.yaml:27: policy cpu-high: actions[0].type: unknown action type 'anotate' (did you "
        "mean 'annotate'?); known types: annotate, delete-snapshot, mark-for-op, notify, "
        "patch, report, sleep, wake",
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("    severity: low\n", ""),
            "p.yaml:2: policy replicas-zero: missing required key 'severity'",
        ),
        (
            ("    resource: Deployment\n", "    resource:\n      - Deployment\n      - cronjob\n"),
            "p.yaml:6: policy replicas-zero: resource[1]: expected a Kubernetes kind such as "
            "Deployment (capitalised, as in the API) or one of database, cache, backup-set, "
            "tenant, environment, node-pool, got 'cronjob'",
        ),
        (
            ("    resource: Deployment\n", "    resource: []\n"),
            "p.yaml:4: policy replicas-zero: resource: expected a kind or a non-empty list of "
            "kinds, got an empty list",
        ),
        (
            ("    resource: Deployment\n", "    resource: [CronJob, Job, CronJob]\n"),
            "p.yaml:4: policy replicas-zero: resource[2]: CronJob is listed twice",
        ),
        (
            ("    severity: low\n", "    severity: low\n    fix: [scale it]\n"),
            "p.yaml:6: policy replicas-zero: fix: expected text, got a list",
        ),
        (
            ("    severity: low\n", "    severity: low\n    sevrity: low\n"),
            "p.yaml:6: policy replicas-zero: unknown key 'sevrity'",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{spec.replicas: 0, other: 1}"),
            "p.yaml:7: policy replicas-zero: filters[0]: a filter needs key (a value filter), "
            "fact, type, or is one of and/or/not",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{type: no-such, x: 1}"),
            "p.yaml:7: policy replicas-zero: filters[0].type: unknown filter type 'no-such'; "
            "known types: fact, value",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{key: 'spec..replicas', op: absent}"),
            "p.yaml:7: policy replicas-zero: filters[0].key: expected a key, found '.' (at "
            "character 6 of 'spec..replicas')",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{key: spec.replicas, op: absent, value: 1}"),
            "p.yaml:7: policy replicas-zero: filters[0].value: op absent takes no value",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{key: spec.replicas, op: gt}"),
            "p.yaml:7: policy replicas-zero: filters[0].op: op gt needs a value",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{key: spec.replicas, op: in, value: 1}"),
            "p.yaml:7: policy replicas-zero: filters[0].value: op in needs a non-empty list of "
            "values",
        ),
        (
            ("{key: spec.replicas, value: 0}", "{key: spec.replicas, value: .inf}"),
            "p.yaml:7: policies[0].filters[0].value: expected a finite number, got '.inf'",
        ),
        (
            ("      - {key: spec.replicas, value: 0}\n", "      - {key: spec.replicas\n"),
            "p.yaml:8: YAML syntax error: expected ',' or '}', but got '<stream end>'",
        ),
        (
            (
                "    description: scaled to nothing\n",
                "    description: scaled to nothing\n    description: again\n",
            ),
            "p.yaml:4: duplicate key 'description': a key may appear only once in a mapping",
        ),
    ],
)
def test_one_problem_at_its_line(edit: tuple[str, str], expected: str) -> None:
    old, new = edit
    assert GOOD.count(old) == 1
    assert problems(GOOD.replace(old, new)) == [expected]


def test_duplicate_ids_across_files_name_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text("\n\n" + GOOD)
    with pytest.raises(InputProblemsError) as error:
        load_policies([tmp_path])
    assert [str(p) for p in error.value.problems] == [
        f"{tmp_path / 'b.yaml'}:4: duplicate policy id 'replicas-zero' "
        f"(first at {tmp_path / 'a.yaml'}:2)"
    ]


def test_files_directories_and_shapes(tmp_path: Path) -> None:
    (tmp_path / "one.yml").write_text(GOOD.replace("policies:\n  - ", "").replace("\n    ", "\n"))
    listed = GOOD.replace("policies:\n", "").replace("replicas-zero", "listed")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "list.yaml").write_text(listed)
    (tmp_path / "notes.txt").write_text("not a policy")
    assert [p.id for p in load_policies([tmp_path])] == ["replicas-zero", "listed"]


def test_missing_files_and_empty_files_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# nothing yet\n")
    with pytest.raises(InputProblemsError) as error:
        load_policies([tmp_path / "absent.yaml", tmp_path / "empty.yaml"])
    assert [str(p) for p in error.value.problems] == [
        f"{tmp_path / 'absent.yaml'}:1: file not found",
        f"{tmp_path / 'empty.yaml'}:1: the file holds no policies (expected policies: [...])",
    ]


def test_savings_names_are_checked() -> None:
    text = (
        GOOD + "    savings:\n      monthly: size * price.cpux\n      where:\n"
        "        size: {key: spec.replicas}\n"
    )
    [problem] = problems(text)
    assert problem.startswith(
        "p.yaml:9: policy replicas-zero: savings.monthly: unknown name 'price.cpux'"
    )


def test_policies_may_share_settings_through_a_yaml_merge_key() -> None:
    text = """\
policies:
  - &common
    id: replicas-zero
    description: scaled to nothing
    resource: Deployment
    severity: low
    filters:
      - {key: spec.replicas, value: 0}
  - <<: *common
    id: replicas-zero-statefulsets
    resource: StatefulSet
    severity: bogus
"""
    assert problems(text) == [
        "p.yaml:12: policy replicas-zero-statefulsets: severity: expected one of 'low', "
        "'medium', 'high' or 'critical', got 'bogus'"
    ]
    [first, second] = parse_policies(text.replace("    severity: bogus\n", ""))
    assert (first.id, first.kinds) == ("replicas-zero", ("Deployment",))
    assert (second.id, second.kinds, second.severity) == (
        "replicas-zero-statefulsets",
        ("StatefulSet",),
        first.severity,
    )
