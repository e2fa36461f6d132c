"""A class that cannot render consistently is a catalog error: FILE:LINE, exit 2, nothing
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.blueprint.conftest import EXAMPLE
from tests.conftest import Run


def _home(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text()
    assert old in text
    (tmp_path / "costplane.yaml").write_text(text.replace(old, new, 1))
    return tmp_path


def _line_of(home: Path, fragment: str) -> int:
    lines = (home / "costplane.yaml").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


def _render(cli: Run, home: Path) -> tuple[int, list[str], Path]:
    out = home / "out"
    result = cli("--home", str(home), "render", "tenant", "kontor-buero", "--out", str(out))
    return result.exit_code, result.stderr.strip().splitlines(), out


def test_a_quota_smaller_than_the_minimum_odoo_environment(cli: Run, tmp_path: Path) -> None:
    home = _home(tmp_path, "staging: {cpu: 500m, memory: 4Gi}", "staging: {cpu: 500m, memory: 2Gi}")
    code, lines, out = _render(cli, home)
    assert code == 2
    line = _line_of(home, "staging: {cpu: 500m, memory: 2Gi}")
    assert lines[0].startswith(f"{home / 'costplane.yaml'}:{line}:")
    assert "service_classes.shared-standard.quota.staging" in lines[0]
    # a web pod (100m, 256Mi overhead + 1Gi hard) and a cron pod (2 x 100m, 256Mi + 512Mi
    # soft + 1Gi hard): 300m and 3Gi
    assert "smaller than the minimum Odoo environment (300m CPU, 3Gi)" in lines[0]
    assert len(lines) == 2
    assert not out.exists()


def test_a_sleep_schedule_on_production(cli: Run, tmp_path: Path) -> None:
    home = _home(
        tmp_path,
        "      filestore: {size: 50Gi}\n",
        "      filestore: {size: 50Gi}\n      sleep_environments: [staging, production]\n",
    )
    code, lines, out = _render(cli, home)
    assert code == 2
    line = _line_of(home, "sleep_environments: [staging, production]")
    assert lines[0].startswith(f"{home / 'costplane.yaml'}:{line}:")
    assert "sleep_environments[1]: a sleep schedule on production" in lines[0]
    assert not out.exists()


def test_an_autoscaler_below_the_ha_replicas(cli: Run, tmp_path: Path) -> None:
    home = _home(tmp_path, "max_replicas: 5", "max_replicas: 2")
    code, lines, _ = _render(cli, home)
    assert code == 2
    line = _line_of(home, "max_replicas: 2")
    assert lines[0].startswith(f"{home / 'costplane.yaml'}:{line}:")
    assert "max_replicas 2 is below ha_replicas 3" in lines[0]


@pytest.mark.parametrize(
    "image", ["docker.io/library/odoo:latest", "docker.io/library/odoo", "odoo:18.0 bad"]
)
def test_an_image_not_pinned_is_refused_where_it_is_written(
    cli: Run, tmp_path: Path, image: str
) -> None:
    home = _home(
        tmp_path,
        "odoo_image: docker.io/library/odoo:18.0-20250930",
        f"odoo_image: {image}",
    )
    result = cli("catalog", "validate", str(home / "costplane.yaml"))
    assert result.exit_code == 2
    line = _line_of(home, f"odoo_image: {image}")
    assert result.stderr.startswith(f"{home / 'costplane.yaml'}:{line}:")
    assert "platform.odoo_image" in result.stderr


def test_a_hard_memory_limit_not_above_the_soft_one(cli: Run, tmp_path: Path) -> None:
    home = _home(tmp_path, "limit_memory_hard: 1600Mi", "limit_memory_hard: 600Mi")
    result = cli("catalog", "validate", str(home / "costplane.yaml"))
    assert result.exit_code == 2
    assert "limit_memory_hard must be above limit_memory_soft" in result.stderr
