"""`render tenant` on the demo project (READ-ONLY: it writes only under its own --out)."""

from __future__ import annotations

import json
from pathlib import Path

from costplane.catalog import load_catalog
from tests.conftest import Run


def test_a_demo_tenant_of_each_class_renders_and_passes_the_pack(
    cli: Run, demo_home: Path, tmp_path: Path
) -> None:
    catalog = load_catalog(demo_home / "costplane.yaml")
    first_of_class = {t.service_class: t.id for t in reversed(catalog.tenants)}
    assert len(first_of_class) >= 3
    for tenant in sorted(first_of_class.values()):
        args = ["--home", str(demo_home), "render", "tenant", tenant]
        result = cli(*args, "--out", str(tmp_path / tenant), "--format", "plain", "-o", "json")
        assert result.exit_code == 0, result.stderr
        document = json.loads(result.stdout)
        environments = {env["environment"] for env in document["environments"]}
        assert environments == {k.value for k in catalog.tenant(tenant).environments}  # type: ignore[union-attr]
    result = cli("--home", str(demo_home), "govern", "--manifests", str(tmp_path), "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
