"""Remembered spam waves: MinHash signatures of comments moderators (or the rule lists) decided.

Plain SQLAlchemy types (String, DateTime(timezone=True), JSON, LargeBinary): the revision must not change
with SQLModel.

Revision ID: 0011
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spam_waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("page_id", sa.String(length=64), nullable=False),
        sa.Column("source_key", sa.String(length=300), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("spam_waves", schema=None) as batch_op:
        batch_op.create_index("ix_spam_waves_last_hit", ["last_hit_at"], unique=False)
        batch_op.create_index("ix_spam_waves_source", ["source_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("spam_waves", schema=None) as batch_op:
        batch_op.drop_index("ix_spam_waves_source")
        batch_op.drop_index("ix_spam_waves_last_hit")
    op.drop_table("spam_waves")
