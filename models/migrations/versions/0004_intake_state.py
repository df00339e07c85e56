"""Intake state: Telegram discussion threads and VK long-poll positions.

Plain SQLAlchemy types (String, DateTime(timezone=True)): the revision must not change with SQLModel.

Revision ID: 0004
Revises: 0006 (re-chained after main's 0009 and 0006)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_threads",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("post_id", sa.String(length=64), nullable=False),
        sa.Column("post_text", sa.String(), nullable=True),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "thread_id"),
    )
    op.create_table(
        "vk_longpoll_state",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )


def downgrade() -> None:
    op.drop_table("vk_longpoll_state")
    op.drop_table("telegram_threads")
