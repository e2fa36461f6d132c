"""The Odoo workloads: odoo.conf, the web and cron Deployments, their Service and file store.

The web pods serve HTTP on 8069 and the gevent (longpolling / websocket) process on 8072,
with `max_cron_threads = 0`; one cron pod runs the scheduled actions with HTTP disabled
(`http_enable = False`, `workers = 1` keeps Odoo in multi-process mode so its memory
limits apply). Credentials are referenced by secret name, never rendered: the database
user and password reach the official image's entrypoint as USER and PASSWORD; with
`list_db = False` the database manager (and its master password) is off. Probes ask
Odoo's `/web/health`.
"""

from __future__ import annotations

from typing import Any

from costplane.blueprint.context import (
    APP,
    CRON,
    GEVENT_PORT,
    HTTP_PORT,
    WEB,
    EnvironmentContext,
    Manifest,
)
from costplane.blueprint.odoo_workers import WorkerModel
from costplane.blueprint.sizing import PodSize, cpu_text, memory_text

CONFIG = "odoo-config"
FILESTORE = "odoo-filestore"
DATA_DIR = "/var/lib/odoo"
HEALTH = "/web/health"


def odoo_conf(context: EnvironmentContext, model: WorkerModel, *, http: bool) -> str:
    """odoo.conf for one kind of pod; passwords come from the environment, not this file."""
    platform = context.catalog.platform
    odoo = context.service_class.blueprint.odoo
    lines = [
        "[options]",
        "addons_path = /mnt/extra-addons",
        f"data_dir = {DATA_DIR}",
        f"db_host = {context.database_host}",
        f"db_port = {platform.database.port}",
        f"db_name = {context.database}",
        f"dbfilter = ^{context.database}$",
        "list_db = False",
        "proxy_mode = True",
        f"http_enable = {http}",
        f"http_port = {HTTP_PORT}",
        f"gevent_port = {GEVENT_PORT}",
        f"workers = {model.workers}",
        f"max_cron_threads = {model.max_cron_threads}",
        f"limit_memory_soft = {model.limit_memory_soft}",
        f"limit_memory_hard = {model.limit_memory_hard}",
        f"limit_time_cpu = {odoo.limit_time_cpu}",
        f"limit_time_real = {odoo.limit_time_real}",
        "limit_request = 65536",
    ]
    return "\n".join(lines) + "\n"


def config_map(context: EnvironmentContext) -> Manifest:
    sizing = context.sizing
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": context.metadata(CONFIG),
        "data": {
            "odoo.conf": odoo_conf(context, sizing.web_workers, http=True),
            "odoo-cron.conf": odoo_conf(context, sizing.cron_workers, http=False),
        },
    }


def _resources(pod: PodSize) -> dict[str, Any]:
    amounts = {"cpu": cpu_text(pod.cpu_m), "memory": memory_text(pod.memory)}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _environment(context: EnvironmentContext, conf: str) -> list[dict[str, Any]]:
    platform = context.catalog.platform
    database = platform.database
    env: list[dict[str, Any]] = [
        {"name": "ODOO_RC", "value": f"/etc/odoo/{conf}"},
        {"name": "HOST", "value": context.database_host},
        {"name": "PORT", "value": str(database.port)},
        _secret_env("USER", database.credentials_secret, "username"),
        _secret_env("PASSWORD", database.credentials_secret, "password"),
        {"name": "ODOO_SESSION_REDIS", "value": "1"},
        {"name": "ODOO_SESSION_REDIS_HOST", "value": context.redis_host},
        {"name": "ODOO_SESSION_REDIS_PORT", "value": str(platform.redis.port)},
        {"name": "ODOO_SESSION_REDIS_PREFIX", "value": context.redis_prefix},
    ]
    if context.service_class.blueprint.filestore.object_storage:
        storage = platform.object_storage
        env += [
            {"name": "AWS_HOST", "value": storage.endpoint},
            {"name": "AWS_REGION", "value": storage.region},
            {"name": "AWS_BUCKETNAME", "value": context.fill(storage.bucket)},
            _secret_env("AWS_ACCESS_KEY_ID", storage.credentials_secret, "access-key-id"),
            _secret_env("AWS_SECRET_ACCESS_KEY", storage.credentials_secret, "secret-access-key"),
        ]
    return env


def _volumes(context: EnvironmentContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    volumes: list[dict[str, Any]] = [{"name": "config", "configMap": {"name": CONFIG}}]
    mounts: list[dict[str, Any]] = [{"name": "config", "mountPath": "/etc/odoo", "readOnly": True}]
    if not context.service_class.blueprint.filestore.object_storage:
        volumes.append({"name": "filestore", "persistentVolumeClaim": {"claimName": FILESTORE}})
        mounts.append({"name": "filestore", "mountPath": DATA_DIR})
    return volumes, mounts


def _probe(port: int, *, initial: int, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": HEALTH, "port": port},
        "initialDelaySeconds": initial,
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _pod_template(
    context: EnvironmentContext, component: str, container: dict[str, Any]
) -> dict[str, Any]:
    volumes, mounts = _volumes(context)
    return {
        "metadata": {"labels": {**context.labels, **_selector(component)}},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 101, "fsGroup": 101},
            "containers": [{**container, "volumeMounts": mounts}],
            "volumes": volumes,
        },
    }


def _selector(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": component}


def web_deployment(context: EnvironmentContext) -> Manifest:
    sizing = context.sizing
    container = {
        "name": "odoo",
        "image": context.image,
        "env": _environment(context, "odoo.conf"),
        "ports": [
            {"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"},
            {"name": "gevent", "containerPort": GEVENT_PORT, "protocol": "TCP"},
        ],
        "resources": _resources(sizing.web),
        "startupProbe": _probe(HTTP_PORT, initial=10, period=10, failures=30),
        "readinessProbe": _probe(HTTP_PORT, initial=0, period=10, failures=3),
        "livenessProbe": _probe(HTTP_PORT, initial=0, period=20, failures=3),
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": context.metadata(WEB),
        "spec": {
            "replicas": sizing.web_replicas,
            "selector": {"matchLabels": _selector("web")},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
            },
            "template": _pod_template(context, "web", container),
        },
    }


def cron_deployment(context: EnvironmentContext) -> Manifest:
    """One cron pod: more would run each scheduled action as often as there are pods' worth
    of cron workers competing for the same jobs."""
    container = {
        "name": "odoo",
        "image": context.image,
        "env": _environment(context, "odoo-cron.conf"),
        "resources": _resources(context.sizing.cron),
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": context.metadata(CRON),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": _selector("cron")},
            "strategy": {"type": "Recreate"},
            "template": _pod_template(context, "cron", container),
        },
    }


def service(context: EnvironmentContext) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": context.metadata(APP),
        "spec": {
            "selector": _selector("web"),
            "ports": [
                {"name": "http", "port": HTTP_PORT, "targetPort": "http", "protocol": "TCP"},
                {"name": "gevent", "port": GEVENT_PORT, "targetPort": "gevent", "protocol": "TCP"},
            ],
        },
    }


def filestore_claim(context: EnvironmentContext) -> Manifest | None:
    """The attachments volume, shared by the web and cron pods; none with object storage."""
    filestore = context.service_class.blueprint.filestore
    if filestore.object_storage:
        return None
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": context.metadata(FILESTORE),
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": context.catalog.platform.storage_class,
            "resources": {"requests": {"storage": memory_text(filestore.size)}},
        },
    }


def autoscaler(context: EnvironmentContext) -> Manifest | None:
    """Web pods between ha_replicas and max_replicas: each pod sized so that the maximum fits
    the quota (the policy `hpa-beyond-entitlement` holds)."""
    sizing = context.sizing
    scaling = context.service_class.blueprint.autoscaling
    if scaling is None or sizing.web_max_replicas <= sizing.web_replicas:
        return None
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": context.metadata(WEB),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": WEB},
            "minReplicas": sizing.web_replicas,
            "maxReplicas": sizing.web_max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": scaling.cpu_utilization_percent,
                        },
                    },
                }
            ],
        },
    }


def disruption_budget(context: EnvironmentContext) -> Manifest | None:
    """HA classes keep all but one web pod through a node drain."""
    if context.sizing.web_replicas < 2:
        return None
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": context.metadata(WEB),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _selector("web")}},
    }
