"""restore_tests: who ran each recorded restore test, in a column of its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restore_tests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("environment", sa.String(20), nullable=False),
        sa.Column("database", sa.String(253), nullable=True),
        sa.Column("tested_at", sa.DateTime(), nullable=False),
        sa.Column("result", sa.String(10), nullable=False),
        sa.Column("evidence_url", sa.Text(), nullable=True),
        sa.Column("backup_id", sa.String(200), nullable=True),
        sa.Column("ran_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("tenant", "environment", "tested_at", name="uq_restore_tests_test"),
    )


def downgrade() -> None:
    op.drop_table("restore_tests")
