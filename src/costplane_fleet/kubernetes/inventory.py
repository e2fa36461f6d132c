"""The Kubernetes inventory at the end of the window: every object of both clusters, as
the API server returns them (camelCase JSON), listed per cluster and resource."""

from __future__ import annotations

from costplane_fleet.clusters import Node, PodSlot
from costplane_fleet.kubernetes.ingress import traefik_service
from costplane_fleet.kubernetes.namespaces import namespace_objects
from costplane_fleet.kubernetes.nodes import STORAGE_CLASSES, node, storage_class
from costplane_fleet.kubernetes.objects import RESOURCES, Inventory
from costplane_fleet.planted import Plants
from costplane_fleet.spec import FleetSpec
from costplane_fleet.workloads import Namespace


def render_inventory(
    namespaces: list[Namespace],
    nodes: list[Node],
    slots: list[PodSlot],
    plants: Plants,
    spec: FleetSpec,
) -> Inventory:
    """Every object of both clusters, added in a fixed order: the same fleet, the same lists."""
    inv = Inventory()
    for cluster in sorted({n.cluster for n in nodes} | {ns.cluster for ns in namespaces}):
        for resource in RESOURCES:
            inv.lists.setdefault(cluster, {}).setdefault(resource, [])
        for name, driver, binding in STORAGE_CLASSES:
            inv.add(cluster, "storageclasses", storage_class(cluster, name, driver, binding, spec))
    for n in nodes:
        inv.add(n.cluster, "nodes", node(n))
    slots_by_workload: dict[int, list[PodSlot]] = {}
    for s in slots:
        slots_by_workload.setdefault(id(s.workload), []).append(s)
    for ns in namespaces:
        namespace_objects(inv, ns, slots_by_workload, plants, spec)
    for cluster in sorted({ns.cluster for ns in namespaces}):
        inv.add(cluster, "services", traefik_service(cluster, spec))
    return inv
