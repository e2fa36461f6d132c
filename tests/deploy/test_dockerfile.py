"""The Dockerfile, read where no image can be built: two stages on the same pinned slim
Python, Costplane installed with the locked versions in the builder, only the virtualenv
(and a font) in the runtime stage, no compiler anywhere, a numeric non-root user the
Kubernetes manifests agree with, `costplane` as the entry point, and a build context
that holds only what the build copies."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from tests.deploy.dockerfile import Stage, exec_form, stages

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
BUILD_TOOLS = re.compile(
    r"\b(gcc|g\+\+|clang|cc|make|build-essential|python3?-dev|libc6-dev|cargo|rustc)\b"
)
RUNTIME_PACKAGES = {"fonts-dejavu-core"}
"""What the runtime stage may add from Debian: DejaVu Sans for the statement PDF."""


def _pinned_python(stage: Stage) -> tuple[int, int, int]:
    found = re.fullmatch(r"python:(\d+)\.(\d+)\.(\d+)-slim(?:-bookworm|-trixie)?", stage.image)
    assert found is not None, f"{stage.image}: not python:X.Y.Z-slim pinned by its tag"
    major, minor, patch = (int(g) for g in found.groups())
    return major, minor, patch


def test_two_stages_on_the_same_pinned_slim_python_the_project_supports() -> None:
    builder, runtime = stages(DOCKERFILE)
    assert builder.name == "builder"
    assert builder.image == runtime.image  # the virtualenv's interpreter path holds
    major, minor, _ = _pinned_python(runtime)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={major}.{minor}"


def test_the_builder_installs_the_locked_versions() -> None:
    builder, _ = stages(DOCKERFILE)
    copied = " ".join(builder.arguments("COPY"))
    assert "constraints.txt" in copied
    assert "pyproject.toml" in copied
    assert "src" in copied
    runs = builder.arguments("RUN")
    install = [r for r in runs if "pip install" in r]
    assert install == [r for r in runs if "--constraint constraints.txt ." in r] != []
    assert all("-e " not in r and "--editable" not in r for r in install)
    assert any("pip check" in r for r in runs)
    # the lock pins every dependency Costplane declares
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lock = (ROOT / "constraints.txt").read_text()
    locked = {
        re.sub(r"[-_.]+", "-", m.group(1)).lower()
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)
    }
    for requirement in pyproject["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement)
        assert name is not None
        assert re.sub(r"[-_.]+", "-", name.group(0)).lower() in locked, requirement


def test_the_runtime_stage_holds_the_virtualenv_and_no_build_tool() -> None:
    builder, runtime = stages(DOCKERFILE)
    assert runtime.arguments("COPY") == [f"--from={builder.name} /opt/costplane /opt/costplane"]
    for stage in (builder, runtime):
        for run in stage.arguments("RUN"):
            assert not BUILD_TOOLS.search(run), run
    installs = [r for r in runtime.arguments("RUN") if "apt-get install" in r]
    assert len(installs) == 1
    [install] = installs
    assert "--no-install-recommends" in install
    assert "rm -rf /var/lib/apt/lists/*" in install
    words = install.split("apt-get install", 1)[1].split("&&")[0].split()
    assert {w for w in words if not w.startswith("-")} == RUNTIME_PACKAGES
    assert not any("pip install" in r for r in runtime.arguments("RUN"))
    assert any(a.startswith("PATH=/opt/costplane/bin:") for a in runtime.arguments("ENV"))


def test_a_numeric_non_root_user_and_costplane_as_the_entry_point() -> None:
    _, runtime = stages(DOCKERFILE)
    [user] = runtime.arguments("USER")
    uid, gid = (int(part) for part in user.split(":"))
    assert uid > 0
    assert gid > 0
    [created] = [r for r in runtime.arguments("RUN") if "useradd" in r]
    assert f"--uid {uid}" in created
    assert f"--gid {gid}" in created
    # USER comes after every RUN: nothing installed runs as root at container start
    order = [word for word, _ in runtime.instructions]
    assert order.index("USER") > max(i for i, w in enumerate(order) if w == "RUN")
    [entrypoint] = runtime.arguments("ENTRYPOINT")
    assert exec_form(entrypoint) == ["costplane"]
    [cmd] = runtime.arguments("CMD")
    assert exec_form(cmd) == ["serve", "--host", "0.0.0.0", "--port", "8080"]
    assert runtime.arguments("EXPOSE") == ["8080"]


def test_the_build_context_is_only_what_the_build_copies() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"

    def sent(path: str) -> bool:
        """Docker's rule: the last matching pattern wins; `!` re-includes."""
        included = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            bare = pattern.removeprefix("!").rstrip("/")
            under = fnmatch(path, bare) or fnmatch(path, bare + "/*") or path.startswith(bare + "/")
            named = bare.startswith("**/") and fnmatch(path.rsplit("/", 1)[-1], bare[3:])
            if under or named:
                included = negated
        return included

    builder, _ = stages(DOCKERFILE)
    for copy in builder.arguments("COPY"):
        *sources, _destination = copy.split()
        for source in sources:
            assert sent(source), source
    for kept_out in (".venv/bin/python", ".git/config", "tests/conftest.py", "demo/x.duckdb"):
        assert not sent(kept_out), kept_out
    assert not sent("src/costplane/__pycache__/app.cpython-311.pyc")
    assert sent("src/costplane/__init__.py")
