"""`costplane render tenant`: every class of the example catalog and of the fleet generator
renders, validates against Kubernetes' and the CRDs' schemas, passes the built-in policy
pack with zero findings, stays inside its quota, and renders byte-identically twice."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from costplane.blueprint import kustomize_files, render_tenant_objects
from costplane.quantity import cpu_cores, memory_bytes
from tests.blueprint.conftest import catalog_of
from tests.blueprint.schemas import crd_schemas, kubernetes_validate_errors, schema_errors
from tests.conftest import Run

MIB = 1024 * 1024
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.load_all(path.read_text(), Loader=_LOADER) if doc]


def _render(cli: Run, home: Path, tenant: str, out: Path, *extra: str) -> None:
    result = cli("--home", str(home), "render", "tenant", tenant, "--out", str(out), *extra)
    assert result.exit_code == 0, result.stderr


def _objects(directory: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(directory.rglob("*.yaml")):
        found += _load(path)
    return found


@pytest.fixture(scope="module")
def plain_renders(
    tmp_path_factory: pytest.TempPathFactory, example_home: Path, fleet_home: Path
) -> dict[str, Path]:
    """Every tenant of both catalogs rendered flat: one directory per catalog."""
    from typer.testing import CliRunner

    from costplane.surfaces.cli.app import app

    outs = {}
    for name, home in (("example", example_home), ("fleet", fleet_home)):
        out = tmp_path_factory.mktemp(f"plain-{name}")
        for tenant in catalog_of(home).tenants:
            args = ["--home", str(home), "render", "tenant", tenant.id]
            args += ["--out", str(out / tenant.id), "--format", "plain"]
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.stderr
        outs[name] = out
    return outs


@pytest.mark.parametrize("name", ["example", "fleet"])
def test_every_rendered_object_validates_against_its_schema(
    plain_renders: dict[str, Path], name: str
) -> None:
    objects = _objects(plain_renders[name])
    kinds = {obj["kind"] for obj in objects}
    assert {"IngressRoute", "Middleware", "Schedule", "Deployment", "ResourceQuota"} <= kinds
    problems = [
        f"{obj['kind']}/{obj['metadata'].get('namespace')}/{obj['metadata']['name']}: {error}"
        for obj in objects
        for error in schema_errors(obj)
    ]
    assert problems == []
    first_of_kind = {obj["kind"]: obj for obj in objects}
    builtin = [
        o for o in first_of_kind.values() if (o["apiVersion"], o["kind"]) not in crd_schemas()
    ]
    assert len(builtin) >= 10
    assert all(kubernetes_validate_errors(obj) == [] for obj in builtin)


def test_the_schemas_refuse_what_kubernetes_would() -> None:
    """The validation can fail: a misspelt field, in a built-in kind and in a CRD."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}
    assert schema_errors({**service, "spec": {"portz": []}})
    middleware = {"apiVersion": "traefik.io/v1alpha1", "kind": "Middleware"}
    assert schema_errors({**middleware, "metadata": {}, "spec": {"rateLimit": {"avg": 1}}})
    sleep = {"apiVersion": "kube-green.com/v1alpha1", "kind": "SleepInfo", "metadata": {}}
    assert schema_errors({**sleep, "spec": {"weekdays": "1-5", "sleepAt": 2000}})


@pytest.mark.parametrize("name", ["example", "fleet"])
@pytest.mark.parametrize("layout", ["plain", "kustomize"])
def test_rendered_environments_pass_the_built_in_pack_with_zero_findings(
    cli: Run,
    plain_renders: dict[str, Path],
    example_home: Path,
    fleet_home: Path,
    tmp_path: Path,
    name: str,
    layout: str,
) -> None:
    home = example_home if name == "example" else fleet_home
    directory = plain_renders[name]
    if layout == "kustomize":  # the layout's text as `render tenant` writes it
        directory = tmp_path / "gitops"
        catalog = catalog_of(home)
        for tenant in catalog.tenants:
            files = kustomize_files(render_tenant_objects(catalog, tenant.id), catalog)
            for relative, text in files.items():
                (directory / tenant.id / relative).parent.mkdir(parents=True, exist_ok=True)
                (directory / tenant.id / relative).write_text(text)
    result = cli("--home", str(home), "govern", "--manifests", str(directory), "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_pack_finds_what_a_render_without_its_fences_would_lack(
    cli: Run, plain_renders: dict[str, Path], example_home: Path, tmp_path: Path
) -> None:
    """Zero findings above mean something: drop the quota and the sleep schedule, and the
    pack reports them."""
    staging = plain_renders["example"] / "kontor-buero" / "staging.yaml"
    kept = [
        doc
        for doc in yaml.safe_load_all(staging.read_text())
        if doc["kind"] not in ("ResourceQuota", "SleepInfo")
    ]
    (tmp_path / "staging.yaml").write_text(yaml.safe_dump_all(kept))
    result = cli("--home", str(example_home), "govern", "--manifests", str(tmp_path), "-o", "json")
    assert result.exit_code == 0, result.stderr
    policies = sorted(finding["policy"] for finding in json.loads(result.stdout))
    assert policies == ["nonprod-no-sleep-schedule", "quota-missing"]


def _container_sum(obj: dict[str, Any], key: str) -> Decimal:
    spec = obj["spec"]
    pod = spec["jobTemplate"]["spec"]["template"] if obj["kind"] == "CronJob" else spec["template"]
    total = Decimal(0)
    for container in pod["spec"]["containers"]:
        value = container["resources"]["requests"][key]
        total += cpu_cores(value) if key == "cpu" else memory_bytes(value)
    return total


@pytest.mark.parametrize("name", ["example", "fleet"])
def test_requests_at_the_most_pods_fit_the_quota_which_is_the_entitlement(
    plain_renders: dict[str, Path], example_home: Path, fleet_home: Path, name: str
) -> None:
    catalog = catalog_of(example_home if name == "example" else fleet_home)
    checked = 0
    for tenant in catalog.tenants:
        service_class = catalog.service_classes[tenant.service_class]
        for kind in tenant.environments:
            path = plain_renders[name] / tenant.id / f"{kind.value}.yaml"
            objects = _load(path)
            quota = next(o for o in objects if o["kind"] == "ResourceQuota")["spec"]["hard"]
            entitled = service_class.quota[kind]
            assert cpu_cores(quota["requests.cpu"]) == entitled.cpu
            assert memory_bytes(quota["requests.memory"]) == entitled.memory
            hpa = {
                o["metadata"]["name"]: o for o in objects if o["kind"] == "HorizontalPodAutoscaler"
            }
            cpu = memory = Decimal(0)
            for obj in objects:
                if obj["kind"] not in ("Deployment", "CronJob"):
                    continue
                pods = obj["spec"].get("replicas", 1)
                if obj["metadata"]["name"] in hpa:
                    pods = hpa[obj["metadata"]["name"]]["spec"]["maxReplicas"]
                cpu += pods * _container_sum(obj, "cpu")
                memory += pods * _container_sum(obj, "memory")
            assert cpu <= entitled.cpu, (tenant.id, kind)
            assert memory <= entitled.memory, (tenant.id, kind)
            assert memory > entitled.memory * Decimal("0.9"), "the quota paid for is used"
            checked += 1
    assert checked >= 8


def _conf(text: str) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in text.splitlines() if " = " in line)
    return dict(pairs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["example", "fleet"])
def test_odoo_workers_follow_the_cpu_and_fit_the_pod_memory(
    plain_renders: dict[str, Path], name: str
) -> None:
    webs = 0
    for path in sorted(plain_renders[name].rglob("*.yaml")):
        objects = {(o["kind"], o["metadata"]["name"]): o for o in _load(path)}
        config = objects[("ConfigMap", "odoo-config")]["data"]
        web_conf, cron_conf = _conf(config["odoo.conf"]), _conf(config["odoo-cron.conf"])
        web = objects[("Deployment", "odoo-web")]["spec"]["template"]["spec"]["containers"][0]
        cpu = cpu_cores(web["resources"]["limits"]["cpu"])
        limit = memory_bytes(web["resources"]["limits"]["memory"])
        workers = int(web_conf["workers"])
        soft, hard = int(web_conf["limit_memory_soft"]), int(web_conf["limit_memory_hard"])
        assert 1 <= workers <= int(2 * cpu + 1)
        # main + gevent processes (256Mi by default), every worker at soft, one at hard
        assert 256 * MIB + (workers - 1) * soft + hard <= limit
        assert workers == int(2 * cpu + 1) or 256 * MIB + workers * soft + hard > limit
        assert web_conf["max_cron_threads"] == "0"
        assert web_conf["gevent_port"] == "8072"
        assert cron_conf["http_enable"] == "False"
        assert int(cron_conf["max_cron_threads"]) >= 1
        assert web["readinessProbe"]["httpGet"]["path"] == "/web/health"
        assert {p["containerPort"] for p in web["ports"]} == {8069, 8072}
        assert not any("value" in e and "PASSWORD" in e["name"] for e in web["env"])
        webs += 1
    assert webs >= 8


def _expand(field: str, top: int) -> set[int]:
    if field == "*":
        return set(range(top))
    if "/" in field:
        start, step = field.split("/")
        first = int(start.split("-")[0])
        return set(range(first, top, int(step)))
    return {int(field)}


def _longest_gap_minutes(cron: str) -> int:
    minute, hour, *_ = cron.split()
    times = sorted(h * 60 + m for h in _expand(hour, 24) for m in _expand(minute, 60))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return max([*gaps, times[0] + 1440 - times[-1]])


def test_backups_run_at_the_rpo_and_sleep_only_outside_production(
    plain_renders: dict[str, Path], example_home: Path
) -> None:
    catalog = catalog_of(example_home)
    for tenant in catalog.tenants:
        service_class = catalog.service_classes[tenant.service_class]
        for kind in tenant.environments:
            path = plain_renders["example"] / tenant.id / f"{kind.value}.yaml"
            objects = _load(path)
            kinds = [o["kind"] for o in objects]
            sleeps = service_class.sleep_schedule is not None and kind.value in (
                "staging",
                "development",
            )
            assert ("SleepInfo" in kinds) == sleeps, (tenant.id, kind)
            schedules = [o for o in objects if o["kind"] in ("Schedule", "CronJob")]
            if kind.value != "production":
                assert schedules == []
                continue
            assert len(schedules) == 2
            for schedule in schedules:
                gap = _longest_gap_minutes(schedule["spec"]["schedule"])
                assert gap <= service_class.backup.rpo_minutes
            velero = next(o for o in schedules if o["kind"] == "Schedule")
            assert velero["spec"]["template"]["includedNamespaces"] == [f"{tenant.id}-prod"]
            days = service_class.snapshot_retention_days
            assert velero["spec"]["template"]["ttl"] == f"{days * 24}h0m0s"


def test_dedicated_classes_run_their_own_redis_and_shared_use_the_platform(
    plain_renders: dict[str, Path],
) -> None:
    dedicated = _objects(plain_renders["example"] / "alpenpharm")
    redis = [o for o in dedicated if o["kind"] == "Deployment" and o["metadata"]["name"] == "redis"]
    assert len(redis) == 4
    args = redis[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:4] == ["--maxmemory", str(512 * MIB), "--maxmemory-policy", "allkeys-lru"]
    shared = _objects(plain_renders["example"] / "kontor-buero")
    assert not any(o["metadata"]["name"] == "redis" for o in shared)
    web = next(o for o in shared if o["metadata"]["name"] == "odoo-web")
    env = {
        e["name"]: e.get("value") for e in web["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["ODOO_SESSION_REDIS_HOST"] == "redis.redis.svc.cluster.local"
    assert env["ODOO_SESSION_REDIS_PREFIX"] == "kontor-buero:"


def test_rendering_is_byte_identical_and_kustomize_builds_the_flat_objects(
    cli: Run, example_home: Path, tmp_path: Path
) -> None:
    first, second, plain = tmp_path / "a", tmp_path / "b", tmp_path / "plain"
    _render(cli, example_home, "nordhafen-logistik", first)
    _render(cli, example_home, "nordhafen-logistik", second)
    _render(cli, example_home, "nordhafen-logistik", plain, "--format", "plain")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert sorted(p.name for p in plain.iterdir()) == [
        "development.yaml",
        "dr.yaml",
        "production.yaml",
        "staging.yaml",
    ]
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with kustomize) is not installed")
    for environment in ("production", "staging", "development", "dr"):
        built = subprocess.run(
            [kubectl, "kustomize", str(first / "overlays" / environment)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        flat = (plain / f"{environment}.yaml").read_text()
        key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
        expected = sorted((o for o in yaml.safe_load_all(flat) if o["kind"] != "Schedule"), key=key)
        assert sorted(yaml.safe_load_all(built), key=key) == expected
    backups = _objects(first / "backups")
    assert [o["kind"] for o in backups if o["kind"] != "Kustomization"] == ["Schedule"]


def test_one_environment_and_json_output(cli: Run, example_home: Path, tmp_path: Path) -> None:
    result = cli(
        "--home", str(example_home), "render", "tenant", "baltic-foods", "--environment", "dr",
        "--out", str(tmp_path), "--format", "plain", "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["files"] == ["dr.yaml"]
    [dr] = document["environments"]
    assert dr["environment"] == "dr"
    assert dr["namespace"] == "baltic-foods-dr"
    assert dr["objects"] == len(list(yaml.safe_load_all((tmp_path / "dr.yaml").read_text())))


def test_the_pure_function_gives_objects_per_environment(example_home: Path) -> None:
    rendering = render_tenant_objects(catalog_of(example_home), "transalp-parts")
    assert [env.kind.value for env in rendering.environments] == ["production", "staging", "dr"]
    production = rendering.environments[0]
    assert production.objects[0]["kind"] == "Namespace"
    hpa = [o for o in production.objects if o["kind"] == "HorizontalPodAutoscaler"]
    pdb = [o for o in production.objects if o["kind"] == "PodDisruptionBudget"]
    assert len(pdb) == 1
    assert pdb[0]["spec"]["maxUnavailable"] == 1
    assert hpa
    assert hpa[0]["spec"]["minReplicas"] == 3
    assert hpa[0]["spec"]["maxReplicas"] == 5


def test_a_re_rendering_removes_what_the_class_no_longer_gives(
    cli: Run, example_home: Path, tmp_path: Path
) -> None:
    """nordhafen-logistik's class loses its autoscaler: the HPA file goes, nothing else."""
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out"
    text = (example_home / "costplane.yaml").read_text()
    (home / "costplane.yaml").write_text(text)
    _render(cli, home, "nordhafen-logistik", out)
    (out / "README.md").write_text("kept")
    hpa = out / "overlays" / "production" / "horizontalpodautoscaler-odoo-web.yaml"
    assert hpa.is_file()
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("      autoscaling:"))
    assert lines[at + 1].lstrip().startswith("max_replicas: 5")
    (home / "costplane.yaml").write_text("".join(lines[:at] + lines[at + 2 :]))
    result = cli("--home", str(home), "render", "tenant", "nordhafen-logistik", "--out", str(out),
                 "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["removed"] == [
        "overlays/production/horizontalpodautoscaler-odoo-web.yaml"
    ]
    assert not hpa.exists()
    assert (out / "README.md").read_text() == "kept"
