"""Sources: readers of the real systems (and of the fleet's files) into warehouse loads."""

from costplane.sources.fleet import fleet_loads
from costplane.sources.focus import read_focus_parquet
from costplane.sources.ingest import ingest
from costplane.sources.inventory import inventory_table
from costplane.sources.manifests import manifest_files, read_objects

__all__ = [
    "fleet_loads",
    "ingest",
    "inventory_table",
    "manifest_files",
    "read_focus_parquet",
    "read_objects",
]
