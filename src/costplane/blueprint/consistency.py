"""Classes whose entitlements cannot be rendered consistently: catalog errors, each at the key
at fault (a quota too small for the minimum Odoo environment, a sleep schedule on
production or the DR standby, an autoscaler below the HA replicas)."""

from __future__ import annotations

from costplane.blueprint.sizing import SizingError, size_environment
from costplane.catalog import Catalog, EnvironmentKind, ServiceClass

Located = tuple[tuple[str | int, ...], str]
"""A path in the catalog document and what is wrong there."""

NEVER_ASLEEP = (EnvironmentKind.PRODUCTION.value, EnvironmentKind.DR.value)


def render_problems(catalog: Catalog, classes: list[str] | None = None) -> list[Located]:
    """Every reason a class of the catalog (or of `classes`) cannot be rendered."""
    found: list[Located] = []
    for class_id, service_class in sorted(catalog.service_classes.items()):
        if classes is None or class_id in classes:
            found += _class_problems(class_id, service_class)
    return found


def _class_problems(class_id: str, service_class: ServiceClass) -> list[Located]:
    where = ("service_classes", class_id)
    found: list[Located] = []
    blueprint = service_class.blueprint
    for index, asleep in enumerate(blueprint.sleep_environments):
        if asleep in NEVER_ASLEEP:
            found.append(
                (
                    (*where, "blueprint", "sleep_environments", index),
                    f"a sleep schedule on {asleep}: production and the DR standby never sleep",
                )
            )
    scaling = blueprint.autoscaling
    if scaling is not None and scaling.max_replicas < service_class.ha_replicas:
        found.append(
            (
                (*where, "blueprint", "autoscaling", "max_replicas"),
                f"max_replicas {scaling.max_replicas} is below ha_replicas "
                f"{service_class.ha_replicas}",
            )
        )
        return found
    for kind in service_class.quota:
        try:
            size_environment(service_class, kind)
        except SizingError as exc:
            found.append(((*where, "quota", kind.value), str(exc)))
    return found
