"""Loading policy files: every problem of every file found before anything runs.

A file holds `policies: [...]`, a bare list of policies, or one policy. A
directory stands for every `*.yaml` and `*.yml` file under it. Problems are
reported as `FILE:LINE: policy ID: PATH: message` and raised together in
`InputProblemsError` (exit 2); a policy id may appear once across all files.
Given the actions' vocabulary (`actions=`), each policy's actions are checked
against it too; without it they are read but not checked (nothing will act on them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from costplane.describe import describe
from costplane.errors import Problem
from costplane.governance.action_spec import ActionVocabulary, action_errors
from costplane.governance.policy import Policy
from costplane.governance.problems import invalid_policies
from costplane.governance.wording import explain
from costplane.governance.yaml_source import YamlSyntaxError, read_yaml
from costplane.yaml_source import START, Loc, Rejected, SourceMap

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy and where it was written."""

    policy: Policy
    file: str
    line: int


def load_policies(
    paths: Iterable[Path], *, actions: ActionVocabulary | None = None
) -> list[Policy]:
    """Policies from files and directories; InputProblemsError lists every problem."""
    return [loaded.policy for loaded in load_policy_files(paths, actions=actions)]


def load_policy_files(
    paths: Iterable[Path], *, actions: ActionVocabulary | None = None
) -> list[LoadedPolicy]:
    """As `load_policies`, keeping the file and line of each policy."""
    problems: list[Problem] = []
    loaded: list[LoadedPolicy] = []
    for path in _files(paths, problems):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), *START, f"cannot read the file: {exc}"))
            continue
        found, wrong = _parse(text, str(path), actions)
        loaded += found
        problems += wrong
    problems += _duplicates(loaded)
    if problems:
        raise invalid_policies(problems)
    return loaded


def parse_policies(
    text: str, file: str = "policies.yaml", *, actions: ActionVocabulary | None = None
) -> list[Policy]:
    """Policies from YAML text; `file` only names where problems are."""
    found, problems = _parse(text, file, actions)
    problems += _duplicates(found)
    if problems:
        raise invalid_policies(problems)
    return [loaded.policy for loaded in found]


def _files(paths: Iterable[Path], problems: list[Problem]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not inside:
                problems.append(Problem(str(path), *START, "no .yaml or .yml files here"))
            files += inside
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), *START, "file not found"))
    return files


def _parse(
    text: str, file: str, actions: ActionVocabulary | None
) -> tuple[list[LoadedPolicy], list[Problem]]:
    try:
        document, source = read_yaml(text)
    except YamlSyntaxError as exc:
        return [], [Problem(file, *exc.position, str(exc))]
    problems = [
        Problem(file, *source.value_at(loc), f"{_dotted(loc)}: {message}")
        for loc, message in source.rejected
    ]
    items, wrong = _policy_items(document)
    problems += [Problem(file, *source.value_at(loc), message) for loc, message in wrong]
    loaded = []
    for loc, raw in items:
        policy, found = _validate(raw, loc, source, file, actions)
        problems += found
        if policy is not None and not found:
            loaded.append(LoadedPolicy(policy, file, source.value_at(loc)[0]))
    return loaded, problems


def _policy_items(document: object) -> tuple[list[tuple[Loc, object]], list[tuple[Loc, str]]]:
    """The raw policies and where each is; or why the file has the wrong shape."""
    if document is None:
        return [], [((), "the file holds no policies (expected policies: [...])")]
    if isinstance(document, list):
        return [((index,), item) for index, item in enumerate(document)], []
    if not isinstance(document, dict):
        return [], [((), f"expected policies: [...], got {describe(document)}")]
    if "policies" not in document:
        return [((), document)], []  # one policy
    extra: list[tuple[Loc, str]] = [
        ((str(key),), f"unknown key {key!r} (a policy file holds policies: [...])")
        for key in document
        if key != "policies"
    ]
    policies = document["policies"]
    if not isinstance(policies, list):
        return [], [*extra, (("policies",), f"expected a list, got {describe(policies)}")]
    return [(("policies", index), item) for index, item in enumerate(policies)], extra


def _validate(
    raw: object, loc: Loc, source: SourceMap, file: str, actions: ActionVocabulary | None
) -> tuple[Policy | None, list[Problem]]:
    name = raw.get("id") if isinstance(raw, dict) else None
    label = f"policy {name}: " if isinstance(name, str) else ""
    errors = []
    if actions is not None and isinstance(raw, dict):
        errors = action_errors(raw.get("actions"), actions)
    try:
        policy: Policy | None = Policy.model_validate(raw)
    except ValidationError as exc:
        policy, errors = None, exc.errors(include_url=False) + errors
    return (None if errors else policy), _problems(errors, loc, source, file, label)


def _problems(
    errors: list[ErrorDetails], loc: Loc, source: SourceMap, file: str, label: str
) -> list[Problem]:
    """Validation errors of the policy at `loc`, each at its line."""
    problems = []
    for error in errors:
        if isinstance(error["input"], Rejected):
            continue  # reported where the YAML was read
        where: Loc = tuple(error["loc"])
        position = source.value_at((*loc, *where))
        named = where[:-1] if error["type"] in ("missing", "extra_forbidden") else where
        path = f"{_dotted(named)}: " if named else ""
        problems.append(Problem(file, *position, f"{label}{path}{explain(error)}"))
    return problems


def _duplicates(loaded: Sequence[LoadedPolicy]) -> list[Problem]:
    first: dict[str, LoadedPolicy] = {}
    problems = []
    for item in loaded:
        earlier = first.setdefault(item.policy.id, item)
        if earlier is not item:
            message = (
                f"duplicate policy id {item.policy.id!r} (first at {earlier.file}:{earlier.line})"
            )
            problems.append(Problem(item.file, item.line, 1, message))
    return problems


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
