"""Who a document comes from: the catalog's branding, its logo read from beside the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from costplane.catalog import Catalog, logo_bytes
from costplane.service.project import Project


@dataclass(frozen=True)
class Letterhead:
    """The sender's name, address lines and logo (its bytes and media type), as the
    catalog's `branding` says; renderers embed it, never reading a file themselves."""

    name: str
    address: tuple[str, ...] = ()
    logo: bytes | None = None
    logo_type: str | None = None


def letterhead(project: Project, catalog: Catalog) -> Letterhead:
    branding = catalog.branding
    logo = logo_bytes(branding, project.settings.catalog_path.parent)
    return Letterhead(branding.name, tuple(branding.address), logo, branding.logo_type)
