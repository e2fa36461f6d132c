"""Every command a pack policy's fix tells people to run exists: each is run with `--help`
through the real application, and an action it names is a registered action."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from costplane.actions import action_types
from costplane.governance.builtin_pack import pack_policies
from costplane.surfaces.cli.app import app

COMMAND = re.compile(r"`(costplane [^`]+)`")
WORD = re.compile(r"[a-z][a-z0-9-]*")


def named_commands() -> list[tuple[str, str]]:
    """(policy id, command) for every `costplane ...` a fix names, in backticks."""
    found = []
    for item in pack_policies():
        fix = item.policy.fix
        found += [(item.policy.id, command) for command in COMMAND.findall(fix)]
    return found


def command_words(command: str) -> list[str]:
    """The command's words up to its first option or placeholder (`act run sleep`)."""
    words = []
    for word in command.split()[1:]:
        if not WORD.fullmatch(word):
            break
        words.append(word)
    return words


def test_fixes_name_commands_in_backticks_only() -> None:
    """A command in prose could not be checked: every `costplane` a fix names is quoted."""
    for item in pack_policies():
        bare = re.sub(COMMAND, "", item.policy.fix)
        assert not re.search(r"\bcostplane (?!\.io)", bare), (item.policy.id, item.policy.fix)


def test_the_pack_names_commands() -> None:
    assert {policy for policy, _ in named_commands()} >= {
        "nonprod-idle",
        "snapshot-stale",
        "restore-unverified",
    }


@pytest.mark.parametrize(("policy", "command"), named_commands())
def test_every_command_a_fix_names_exists(policy: str, command: str) -> None:
    words = command_words(command)
    result = CliRunner().invoke(app, [*words, "--help"])
    assert result.exit_code == 0, f"{policy}: `{command}`: {result.output}"
    if words[:2] == ["act", "run"]:
        assert words[2] in action_types(), f"{policy}: `{command}`: no action {words[2]!r}"
