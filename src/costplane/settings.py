"""Where a project lives and which stores it talks to.

A project is a directory with `costplane.yaml` (the catalog) and a `.costplane/`
data folder created on first use. Settings come from flags, then `COSTPLANE_*`
environment variables, then these defaults; they are passed down explicitly,
never read from a global.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CATALOG_FILE = "costplane.yaml"
DATA_DIR = ".costplane"


class Settings(BaseSettings):
    """The project directory and the URLs of its state store and warehouse."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", frozen=True)

    home: Path = Field(default=Path("."), description="project directory")
    state_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the state store; SQLite in .costplane/"
    )
    warehouse_url: str | None = Field(
        default=None,
        description="warehouse URL (duckdb:// or postgresql://); DuckDB in .costplane/",
    )

    @property
    def catalog_path(self) -> Path:
        return self.home / CATALOG_FILE

    @property
    def data_dir(self) -> Path:
        return self.home / DATA_DIR

    def ensure_data_dir(self) -> Path:
        """Create `.costplane/` on first use and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    @property
    def embedded_state(self) -> Path:
        return self.data_dir / "state.db"

    @property
    def embedded_warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def state_target(self) -> str:
        return self.state_url or f"sqlite:///{self.embedded_state.resolve()}"

    @property
    def warehouse_target(self) -> str:
        return self.warehouse_url or f"duckdb:///{self.embedded_warehouse.resolve()}"
