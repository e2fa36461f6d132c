"""A class change, priced: one tenant moved to another service class, with the manifests
before and after (the blueprint's render of each), the month's cost, fee and margin
before and after, and the entitlements of the new class below the tenant's use (a move
refused unless forced). See docs/service-classes.md, "A class change, priced"."""

from costplane.insight.class_change.fit import Shortfall
from costplane.insight.class_change.manifests import rendering, with_class
from costplane.insight.class_change.plan import ClassChange, class_change
from costplane.insight.class_change.pricing import CostSplit

__all__ = [
    "ClassChange",
    "CostSplit",
    "Shortfall",
    "class_change",
    "rendering",
    "with_class",
]
