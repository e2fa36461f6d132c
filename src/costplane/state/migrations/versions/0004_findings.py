"""findings: what governance policies found, with a stable fingerprint and a status.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("cluster", sa.String(253), nullable=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("namespace", sa.String(253), nullable=True),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=True),
        sa.Column("environment", sa.String(20), nullable=True),
        sa.Column("monthly_waste", sa.String(40), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.Column("suppressed_until", sa.Date(), nullable=True),
        sa.Column("suppressed_reason", sa.Text(), nullable=True),
        sa.Column("suppressed_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_findings_status", "findings", ["status"])
    op.create_index("ix_findings_policy", "findings", ["policy"])


def downgrade() -> None:
    op.drop_index("ix_findings_policy", table_name="findings")
    op.drop_index("ix_findings_status", table_name="findings")
    op.drop_table("findings")
