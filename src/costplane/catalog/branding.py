"""Branding: who a statement or a board report comes from (name, logo, address).

The logo is a file beside the catalog (a path relative to it), so the catalog stays
reviewable in git with its image. Only PNG and JPEG: the formats every renderer
(PDF, XLSX, HTML) embeds without a converter. The loader checks the file is there and
is such an image (`logo_problem`), at the line of `branding.logo`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pydantic import Field, field_validator

from costplane.catalog.base import CatalogModel

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
"""The logo's file name ending, and the media type it is embedded as."""
_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
MAX_LOGO_BYTES = 2 * 1024 * 1024
"""A letterhead logo is small; a bigger file is most likely the wrong one."""


class Branding(CatalogModel):
    """The sender of statements and board reports."""

    name: str = Field(default="Costplane", min_length=1, description="shown on every document")
    logo: str | None = Field(
        default=None,
        description="a PNG or JPEG file, relative to the catalog file (e.g. branding/logo.png)",
    )
    address: list[str] = Field(
        default_factory=list, description="the sender's postal address, one line each"
    )

    @field_validator("logo")
    @classmethod
    def _relative_image(cls, value: str | None) -> str | None:
        if value is None:
            return None
        path = PurePosixPath(value)
        if not value or path.is_absolute() or ".." in path.parts:
            raise ValueError(f"expected a path relative to the catalog file, got {value!r}")
        if path.suffix.lower() not in LOGO_TYPES:
            endings = ", ".join(LOGO_TYPES)
            raise ValueError(f"a logo is a PNG or JPEG file ({endings}), got {value!r}")
        return value

    @property
    def logo_type(self) -> str | None:
        """The logo's media type (image/png, image/jpeg), None without a logo."""
        return None if self.logo is None else LOGO_TYPES[PurePosixPath(self.logo).suffix.lower()]


def logo_problem(branding: Branding, base: Path) -> str | None:
    """Why the logo cannot be used (missing, too big, not the image its name says), or None."""
    if branding.logo is None or branding.logo_type is None:
        return None
    path = base / branding.logo
    try:
        size = path.stat().st_size
        if not path.is_file():
            return f"{branding.logo!r} is not a file"
        if size > MAX_LOGO_BYTES:
            return f"{branding.logo!r} is {size} bytes; a logo may have at most {MAX_LOGO_BYTES}"
        with path.open("rb") as stream:
            head = stream.read(8)
    except FileNotFoundError:
        return f"{branding.logo!r} does not exist (it is read relative to the catalog file)"
    except OSError as exc:
        return f"{branding.logo!r} cannot be read: {exc.strerror or exc}"
    if not head.startswith(_SIGNATURES[branding.logo_type]):
        kind = "PNG" if branding.logo_type == "image/png" else "JPEG"
        return f"{branding.logo!r} is not a {kind} image"
    return None


def logo_bytes(branding: Branding, base: Path) -> bytes | None:
    """The logo's bytes (the loader has checked it), None without a logo."""
    return None if branding.logo is None else (base / branding.logo).read_bytes()
