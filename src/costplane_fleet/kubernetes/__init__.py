"""The Kubernetes inventory of both clusters at the end of the window, as kubectl lists.

One module per kind of object: `objects` (metadata, quantities, the lists), `nodes`,
`namespaces` (and what a tenant namespace holds), `pods` (workloads and their pods),
`volumes` (claims, volumes, snapshots) and `ingress` (Traefik); `inventory` puts them
together.
"""

from costplane_fleet.kubernetes.ingress import traefik_load_balancer
from costplane_fleet.kubernetes.inventory import render_inventory
from costplane_fleet.kubernetes.namespaces import LOG_RETENTION_ANNOTATION
from costplane_fleet.kubernetes.objects import RESOURCES, Inventory, kubectl_list, uid_of
from costplane_fleet.kubernetes.volumes import RELEASED_GIB, released_claim, snapshot_times

__all__ = [
    "LOG_RETENTION_ANNOTATION",
    "RELEASED_GIB",
    "RESOURCES",
    "Inventory",
    "kubectl_list",
    "released_claim",
    "render_inventory",
    "snapshot_times",
    "traefik_load_balancer",
    "uid_of",
]
