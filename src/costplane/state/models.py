"""The state store's tables: what Costplane itself remembers between runs.

The warehouse holds facts about the platform; the state store holds Costplane's
own records (which ingests ran and how they ended; later findings and the audit
trail). Every change to these tables is an Alembic migration in `migrations/`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class IngestRun(Base):
    """One load into the warehouse as the user asked for it, successful or not."""

    __tablename__ = "ingest_runs"
    __table_args__ = (Index("ix_ingest_runs_source_scope", "source", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(300))
    table_name: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[dt.datetime] = mapped_column(DateTime)
    period_end: Mapped[dt.datetime] = mapped_column(DateTime)
    load_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    replaced_rows: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SourceRun(Base):
    """One collector run against one target (a cluster, a server, a bucket): when it ran,
    how it ended, and what it could not read. `costplane sources status` reads these."""

    __tablename__ = "source_runs"
    __table_args__ = (Index("ix_source_runs_source_target", "source", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(500))  # masked: never a password
    status: Mapped[str] = mapped_column(String(20))  # ok | partial | failed
    rows: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[str | None] = mapped_column(Text, nullable=True)  # one item a line
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime)
