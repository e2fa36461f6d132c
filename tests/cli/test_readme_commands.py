"""The README's demo commands work on the demo project `make demo` builds: the same
month, the same numbers, and every `costplane --home demo ...` line exits 0."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from tests.conftest import DEMO_ARGS, Demo

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def readme_commands() -> list[str]:
    """Every line of the README's code blocks that runs a command on the demo project."""
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("costplane --home demo ")
    ]


def test_the_readme_says_what_make_demo_runs() -> None:
    said = re.search(r"`make demo` runs `costplane --home demo ([^`]*)`", README)
    assert said is not None, "the README no longer says what `make demo` runs"
    assert said.group(1).split() == DEMO_ARGS
    makefile = (ROOT / "Makefile").read_text()
    assert f"costplane --home $(DEMO) {' '.join(DEMO_ARGS)}\n" in makefile


def test_the_readme_shows_what_the_demo_prints(demo: Demo) -> None:
    """The headline and the bill in the README's output are the demo's own."""
    block = README.split("```\nCostplane demo:", 1)[1].split("```", 1)[0]
    headline = "Costplane demo:" + block.splitlines()[0]
    assert headline in demo.printed
    (bill,) = [line for line in block.splitlines() if "│ the bill " in line]
    assert bill in demo.printed
    for line in block.splitlines():
        if line.startswith("│ to tenants") or line.startswith("│ idle capacity"):
            assert line in demo.printed


def test_the_readme_has_demo_commands() -> None:
    assert len(readme_commands()) >= 10


@pytest.mark.parametrize("command", readme_commands(), ids=lambda c: c.split("#")[0].strip())
def test_a_readme_command_works_on_the_demo(
    command: str, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo.home.parent)  # the README runs from where `demo/` is
    words = shlex.split(command, comments=True)[1:]
    if "<fingerprint>" in words:
        listed = CliRunner().invoke(app, ["--home", "demo", "findings", "list", "-o", "json"])
        first = str(json.loads(listed.stdout)[0]["id"])
        shown = CliRunner().invoke(app, ["--home", "demo", "findings", "show", first, "-o", "json"])
        words[words.index("<fingerprint>")] = json.loads(shown.stdout)["fingerprint"]
    if "--until" in words:  # an example date; once it is past, a suppression is refused
        at = words.index("--until") + 1
        soon = dt.date.today() + dt.timedelta(days=30)
        words[at] = max(dt.date.fromisoformat(words[at]), soon).isoformat()
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 0, f"{command}: {result.stderr}"
    if "--out" in words:
        assert Path(words[words.index("--out") + 1]).exists()
