"""The policy `regex` operator takes time linear in the text, whatever the pattern.

`^(a+)+$` on a 40-character namespace backtracked for minutes under Python's `re`.
The hostile run is a child process held to 60 CPU-seconds, so a regression fails
(killed by the limit) instead of spinning.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costplane.errors import InputProblemsError
from costplane.governance.filters.comparing import Comparing
from costplane.governance.load import parse_policies
from costplane.surfaces.cli.policy import app

CPU_SECONDS = 60

NESTED = "^(a+)+$"
NAMESPACE = "a" * 39 + "b"  # a valid namespace, and the worst text for NESTED under `re`


def policy(pattern: str) -> str:
    return f"""\
policies:
  - id: odd-namespace
    description: namespaces the pattern finds
    resource: Deployment
    severity: low
    filters:
      - {{key: metadata.namespace, op: regex, value: {json.dumps(pattern)}}}
"""


def _cpu_limit() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def deployment(namespace: str, name: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        "spec: {replicas: 1}\n"
    )


def test_nested_quantifier_on_a_40_character_namespace_finishes(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "odd.yaml").write_text(deployment(NAMESPACE, "web"))
    (manifests / "even.yaml").write_text(deployment("a" * 40, "api"))
    rules = tmp_path / "policies.yaml"
    rules.write_text(policy(NESTED))
    executable = Path(sys.executable).with_name("costplane")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
    started = time.monotonic()
    done = subprocess.run(
        [str(executable), "--home", str(tmp_path / "project"), "govern", "--no-pack",
         "--policies", str(rules), "--manifests", str(manifests), "-o", "json"],
        capture_output=True, text=True, env=clean, preexec_fn=_cpu_limit,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    found = [finding["resource"] for finding in json.loads(done.stdout)]
    assert found == [{"kind": "Deployment", "namespace": "a" * 40, "name": "api"}]
    assert time.monotonic() - started < 120


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(\w+)-\1$", "invalid escape sequence"),
        (r"^(?!kube-)", "invalid perl operator"),
        (r"(?<=odoo-)prod", "invalid perl operator"),
    ],
)
def test_validate_refuses_what_re2_cannot_run_in_linear_time(
    tmp_path: Path, pattern: str, reason: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(policy(pattern))
    done = CliRunner().invoke(app, ["validate", str(path)])
    assert done.exit_code == 2
    [line, summary] = done.stderr.splitlines()
    assert line.startswith(f"{path}:7: policy odd-namespace: filters[0].value: ")
    assert f"not a valid regular expression: {reason}" in line
    assert "no backreferences or lookaround" in line
    assert summary == "error: 1 problem in policy files"


def test_patterns_keep_their_meaning() -> None:
    """Search anywhere, `^`/`$` anchors, `(?i)`, classes: as the policy docs describe."""
    import datetime as dt

    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    cases = {
        ":latest$": ("odoo:latest", "odoo:latest-1"),
        "^kube-": ("kube-system", "my-kube-x"),
        "(?i)PROD": ("shop-prod", "shop-dev"),
        r"-\d{3}$": ("node-042", "node-42"),
        NESTED: ("aaaa", "aaab"),  # the hostile text only in the child process above
    }
    for pattern, (matching, other) in cases.items():
        [rule] = parse_policies(policy(pattern))
        [spec] = rule.filters
        assert isinstance(spec, Comparing)
        test = spec.comparison(now)
        assert (test(matching), test(other), test(None)) == (1, 0, 0), pattern
        assert test(7) == 2  # not text: unreadable, never a silent non-match


def test_a_pattern_too_large_for_re2_is_refused_at_load() -> None:
    with pytest.raises(InputProblemsError, match="not a valid regular expression"):
        parse_policies(policy("(a{1000}){1000}"))
