"""The CLI's manners: flags take no value in the help, and Click's own errors (a missing
file, a bad option value, an unknown command) are one line on stderr with exit 2, as
the README promises, never a box."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

BOX = ("╭", "│", "╰")


@pytest.mark.parametrize(
    ("words", "flags"),
    [
        ([], ["--debug", "--version", "--help"]),
        (["demo"], ["--no-serve", "--help"]),
        (["findings", "list"], ["--all", "--help"]),
    ],
)
def test_the_help_shows_flags_without_a_value(cli: Run, words: list[str], flags: list[str]) -> None:
    result = cli(*words, "--help")
    assert result.exit_code == 0, result.stderr
    assert "<bool>" not in result.stdout
    lines = result.stdout.splitlines()
    for flag in flags:
        (line,) = [line for line in lines if f"{flag} " in line or line.endswith(flag)]
        after = line.split(flag, 1)[1]
        assert not after.strip().startswith("<"), f"{flag} is shown taking a value: {line!r}"


def test_the_help_still_shows_what_an_option_takes(cli: Run) -> None:
    result = cli("--help")
    assert "--home <dir>" in result.stdout


def test_debug_and_version_are_flags(cli: Run) -> None:
    assert cli("--debug", "--version").stdout.startswith("costplane ")
    refused = cli("--debug=yes", "catalog", "schema")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == "error: Option '--debug' does not take a value."


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert not any(mark in stderr for mark in BOX), stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_a_missing_file_is_one_line(costplane: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = costplane("--home", str(tmp_path), "ingest", "focus", str(missing))
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert f"file '{missing}' does not exist" in line
    assert line.endswith("(see `costplane ingest focus -h`)")
    assert result.stdout == ""
    assert not (tmp_path / ".costplane").exists()


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["demo", "--tenants", "many"], "Invalid value for '--tenants'"),
        (["findings", "list", "--status", "sleeping"], "Invalid value for '--status'"),
        (["report", "margin", "--period"], "Option '--period' requires an argument"),
        (["report", "margin", "--bogus"], "No such option: --bogus"),
        (["audit", "log"], "No such command 'log'"),
    ],
)
def test_a_bad_option_value_is_one_line(
    cli: Run, tmp_path: Path, words: list[str], said: str
) -> None:
    result = cli("--home", str(tmp_path), *words)
    assert result.exit_code == 2
    assert said in _one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_costplane_alone_prints_the_help(cli: Run) -> None:
    result = cli()
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: costplane [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.stderr
