"""Action lanes and the outbox: who holds a claimed action, and the messages Dozor posts exactly once.

`actions.claimed_by` names the daemon process holding a running action (host, pid and a per-start nonce), so a
restarted daemon takes its own dead claims back at once instead of waiting for their lease. `sent_messages` is
the outbox of posted messages: a send is recorded before it is made, with the last message id known in that
chat, so a send whose answer was lost can be found again instead of repeated.
Plain SQLAlchemy types (String, DateTime(timezone=True), JSON): the revision must not change with SQLModel.

Revision ID: 0005
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("send_key", sa.String(length=300), nullable=True),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("after_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("send_key", name="uq_sent_messages_send_key"),
    )
    with op.batch_alter_table("sent_messages", schema=None) as batch_op:
        batch_op.create_index("ix_sent_messages_chat_message", ["chat_id", "message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sent_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_sent_messages_chat_message")
    op.drop_table("sent_messages")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
