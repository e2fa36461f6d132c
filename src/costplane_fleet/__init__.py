"""The deterministic synthetic fleet: an Odoo hosting provider's sources, generated offline.

`generate_fleet(FleetSpec(...), out)` writes the catalog, Kubernetes inventory,
Prometheus samples, usage tables, the FOCUS bill, PostgreSQL, Redis, backup and
business data, and `planted.json` (the problems planted on purpose). See
docs/fleet.md for the layout and the problem definitions.
"""

from costplane_fleet.planted import KINDS as PLANTED_KINDS
from costplane_fleet.spec import GENERATOR_VERSION, FleetSpec, FleetSummary
from costplane_fleet.write import Progress, generate_fleet

__all__ = [
    "GENERATOR_VERSION",
    "PLANTED_KINDS",
    "FleetSpec",
    "FleetSummary",
    "Progress",
    "generate_fleet",
]
