"""The pydantic base every catalog model shares: strict about unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CatalogModel(BaseModel):
    """Unknown keys are errors (a typo must not silently drop a setting); models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
