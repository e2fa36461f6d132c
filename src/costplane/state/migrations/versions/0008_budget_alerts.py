"""budget_alerts: each budget threshold crossed in a month, raised once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("budget", sa.String(100), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("threshold_percent", sa.String(20), nullable=False),
        sa.Column("basis", sa.String(10), nullable=False),
        sa.Column("threshold_amount", sa.String(40), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint(
            "budget", "period", "threshold_percent", "basis", name="uq_budget_alerts_crossing"
        ),
    )
    op.create_index("ix_budget_alerts_period", "budget_alerts", ["period"])


def downgrade() -> None:
    op.drop_index("ix_budget_alerts_period", table_name="budget_alerts")
    op.drop_table("budget_alerts")
