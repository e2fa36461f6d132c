"""Schedules from the class: when non-production sleeps (kube-green), and when production is
backed up (Velero for the namespace and its volumes, a CronJob dumping the database).

Both backups run at the class's RPO or more often: the cron step is the largest divisor of
an hour (or of a day) not above the RPO, so the longest gap between two backups, the RPO a
restore can achieve, is never more than the class promises. Backups start at a minute
derived from the tenant id, so tenants' backups do not all start at once.
"""

from __future__ import annotations

import zlib
from typing import Any

from costplane.blueprint.context import EnvironmentContext, Manifest
from costplane.blueprint.sizing import cpu_text, memory_text
from costplane.catalog import WEEKDAYS

KUBE_GREEN_API = "kube-green.com/v1alpha1"
VELERO_API = "velero.io/v1"
DUMPS = "database-backups"
GIB = 1024**3

_KUBE_GREEN_DAY = {day: str((index + 1) % 7) for index, day in enumerate(WEEKDAYS)}
"""kube-green numbers weekdays as cron does: 0 is Sunday."""


def backup_cron(rpo_minutes: int, tenant_id: str) -> str:
    """A cron schedule whose longest gap is at most `rpo_minutes`."""
    offset = zlib.crc32(tenant_id.encode())
    if rpo_minutes < 60:
        step = max(d for d in range(1, 61) if 60 % d == 0 and d <= rpo_minutes)
        return f"{offset % step}-59/{step} * * * *" if step > 1 else "* * * * *"
    minute = offset % 60
    hours = min(rpo_minutes // 60, 24)
    step = max(d for d in range(1, 25) if 24 % d == 0 and d <= hours)
    if step == 1:
        return f"{minute} * * * *"
    if step == 24:
        return f"{minute} {offset // 60 % 24} * * *"
    return f"{minute} {offset // 60 % step}-23/{step} * * *"


def sleep_info(context: EnvironmentContext) -> Manifest | None:
    """kube-green's SleepInfo for the environments the class puts to sleep."""
    schedule = context.service_class.sleep_schedule
    if (
        schedule is None
        or context.kind.value not in context.service_class.blueprint.sleep_environments
    ):
        return None
    return {
        "apiVersion": KUBE_GREEN_API,
        "kind": "SleepInfo",
        "metadata": context.metadata("working-hours"),
        "spec": {
            "weekdays": ",".join(_KUBE_GREEN_DAY[day] for day in schedule.weekdays),
            "sleepAt": schedule.sleep_at.strftime("%H:%M"),
            "wakeUpAt": schedule.wake_at.strftime("%H:%M"),
            "timeZone": schedule.time_zone,
            "suspendCronJobs": True,
        },
    }


def velero_schedule(context: EnvironmentContext) -> Manifest | None:
    """The namespace's objects and volumes, at the RPO, kept for the snapshot retention.
    It lives in Velero's namespace, named after the tenant namespace."""
    if not context.kind.is_production:
        return None
    service_class = context.service_class
    backup = context.catalog.platform.backup
    metadata = context.metadata(f"{context.namespace}")
    metadata["namespace"] = backup.velero_namespace
    return {
        "apiVersion": VELERO_API,
        "kind": "Schedule",
        "metadata": metadata,
        "spec": {
            "schedule": backup_cron(service_class.backup.rpo_minutes, context.tenant.id),
            "useOwnerReferencesInBackup": False,
            "template": {
                "includedNamespaces": [context.namespace],
                "snapshotVolumes": True,
                "storageLocation": backup.storage_location,
                "ttl": f"{service_class.snapshot_retention_days * 24}h0m0s",
            },
        },
    }


def dump_claim(context: EnvironmentContext) -> Manifest | None:
    """The volume the dumps land on, sized for the class's largest database; Velero ships
    it off-site with the namespace."""
    if context.sizing.backup is None:
        return None
    size = context.service_class.database_band_gib.max_gib * GIB
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": context.metadata(DUMPS),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": context.catalog.platform.backup.storage_class,
            "resources": {"requests": {"storage": memory_text(size)}},
        },
    }


_DUMP_SCRIPT = (
    'pg_dump --format=custom --no-owner --file="/backups/${PGDATABASE}-$(date -u +%Y%m%dT%H%M%SZ)'
    '.dump" && find /backups -name "*.dump" -mmin +"${KEEP_MINUTES}" -delete'
)


def database_backup(context: EnvironmentContext) -> Manifest | None:
    """pg_dump of the tenant's database at the RPO; dumps older than a day are removed
    from the volume (Velero keeps them for the retention)."""
    pod = context.sizing.backup
    if pod is None:
        return None
    platform = context.catalog.platform
    database = platform.database
    amounts = {"cpu": cpu_text(pod.cpu_m), "memory": memory_text(pod.memory)}
    secret = database.credentials_secret
    env: list[dict[str, Any]] = [
        {"name": "PGHOST", "value": context.database_host},
        {"name": "PGPORT", "value": str(database.port)},
        {"name": "PGDATABASE", "value": context.database},
        {"name": "PGUSER", "valueFrom": {"secretKeyRef": {"name": secret, "key": "username"}}},
        {"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}},
        {"name": "KEEP_MINUTES", "value": "1440"},
    ]
    labels = {**context.labels, "app.kubernetes.io/name": "database-backup"}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": context.metadata("database-backup"),
        "spec": {
            "schedule": backup_cron(context.service_class.backup.rpo_minutes, context.tenant.id),
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "restartPolicy": "Never",
                            "automountServiceAccountToken": False,
                            "containers": [
                                {
                                    "name": "pg-dump",
                                    "image": platform.backup.database_image,
                                    "command": ["/bin/sh", "-c", _DUMP_SCRIPT],
                                    "env": env,
                                    "resources": {
                                        "requests": dict(amounts),
                                        "limits": dict(amounts),
                                    },
                                    "volumeMounts": [{"name": "dumps", "mountPath": "/backups"}],
                                }
                            ],
                            "volumes": [
                                {"name": "dumps", "persistentVolumeClaim": {"claimName": DUMPS}}
                            ],
                        },
                    },
                }
            },
        },
    }
