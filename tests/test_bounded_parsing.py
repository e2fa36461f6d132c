"""Hostile YAML and JSON: alias bombs and deep nesting are refused with the file, quickly.

Each hostile file is made here. The commands run in a child process held to 3 GB of
address space and 60 CPU-seconds (`resource.setrlimit`), so a regression fails the
test (killed, or a MemoryError: not exit 2) instead of taking the machine down.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from costplane.catalog import parse_catalog
from costplane.errors import InputError, InputProblemsError
from costplane.governance.load import parse_policies
from costplane.parse_bounds import MAX_ALIAS_VALUES, MAX_DEPTH
from costplane.sources.manifests import read_objects

MEMORY = 3 * 1024**3
CPU_SECONDS = 60


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def bounded(*args: str) -> subprocess.CompletedProcess[str]:
    """`costplane ARGS` in a child process under the memory and CPU limits."""
    executable = Path(sys.executable).with_name("costplane")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
    return subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        env=clean,
        preexec_fn=_limits,
        timeout=180,
        check=False,
    )


def laughs(indent: str = "") -> str:
    """The billion laughs: 10 lines whose aliases stand for 9^10 (3.5 billion) strings."""
    lines = [f'{indent}a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        repeated = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"{indent}a{level}: &a{level} [{repeated}]")
    return "\n".join(lines) + "\n"


DEPLOYMENT_HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"


def refused_with(done: subprocess.CompletedProcess[str], path: Path) -> str:
    """The one line of a refusal that names `path`; exit 2."""
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if str(path) in line]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def test_alias_bomb_as_catalog_is_refused_with_its_line(tmp_path: Path) -> None:
    catalog = tmp_path / "costplane.yaml"
    catalog.write_text(laughs())
    line = refused_with(bounded("catalog", "validate", str(catalog)), catalog)
    assert line.startswith(f"{catalog}:6:")
    assert f"repeat more than {MAX_ALIAS_VALUES:,} values" in line


def test_alias_bomb_as_policy_file_is_refused(tmp_path: Path) -> None:
    policies = tmp_path / "bomb.yaml"
    policies.write_text("policies:\n  - id: bomb\n    laughs:\n" + laughs("      "))
    line = refused_with(bounded("policy", "validate", str(policies)), policies)
    assert line.startswith(f"{policies}:")
    assert "values: write the values out" in line


@pytest.mark.parametrize("command", ["collect", "govern"])
def test_alias_bomb_in_a_manifest_is_refused(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    manifest = folder / "web.yaml"
    manifest.write_text(DEPLOYMENT_HEAD + "spec:\n" + laughs("  "))
    args = ["collect", "kubernetes"] if command == "collect" else ["govern"]
    done = bounded("--home", str(tmp_path / "project"), *args, "--manifests", str(folder))
    assert "values: write the values out" in refused_with(done, manifest)


@pytest.mark.parametrize("command", ["collect", "govern"])
def test_yaml_manifest_nested_30000_levels_is_refused_not_a_crash(
    tmp_path: Path, command: str
) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    manifest = folder / "deep.yaml"
    manifest.write_text(DEPLOYMENT_HEAD + "spec: " + "[" * 30_000 + "]" * 30_000 + "\n")
    assert manifest.stat().st_size < 65_000
    args = ["collect", "kubernetes"] if command == "collect" else ["govern"]
    done = bounded("--home", str(tmp_path / "project"), *args, "--manifests", str(folder))
    line = refused_with(done, manifest)  # was a segmentation fault (exit 139)
    assert f"nested deeper than {MAX_DEPTH} levels" in line
    assert f"{manifest}:4:" in line


def test_json_manifest_nested_100000_levels_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    manifest = folder / "deep.json"
    head = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": '
    manifest.write_text(head + "[" * 100_000 + "]" * 100_000 + "}")
    done = bounded("--home", str(tmp_path / "project"), "govern", "--manifests", str(folder))
    assert f"nested deeper than {MAX_DEPTH} levels" in refused_with(done, manifest)


def _nested_list(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_manifest_depth_bound_is_exact(tmp_path: Path, suffix: str) -> None:
    """MAX_DEPTH levels in all are read; one more is refused."""
    path = tmp_path / f"pod{suffix}"
    # the object itself and `spec` are two levels: the list adds the rest
    for levels, accepted in ((MAX_DEPTH - 1, True), (MAX_DEPTH, False)):
        body = '{"kind": "Pod", "metadata": {"name": "p"}, "spec": ' + _nested_list(levels) + "}"
        path.write_text(body)
        if accepted:
            [pod] = read_objects(path)
            assert pod["metadata"]["name"] == "p"
        else:
            with pytest.raises(InputError, match=f"{path}.*nested deeper than {MAX_DEPTH}"):
                list(read_objects(path))


def test_a_yaml_alias_inside_its_own_value_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(DEPLOYMENT_HEAD + "spec: &loop {again: *loop}\n")
    with pytest.raises(InputError, match=r"loop.yaml:4:\d+: the alias \*loop is inside"):
        list(read_objects(path))


def test_manifest_aliases_that_repeat_little_are_read(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(
        DEPLOYMENT_HEAD + "spec:\n  template: &t {metadata: {labels: {app: web}}}\n  copy: *t\n"
    )
    [deployment] = read_objects(path)
    assert deployment["spec"]["copy"] == {"metadata": {"labels": {"app": "web"}}}


def test_an_integer_too_long_for_python_is_an_input_error(tmp_path: Path) -> None:
    for suffix, body in ((".yaml", "replicas: "), (".json", '"replicas": ')):
        path = tmp_path / f"long{suffix}"
        text = '{"kind": "Deployment", "metadata": {"name": "d"}, ' + body + "9" * 5000 + "}"
        path.write_text(text)
        with pytest.raises(InputError, match=f"{path}: a value Costplane cannot read"):
            list(read_objects(path))


def test_catalog_and_policy_depth_is_bounded_in_process() -> None:
    deep = "x: " + _nested_list(MAX_DEPTH + 5) + "\n"
    with pytest.raises(InputProblemsError, match=f"nested deeper than {MAX_DEPTH}"):
        parse_catalog(deep)
    with pytest.raises(InputProblemsError, match=f"nested deeper than {MAX_DEPTH}"):
        parse_policies("policies: " + _nested_list(MAX_DEPTH + 5) + "\n")


def test_catalog_at_the_depth_bound_gets_the_models_answer_not_a_crash() -> None:
    """A value nested MAX_DEPTH levels reaches the model, which says what is wrong with it."""
    with pytest.raises(InputProblemsError) as raised:
        parse_catalog("currency: " + _nested_list(MAX_DEPTH - 1) + "\n")
    assert "nested deeper" not in str(raised.value)
    with pytest.raises(InputProblemsError) as policy_raised:
        parse_policies("policies: " + _nested_list(MAX_DEPTH - 1) + "\n")
    assert "nested deeper" not in str(policy_raised.value)


def test_an_integer_too_long_in_a_catalog_or_policy_is_a_problem_at_its_line() -> None:
    with pytest.raises(InputProblemsError, match=r"costplane.yaml:2:\d+: .*5000 digits"):
        parse_catalog("currency: EUR\nx: " + "9" * 5000 + "\n")
    with pytest.raises(InputProblemsError, match="5000 digits"):
        parse_policies("- id: x\n  severity: " + "9" * 5000 + "\n")


def _sleepy_manifests(folder: Path) -> Path:
    folder.mkdir()
    (folder / "web.yaml").write_text(
        DEPLOYMENT_HEAD.replace("shop", "shop-dev") + "spec: {replicas: 2}\n"
    )
    return folder


def test_alias_bomb_in_an_existing_kustomization_is_refused(tmp_path: Path) -> None:
    """`act run --gitops DIR` reads the kustomization already in DIR to add its patches."""
    manifests = _sleepy_manifests(tmp_path / "manifests")
    gitops = tmp_path / "gitops"
    gitops.mkdir()
    kustomization = gitops / "kustomization.yaml"
    kustomization.write_text(laughs())
    done = bounded("act", "run", "sleep", "--manifests", str(manifests),
                   "--namespace", "shop-dev", "--gitops", str(gitops))  # fmt: skip
    line = refused_with(done, kustomization)
    assert f"repeat more than {MAX_ALIAS_VALUES:,} values" in line
    assert not (gitops / "patches").exists()


def test_deep_json_as_a_findings_file_or_fleet_manifest_is_refused(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    findings = tmp_path / "findings.json"
    findings.write_text(deep)
    manifests = _sleepy_manifests(tmp_path / "manifests")
    line = refused_with(
        bounded("act", "run", "sleep", str(findings), "--manifests", str(manifests)), findings
    )
    assert f"nested deeper than {MAX_DEPTH} levels" in line
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "fleet.json").write_text(deep)
    done = bounded("--home", str(tmp_path / "project"), "ingest", "fleet", str(fleet))
    assert f"nested deeper than {MAX_DEPTH} levels" in refused_with(done, fleet / "fleet.json")
