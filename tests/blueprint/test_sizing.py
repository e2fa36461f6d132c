"""The worker model on classes no catalog here has: for any quota, HA level, autoscaler,
Odoo limits, cron threads and tenancy, a class either renders inside its quota with
Odoo's limits fitting each pod, or is refused as a catalog error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costplane.blueprint import render_problems, render_tenant_objects
from costplane.catalog import Catalog
from costplane.quantity import cpu_cores, memory_bytes

MIB = 1024 * 1024
KINDS = ("production", "staging", "development", "dr")


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4, unique=True))
    quota = {
        kind: {
            "cpu": f"{draw(st.integers(50, 32000))}m",
            "memory": f"{draw(st.integers(256, 131072))}Mi",
        }
        for kind in kinds
    }
    soft = draw(st.integers(128, 2048))
    ha = draw(st.integers(1, 5))
    scaling = draw(st.one_of(st.none(), st.integers(ha - 1, ha + 4)))
    service_class = {
        "tenancy": draw(st.sampled_from(["shared", "dedicated"])),
        "quota": quota,
        "database_band_gib": {"min_gib": 0, "max_gib": draw(st.integers(1, 2000))},
        "snapshot_retention_days": 7,
        "log_retention_days": 7,
        "backup": {
            "rpo_minutes": draw(st.integers(1, 3000)),
            "rto_minutes": 60,
            "restore_test_interval_days": 30,
        },
        "ha_replicas": ha,
        "support_level": "x",
        "monthly_fee": "1",
        "blueprint": {
            "odoo": {
                "limit_memory_soft": f"{soft}Mi",
                "limit_memory_hard": f"{soft + draw(st.integers(1, 2048))}Mi",
                "process_overhead": f"{draw(st.integers(64, 1024))}Mi",
                "max_cron_threads": draw(st.integers(1, 4)),
            },
            "autoscaling": None if not scaling else {"max_replicas": scaling},
            "redis": {"maxmemory": f"{draw(st.integers(16, 4096))}Mi"},
        },
    }
    return Catalog.model_validate(
        {
            "currency": "EUR",
            "service_classes": {"c": service_class},
            "price_sheet": {
                "cpu": {"amount": 23, "unit": "core-month"},
                "memory": {"amount": 3, "unit": "GiB-month"},
                "storage": {"standard-rwo": {"amount": 0.1, "unit": "GiB-month"}},
                "database_storage": {"amount": 0.1, "unit": "GiB-month"},
                "snapshot": {"amount": 0.1, "unit": "GiB-month"},
                "object_storage": {"amount": 0.1, "unit": "GiB-month"},
                "log_ingest": {"amount": 0.1, "unit": "GiB"},
                "log_retention": {"amount": 0.1, "unit": "GiB-month"},
                "backup": {"amount": 0.1, "unit": "GiB-month"},
                "load_balancer": {"amount": 0.1, "unit": "hour"},
                "egress": {"amount": 0.1, "unit": "GB"},
            },
            "tenants": [
                {
                    "id": "t",
                    "name": "T",
                    "service_class": "c",
                    "region": "eu",
                    "contracts": [{"start": "2026-01-01"}],
                    "environments": {k: {"namespaces": [f"t-{k}"]} for k in kinds},
                }
            ],
        }
    )


def _requests(container: dict) -> tuple[object, int]:  # type: ignore[type-arg]
    requests = container["resources"]["requests"]
    return cpu_cores(requests["cpu"]), memory_bytes(requests["memory"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_a_class_renders_inside_its_quota_or_is_a_catalog_error(catalog: Catalog) -> None:
    problems = render_problems(catalog)
    if problems:
        assert all(loc[:2] == ("service_classes", "c") for loc, _ in problems)
        return
    service_class = catalog.service_classes["c"]
    for environment in render_tenant_objects(catalog, "t").environments:
        entitled = service_class.quota[environment.kind]
        objects = environment.objects
        hpa = {o["metadata"]["name"]: o["spec"]["maxReplicas"] for o in objects
               if o["kind"] == "HorizontalPodAutoscaler"}  # fmt: skip
        cpu = memory = 0
        for obj in objects:
            if obj["kind"] == "Deployment":
                pods = hpa.get(obj["metadata"]["name"], obj["spec"]["replicas"])
                pod = obj["spec"]["template"]["spec"]
            elif obj["kind"] == "CronJob":
                pods, pod = 1, obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            else:
                continue
            for container in pod["containers"]:
                c, m = _requests(container)
                cpu += pods * c  # type: ignore[operator]
                memory += pods * m
        assert cpu <= entitled.cpu
        assert memory <= entitled.memory
        odoo = service_class.blueprint.odoo
        workers = environment.sizing.web_workers.workers
        web = environment.sizing.web
        assert 1 <= workers <= (2 * web.cpu_m + 1000) // 1000
        used = odoo.process_overhead + (workers - 1) * odoo.limit_memory_soft
        assert used + odoo.limit_memory_hard <= web.memory
