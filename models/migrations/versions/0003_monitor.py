"""Monitor: stored compliance check results (history) for the checks and the weekly digest.

Plain SQLAlchemy types (String, DateTime(timezone=True), JSON): the revision must not change with SQLModel.
The scheduler's own job table (monitor_scheduler_jobs) is created by APScheduler's SQLAlchemyJobStore.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitor_check_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_key", sa.String(length=100), nullable=False),
        sa.Column("check_name", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monitor_check_result", schema=None) as batch_op:
        batch_op.create_index("ix_monitor_check_result_checked_at", ["checked_at"], unique=False)
        batch_op.create_index(
            "ix_monitor_check_result_page_check_at", ["page_key", "check_name", "checked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("monitor_check_result", schema=None) as batch_op:
        batch_op.drop_index("ix_monitor_check_result_page_check_at")
        batch_op.drop_index("ix_monitor_check_result_checked_at")
    op.drop_table("monitor_check_result")
