"""What the PostgreSQL collector read, as plain values (rows and the summary come from these)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Activity:
    """Client sessions on one database, as pg_stat_activity shows them."""

    connections: int = 0
    idle: int = 0
    idle_in_transaction: int = 0


@dataclass(frozen=True)
class TableSize:
    schema: str
    name: str
    size_bytes: int  # pg_table_size: heap, TOAST, free space and visibility maps
    row_count: int | None
    row_count_exact: bool
    bloat_bytes: int | None

    @property
    def relation(self) -> str:
        return qualified(self.schema, self.name)


@dataclass(frozen=True)
class IndexSize:
    schema: str
    name: str
    table: str
    size_bytes: int
    scans: int | None
    enforces_constraint: bool  # primary key, unique or exclusion: needed even when unscanned

    @property
    def relation(self) -> str:
        return qualified(self.schema, self.name)

    @property
    def unused(self) -> bool:
        return self.scans == 0 and not self.enforces_constraint


@dataclass(frozen=True)
class Module:
    name: str
    author: str | None
    license: str | None
    custom: bool


@dataclass(frozen=True)
class Attachments:
    """Attachments of one `res_model` (None: attachments tied to no model)."""

    res_model: str | None
    count: int
    logical_bytes: int  # sum of file_size
    physical_bytes: int  # file store: one copy per distinct checksum
    db_bytes: int  # inside the database (db_datas)


@dataclass(frozen=True)
class Signal:
    day: dt.date
    signal: str
    count: int


@dataclass
class OdooReading:
    version: str | None = None
    modules: list[Module] = field(default_factory=list)
    attachments: list[Attachments] = field(default_factory=list)
    attachment_store: Attachments | None = None
    table_rows: dict[str, int] = field(default_factory=dict)
    rows_added: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> YYYY-MM -> n
    failed_mail: int | None = None
    failed_jobs: int | None = None
    signals: list[Signal] = field(default_factory=list)

    @property
    def custom_modules(self) -> list[str]:
        return [m.name for m in self.modules if m.custom]


@dataclass(frozen=True)
class Growth:
    since: dt.datetime
    previous_bytes: int
    bytes: int
    bytes_per_day: float | None


@dataclass
class DatabaseReading:
    name: str
    tenant: str | None
    environment: str | None
    activity: Activity
    size_bytes: int | None = None
    stats_reset: dt.datetime | None = None
    tables: list[TableSize] = field(default_factory=list)
    indexes: list[IndexSize] = field(default_factory=list)
    odoo: OdooReading | None = None
    growth: Growth | None = None


def qualified(schema: str, name: str) -> str:
    """`name` in the public schema (where Odoo keeps everything), else `schema.name`."""
    return name if schema == "public" else f"{schema}.{name}"
