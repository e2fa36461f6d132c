"""deploy/kubernetes: the Kustomize base and the small overlay render (tests/deploy/kustomize.py,
checked against `kubectl kustomize` where installed), every object validates against
Kubernetes' schemas and the ServiceMonitor CRD, every pod runs locked down, the server's
probes and Service match the serve contract, the stores come from a Secret, and every
job's command line parses with this build's CLI, so that a renamed flag fails here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from costplane.quantity import cpu_cores, memory_bytes
from costplane.surfaces.cli import app
from tests.blueprint.schemas import crd_schemas, kubernetes_validate_errors, schema_errors
from tests.conftest import Run
from tests.deploy.kustomize import build, config_map_hash

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
LAYOUTS = ("base", "overlays/small")
IMAGE = "ghcr.io/costplane/costplane:0.1.0"
HOME = "/var/lib/costplane"
SERVE_CONTRACT = {"liveness": "/healthz", "readiness": "/readyz", "metrics": "/metrics"}
JOB_COMMANDS = {
    "costplane-collect-kubernetes": ("collect", "kubernetes"),
    "costplane-collect-prometheus": ("collect", "prometheus"),
    "costplane-collect-postgres": ("collect", "postgres"),
    "costplane-collect-redis": ("collect", "redis"),
    "costplane-collect-backups": ("collect", "backups"),
    "costplane-allocate": ("allocate",),
    "costplane-govern": ("govern",),
}
_VARIABLE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {layout: build(KUBERNETES / layout) for layout in LAYOUTS}


def _named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each workload's pod spec, by workload name."""
    specs = {}
    for obj in objects:
        if obj["kind"] == "Deployment":
            specs[obj["metadata"]["name"]] = obj["spec"]["template"]["spec"]
        elif obj["kind"] == "CronJob":
            specs[obj["metadata"]["name"]] = obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return specs


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def _example_secrets() -> dict[str, dict[str, str]]:
    text = (KUBERNETES / "base" / "secret.example.yaml").read_text()
    return {d["metadata"]["name"]: d["stringData"] for d in yaml.safe_load_all(text) if d}


def _kubectl_kustomize(directory: Path) -> list[dict[str, Any]]:
    """What `kubectl kustomize` builds, sorted; skips where no Kustomize 5 is installed."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with kustomize 5) is not installed")
    version = subprocess.run(
        [kubectl, "version", "--client"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"Kustomize Version: v(\d+)", version)
    if found is None or int(found.group(1)) < 5:
        pytest.skip("kubectl's kustomize is older than 5 (other generated names)")
    built = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=True
    ).stdout
    return sorted((o for o in yaml.safe_load_all(built) if o), key=_key)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_kubectl_kustomize_builds_the_same_objects(
    rendered: dict[str, list[dict[str, Any]]], layout: str
) -> None:
    assert sorted(rendered[layout], key=_key) == _kubectl_kustomize(KUBERNETES / layout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_object_validates_against_its_schema(
    rendered: dict[str, list[dict[str, Any]]], layout: str
) -> None:
    objects = rendered[layout]
    problems = [f"{_key(obj)}: {error}" for obj in objects for error in schema_errors(obj)]
    assert problems == []
    monitor = _named(objects, "ServiceMonitor", "costplane")
    assert (monitor["apiVersion"], "ServiceMonitor") in crd_schemas()
    first_of_kind = {obj["kind"]: obj for obj in objects}
    builtin = [o for o in first_of_kind.values() if o["kind"] != "ServiceMonitor"]
    assert all(kubernetes_validate_errors(obj) == [] for obj in builtin)


def test_the_schemas_refuse_a_misspelt_field() -> None:
    """The validation above can fail: in a built-in kind and in the ServiceMonitor CRD."""
    base = build(KUBERNETES / "base")
    cron = _named(base, "CronJob", "costplane-govern")
    assert schema_errors({**cron, "spec": {**cron["spec"], "concurrency": "Forbid"}})
    monitor = _named(base, "ServiceMonitor", "costplane")
    endpoint = {**monitor["spec"]["endpoints"][0], "paht": "/metrics"}
    assert schema_errors({**monitor, "spec": {**monitor["spec"], "endpoints": [endpoint]}})


def test_the_base_holds_the_server_the_jobs_the_rbac_and_the_monitor(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    objects = rendered["base"]
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == sorted(
        ["Namespace", "ServiceAccount", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"]
        + ["ConfigMap", "ConfigMap", "Deployment", "Service", "ServiceMonitor"]
        + ["CronJob"] * 7
    )
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "CronJob"} == set(JOB_COMMANDS)
    namespaced = [o for o in objects if o["kind"] not in ("Namespace", "ClusterRole")]
    namespaced = [o for o in namespaced if o["kind"] != "ClusterRoleBinding"]
    assert {o["metadata"]["namespace"] for o in namespaced} == {"costplane"}
    images = {c["image"] for spec in _pod_specs(objects).values() for c in _containers(spec)}
    assert images == {IMAGE}
    # the RBAC is the file tests/sources/kubernetes/test_rbac.py checks, bound to the one
    # job that reads the API; every other pod goes without a token
    rbac = KUBERNETES / "base" / "rbac.yaml"
    for obj in yaml.safe_load_all(rbac.read_text()):
        assert obj in objects
    specs = _pod_specs(objects)
    with_token = {name for name, s in specs.items() if s.get("automountServiceAccountToken")}
    assert with_token == {"costplane-collect-kubernetes"}
    assert specs["costplane-collect-kubernetes"]["serviceAccountName"] == "costplane-collector"
    others = {s["serviceAccountName"] for n, s in specs.items() if n not in with_token}
    assert others == {"costplane"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_pod_runs_as_non_root_on_a_read_only_root_file_system(
    rendered: dict[str, list[dict[str, Any]]], layout: str
) -> None:
    dockerfile_uid = re.search(r"^USER (\d+):(\d+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert dockerfile_uid is not None
    for name, spec in _pod_specs(rendered[layout]).items():
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert pod["runAsUser"] == int(dockerfile_uid.group(1)) > 0, name
        assert pod["runAsGroup"] == int(dockerfile_uid.group(2)), name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in _containers(spec):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert "privileged" not in context, where
            requests, limits = container["resources"]["requests"], container["resources"]["limits"]
            assert cpu_cores(requests["cpu"]) <= cpu_cores(limits["cpu"]), where
            assert memory_bytes(requests["memory"]) <= memory_bytes(limits["memory"]), where
            # what is writable: /tmp and the project directory, both emptyDir; the catalog
            # is the generated ConfigMap, read-only, at COSTPLANE_HOME/costplane.yaml
            mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]["name"]], where
            assert "emptyDir" in volumes[mounts[HOME]["name"]], where
            catalog = mounts[f"{HOME}/costplane.yaml"]
            assert catalog["readOnly"] is True, where
            assert catalog["subPath"] == "costplane.yaml", where
            config_map = volumes[catalog["name"]]["configMap"]["name"]
            assert re.fullmatch(r"costplane-catalog-[a-z0-9]{10}", config_map), where
            env = {e["name"]: e for e in container["env"]}
            assert env["COSTPLANE_HOME"]["value"] == HOME, where
            writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
            assert writable == {"/tmp", HOME}, where


def test_the_server_answers_the_serve_contract(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    objects = rendered["base"]
    deployment = _named(objects, "Deployment", "costplane-server")
    [server] = deployment["spec"]["template"]["spec"]["containers"]
    [port] = server["ports"]
    assert server["args"] == ["serve", "--host", "0.0.0.0", "--port", str(port["containerPort"])]
    assert port["name"] == "http"
    assert server["readinessProbe"]["httpGet"] == {
        "path": SERVE_CONTRACT["readiness"],
        "port": "http",
    }
    liveness = {"path": SERVE_CONTRACT["liveness"], "port": "http"}
    assert server["livenessProbe"]["httpGet"] == liveness
    [init] = deployment["spec"]["template"]["spec"]["initContainers"]
    assert init["args"] == ["db", "upgrade"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()

    service = _named(objects, "Service", "costplane")
    assert service["spec"]["selector"].items() <= labels.items()
    [service_port] = service["spec"]["ports"]
    assert service_port["targetPort"] == "http"
    expose = re.search(r"^EXPOSE (\d+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert expose is not None
    assert service_port["port"] == port["containerPort"] == int(expose.group(1))

    monitor = _named(objects, "ServiceMonitor", "costplane")
    selected = monitor["spec"]["selector"]["matchLabels"]
    assert selected.items() <= service["metadata"]["labels"].items()
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["port"] == service_port["name"]
    assert endpoint["path"] == SERVE_CONTRACT["metrics"]
    # /metrics answers 401 without a token (tests/metrics): the scrape carries one.
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "costplane-metrics", "key": "token"},
    }
    assert int(endpoint["scrapeTimeout"].rstrip("s")) < int(endpoint["interval"].rstrip("s"))
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]


def test_the_stores_and_the_sources_credentials_come_from_secrets_never_from_git(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    objects = rendered["base"]
    assert not [o for o in objects if o["kind"] == "Secret"]
    for path in KUBERNETES.rglob("kustomization.yaml"):
        listed = yaml.safe_load(path.read_text()).get("resources", [])
        assert not [entry for entry in listed if "secret" in entry], path
    secrets = _example_secrets()
    config_maps = {o["metadata"]["name"]: o["data"] for o in objects if o["kind"] == "ConfigMap"}
    for name, spec in _pod_specs(objects).items():
        for container in _containers(spec):
            env = {e["name"]: e for e in container["env"]}
            for store, key in (("STATE", "state-url"), ("WAREHOUSE", "warehouse-url")):
                reference = env[f"COSTPLANE_{store}_URL"]["valueFrom"]["secretKeyRef"]
                assert reference == {"name": "costplane-database", "key": key}, name
            for variable in env.values():
                source = variable.get("valueFrom", {})
                if "secretKeyRef" in source:
                    ref = source["secretKeyRef"]
                    assert ref["key"] in secrets[ref["name"]], (name, ref)
                elif "configMapKeyRef" in source:
                    ref = source["configMapKeyRef"]
                    assert ref["key"] in config_maps[ref["name"]], (name, ref)
                else:
                    assert "://" not in variable["value"], (name, variable)


def _environment(container: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, str]:
    """The container's variables as the kubelet sets them, the example Secrets' values."""
    secrets = _example_secrets()
    config_maps = {o["metadata"]["name"]: o["data"] for o in objects if o["kind"] == "ConfigMap"}
    values = {}
    for variable in container["env"]:
        source = variable.get("valueFrom", {})
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            values[variable["name"]] = secrets[ref["name"]][ref["key"]]
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            values[variable["name"]] = config_maps[ref["name"]][ref["key"]]
        else:
            values[variable["name"]] = variable["value"]
    return values


def _parsed(args: list[str], environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The command line parsed by this build's CLI (Typer's own click), variables from the
    environment given: an unknown flag, a bad value or a missing required option raises
    its usage error. Nothing runs."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    command: Any = typer.main.get_command(app)
    context = command.context_class(command, info_name="costplane")
    rest = list(args)
    while hasattr(command, "commands"):  # a group: descend to the named command
        name = rest.pop(0)
        command = command.get_command(context, name)
        assert command is not None, f"no command {name!r} in {args}"
        if hasattr(command, "commands"):
            context = command.context_class(command, info_name=name, parent=context)
    return command.make_context(name, rest, parent=context)


def _expanded(argument: str, environment: dict[str, str]) -> str:
    """`$(VAR)` replaced as the kubelet does in a container's args."""
    return _VARIABLE.sub(lambda m: environment[m.group(1)], argument)


@pytest.mark.parametrize(
    "workload", ["costplane-server", *JOB_COMMANDS], ids=lambda n: n.removeprefix("costplane-")
)
def test_every_command_line_is_one_this_build_accepts(
    rendered: dict[str, list[dict[str, Any]]],
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    workload: str,
) -> None:
    root: Any = typer.main.get_command(app)
    for layout in LAYOUTS:
        objects = rendered[layout]
        spec = _pod_specs(objects)[workload]
        for container in _containers(spec):
            args = container["args"]
            if args[0] not in root.commands:
                pytest.skip(f"`costplane {args[0]}` is not in this build yet (issue 16)")
            environment = _environment(container, objects)
            expanded = [_expanded(a, environment) for a in args]
            assert not any("$(" in a for a in expanded), expanded
            path = [a for a in expanded[:2] if not a.startswith("-")]
            if workload in JOB_COMMANDS:
                assert tuple(path) == JOB_COMMANDS[workload]
            shown = cli(*path, "--help")
            assert shown.exit_code == 0, shown.stderr
            for flag in (a for a in expanded if a.startswith("--")):
                assert re.search(rf"{re.escape(flag)}\b", shown.stdout), (workload, flag)
            context = _parsed(expanded, environment, monkeypatch)
            assert context.command.name == path[-1]


def _runs_per_day(schedule: str) -> int:
    """How often a `minute hour * * *` schedule runs in a day."""
    minute, hour, *rest = schedule.split()
    assert rest == ["*", "*", "*"], schedule

    def count(field: str, size: int) -> int:
        if field == "*":
            return size
        if field.startswith("*/"):
            return len(range(0, size, int(field[2:])))
        values = [int(v) for v in field.split(",")]
        assert all(0 <= v < size for v in values), schedule
        return len(values)

    return count(minute, 60) * count(hour, 24)


def test_jobs_never_overlap_and_the_small_overlay_runs_them_no_more_often_for_less(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    base, small = rendered["base"], rendered["overlays/small"]
    runs = {}
    for layout, objects in (("base", base), ("small", small)):
        for cron in (o for o in objects if o["kind"] == "CronJob"):
            spec = cron["spec"]
            assert spec["concurrencyPolicy"] == "Forbid"
            assert spec["timeZone"] == "Etc/UTC"
            assert spec["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0
            runs[layout, cron["metadata"]["name"]] = _runs_per_day(spec["schedule"])
    assert runs["base", "costplane-collect-kubernetes"] == 24
    assert runs["small", "costplane-collect-kubernetes"] == 4
    assert runs["small", "costplane-collect-redis"] < runs["base", "costplane-collect-redis"]
    assert all(runs["small", name] <= runs["base", name] for name in JOB_COMMANDS)

    def asked(objects: list[dict[str, Any]]) -> dict[str, tuple[Decimal, int, Decimal, int]]:
        found = {}
        for name, spec in _pod_specs(objects).items():
            for container in spec["containers"]:
                r, lim = container["resources"]["requests"], container["resources"]["limits"]
                found[name] = (
                    cpu_cores(r["cpu"]),
                    memory_bytes(r["memory"]),
                    cpu_cores(lim["cpu"]),
                    memory_bytes(lim["memory"]),
                )
        return found

    before, after = asked(base), asked(small)
    assert before.keys() == after.keys()
    for name in before:
        assert all(a <= b for a, b in zip(after[name], before[name], strict=True)), name
    assert after["costplane-server"] < before["costplane-server"]
    assert sum(a[3] for a in after.values()) < sum(b[3] for b in before.values())


def test_the_catalog_is_the_example_and_a_changed_catalog_gets_a_new_name(
    rendered: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    example = (ROOT / "examples" / "distribution-saas" / "costplane.yaml").read_text()
    [catalog] = [
        o
        for o in rendered["base"]
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("costplane-catalog-")
    ]
    assert catalog["data"] == {"costplane.yaml": example}
    assert catalog["metadata"]["name"] == f"costplane-catalog-{config_map_hash(catalog['data'])}"

    copy = tmp_path / "kubernetes"
    shutil.copytree(KUBERNETES, copy)
    (copy / "base" / "costplane.yaml").write_text(example.replace("Nordhafen", "Suedhafen"))
    changed = build(copy / "overlays" / "small")
    [renamed] = [o for o in changed if o["metadata"]["name"].startswith("costplane-catalog-")]
    assert renamed["metadata"]["name"] != catalog["metadata"]["name"]
    for spec in _pod_specs(changed).values():
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert volumes["catalog"]["configMap"]["name"] == renamed["metadata"]["name"]


def test_the_overlay_the_docs_show_gives_your_image_catalog_and_cluster(tmp_path: Path) -> None:
    """docs/deploy.md's own overlay, beside a copy of the checkout as the page lays it out."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "deploy.md").read_text(), re.S)
    [overlay] = [block for block in blocks if "behavior: replace" in block]
    shutil.copytree(ROOT / "deploy", tmp_path / "costplane" / "deploy")
    mine = tmp_path / "my-cluster"
    mine.mkdir()
    (mine / "kustomization.yaml").write_text(overlay)
    example = (ROOT / "examples" / "distribution-saas" / "costplane.yaml").read_text()
    catalog = example.replace("Nordhafen", "Suedhafen")
    (mine / "costplane.yaml").write_text(catalog)

    objects = build(mine)
    assert [f"{_key(o)}: {e}" for o in objects for e in schema_errors(o)] == []
    specs = _pod_specs(objects)
    images = {c["image"] for spec in specs.values() for c in _containers(spec)}
    assert images == {"registry.example.com/platform/costplane:0.1.0"}
    catalogs = [o for o in objects if o["metadata"]["name"].startswith("costplane-catalog-")]
    assert [c["data"] for c in catalogs] == [{"costplane.yaml": catalog}]
    for spec in specs.values():
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert volumes["catalog"]["configMap"]["name"] == catalogs[0]["metadata"]["name"]
    assert _named(objects, "ConfigMap", "costplane-settings")["data"] == {"cluster": "prod-eu-1"}
    small = {o["metadata"]["name"]: o for o in build(KUBERNETES / "overlays" / "small")}
    server = _named(objects, "Deployment", "costplane-server")
    assert (
        server["spec"]["template"]["spec"]["containers"][0]["resources"]
        == (small["costplane-server"]["spec"]["template"]["spec"]["containers"][0]["resources"])
    )
    assert sorted(objects, key=_key) == _kubectl_kustomize(mine)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_costplanes_own_deployment_passes_its_built_in_pack(
    rendered: dict[str, list[dict[str, Any]]], cli: Run, tmp_path: Path, layout: str
) -> None:
    """`govern --manifests`, the GitOps check a platform team runs on its pull requests,
    finds nothing in Costplane's own objects (its namespace is labelled shared platform)."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(ROOT / "examples" / "distribution-saas" / "costplane.yaml", home)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "costplane.yaml").write_text(yaml.safe_dump_all(rendered[layout]))
    result = cli("--home", str(home), "govern", "--manifests", str(manifests), "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
    namespace = _named(rendered[layout], "Namespace", "costplane")
    unlabelled = {**namespace, "metadata": {"name": "costplane"}}
    changed = [unlabelled if o is namespace else o for o in rendered[layout]]
    (manifests / "costplane.yaml").write_text(yaml.safe_dump_all(changed))
    result = cli("--home", str(home), "govern", "--manifests", str(manifests), "-o", "json")
    assert [f["policy"] for f in json.loads(result.stdout)] == ["labels-missing"]
