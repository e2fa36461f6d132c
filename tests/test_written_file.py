"""Files Costplane writes: only a regular file or a new name, never through a link, never
outside the directory given; `export focus --out` and `generate fleet --out` checked the
same way (exit 2, one line naming the path, nothing replaced)."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from costplane.errors import InputError
from costplane.surfaces.cli import app
from costplane.written_file import make_directories, write_text
from tests.conftest import DEMO_ARGS, DEMO_PERIOD, Run

Make = Callable[[Path], None]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    """A character device like /dev/null (1, 3), made in the test's own directory."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device needs root (the CI container runs as root)")


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def _directory(path: Path) -> None:
    path.mkdir()


def _dangling_link(path: Path) -> None:
    os.symlink(path.parent / "nowhere" / "victim", path)


SPECIAL: dict[str, tuple[Make, str]] = {
    "fifo": (_fifo, "FIFO"),
    "device": (_device, "device"),
    "socket": (_socket, "socket"),
    "directory": (_directory, "directory"),
    "dangling link": (_dangling_link, "symbolic link"),
}


@pytest.fixture
def linked_file(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "out"
    link.mkdir()
    os.symlink(victim, link / "focus.parquet")
    return link / "focus.parquet", victim


def _kind(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


@pytest.mark.parametrize("special", sorted(SPECIAL))
def test_what_is_not_a_regular_file_is_refused_and_left_as_it_was(
    tmp_path: Path, special: str
) -> None:
    make, word = SPECIAL[special]
    target = tmp_path / "file.txt"
    make(target)
    kind = _kind(target)
    with pytest.raises(InputError, match=word) as error:
        write_text(target, "text\n")
    assert str(target) in str(error.value)
    assert _kind(target) == kind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # no temporary left


def test_a_regular_file_is_replaced_whole_keeping_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old and longer\n")
    target.chmod(0o600)
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


@pytest.mark.parametrize("relative", ["../x.yaml", "a/../../x.yaml", "/etc/x.yaml", "."])
def test_a_path_leaving_the_root_is_refused(tmp_path: Path, relative: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(InputError, match="outside"):
        write_text(root / relative, "x\n", root=root)
    assert list(root.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root"]


def test_a_link_inside_the_root_is_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "sub")
    with pytest.raises(InputError, match="symbolic link"):
        write_text(root / "sub" / "x.yaml", "x\n", root=root)
    with pytest.raises(InputError, match="symbolic link"):
        make_directories(root / "sub" / "deeper", root=root)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["x" * 256, "é" * 128 + ".csv"])
def test_a_name_too_long_for_the_file_system_is_one_input_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="too long") as error:
        write_text(tmp_path / name, "x\n")
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_a_name_at_the_limit_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 255)
    write_text(target, "x\n")
    assert target.read_text() == "x\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_control_character_in_a_name_does_not_split_the_error(tmp_path: Path) -> None:
    target = tmp_path / "a\nb.txt"
    _fifo(target)
    with pytest.raises(InputError) as error:
        write_text(target, "x\n")
    assert "\n" not in str(error.value)
    assert "a\\x0ab.txt" in str(error.value)


# The commands: `export focus --out` on an allocated demo project, `generate fleet --out`.


@pytest.fixture(scope="module")
def allocated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project: October 2026 allocated, as `make demo` leaves it."""
    from typer.testing import CliRunner

    home = tmp_path_factory.mktemp("written") / "demo"
    clean = {k: None for k in os.environ if k.startswith("COSTPLANE_")}  # the embedded stores
    result = CliRunner().invoke(app, ["--home", str(home), *DEMO_ARGS], env=clean)
    assert result.exit_code == 0, result.stderr
    return home


def _export(cli: Run, home: Path, out: Path | str) -> tuple[int, str]:
    result = cli("--home", str(home), "export", "focus", "--period", DEMO_PERIOD,
                 "--out", str(out))  # fmt: skip
    return result.exit_code, result.stderr


@pytest.mark.parametrize("special", ["fifo", "device", "socket", "dangling link"])
def test_export_focus_refuses_to_replace_what_is_not_a_regular_file(
    cli: Run, allocated_home: Path, tmp_path: Path, special: str
) -> None:
    make, word = SPECIAL[special]
    out = tmp_path / "focus.parquet"
    make(out)
    kind = _kind(out)
    code, stderr = _export(cli, allocated_home, out)
    assert code == 2, stderr
    [line] = stderr.strip().splitlines()
    assert f"--out {out}" in line
    assert word in line
    assert _kind(out) == kind  # the FIFO, the device, the link are still there
    assert sorted(p.name for p in tmp_path.iterdir()) == ["focus.parquet"]


def test_export_focus_does_not_write_through_a_link(
    cli: Run, allocated_home: Path, linked_file: tuple[Path, Path]
) -> None:
    out, victim = linked_file
    code, stderr = _export(cli, allocated_home, out)
    assert code == 2, stderr
    assert "symbolic link" in stderr
    assert victim.read_text() == "precious\n"
    assert out.is_symlink()


def test_export_focus_with_an_over_long_name_is_exit_2_naming_it(
    cli: Run, allocated_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / ("f" * 300 + ".parquet")
    code, stderr = _export(cli, allocated_home, out)
    assert code == 2, stderr
    [line] = stderr.strip().splitlines()
    assert "too long" in line
    assert "f" * 300 in line
    assert list(tmp_path.iterdir()) == []


def test_export_focus_still_replaces_a_regular_file(
    cli: Run, allocated_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "focus.parquet"
    out.write_bytes(b"old")
    code, stderr = _export(cli, allocated_home, out)
    assert code == 0, stderr
    assert out.read_bytes()[:4] == b"PAR1"
    assert [p.name for p in tmp_path.iterdir()] == ["focus.parquet"]


def _generate(cli: Run, out: Path | str) -> tuple[int, str]:
    result = cli("generate", "fleet", "--tenants", "3", "--days", "2", "--seed", "1",
                 "--start", "2026-10-01", "--out", str(out))  # fmt: skip
    return result.exit_code, result.stderr


def test_generate_fleet_does_not_follow_a_link_planted_in_out(cli: Run, tmp_path: Path) -> None:
    out, outside = tmp_path / "fleet", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    os.symlink(outside, out / "kubernetes")
    victim = tmp_path / "victim.json"
    victim.write_text("precious\n")
    os.symlink(victim, out / "fleet.json")
    code, stderr = _generate(cli, out)
    assert code == 2, stderr
    assert "symbolic link" in stderr
    assert list(outside.iterdir()) == []
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("special", ["fifo", "device"])
def test_generate_fleet_out_that_is_not_a_directory_is_exit_2(
    cli: Run, tmp_path: Path, special: str
) -> None:
    make, _ = SPECIAL[special]
    out = tmp_path / "fleet"
    make(out)
    code, stderr = _generate(cli, out)
    assert code == 2, stderr
    assert str(out) in stderr
    assert _kind(out) != stat.S_IFREG


def test_ingest_fleet_does_not_write_the_catalog_through_a_dangling_link(
    cli: Run, tmp_path: Path
) -> None:
    """`ingest fleet` adopts the fleet's catalog when the project has none; a dangling link
    where the catalog goes must not let it write wherever the link points."""
    fleet, home = tmp_path / "fleet", tmp_path / "project"
    assert _generate(cli, fleet)[0] == 0
    home.mkdir()
    victim = tmp_path / "elsewhere.yaml"
    os.symlink(victim, home / "costplane.yaml")
    result = cli("--home", str(home), "ingest", "fleet", str(fleet))
    assert result.exit_code == 2, result.stderr
    assert "symbolic link" in result.stderr
    assert not victim.exists()


def test_a_relative_root_is_the_directory_the_user_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--gitops gitops/overlays/acme` and `generate fleet --out fleet`, as people type them:
    the files land in that directory, not in a copy of its path below it."""
    monkeypatch.chdir(tmp_path)
    root = Path("gitops/overlays/acme")
    root.mkdir(parents=True)  # as `act run --gitops` makes it first
    make_directories(root / "patches", root=root)
    write_text(root / "patches" / "x.yaml", "x\n", root=root)
    assert (tmp_path / "gitops/overlays/acme/patches/x.yaml").read_text() == "x\n"
    assert not (tmp_path / root / root).exists()
    with pytest.raises(InputError, match="outside"):
        write_text(root / ".." / "x.yaml", "x\n", root=root)


def test_generate_fleet_into_a_relative_out(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stderr = _generate(cli, "fleet")
    assert code == 0, stderr
    assert (tmp_path / "fleet" / "fleet.json").is_file()
    assert not (tmp_path / "fleet" / "fleet").exists()
