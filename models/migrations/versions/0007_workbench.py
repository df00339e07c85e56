"""The moderators' workbench: reports of automatic deletions, card events (decisions to undo), reminders,
and the reason a restricted author is shown.

Plain SQLAlchemy types (String, DateTime(timezone=True), JSON): the revision must not change with SQLModel.

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("page_id", sa.String(length=64), nullable=False),
        sa.Column("message_ref", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("card_reports", schema=None) as batch_op:
        batch_op.create_index("ix_card_reports_page", ["platform", "page_id", "created_at"], unique=False)

    op.create_table(
        "card_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=300), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["review_cards.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("card_events", schema=None) as batch_op:
        batch_op.create_index("ix_card_events_card", ["card_id", "at"], unique=False)

    op.create_table(
        "card_reminders",
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["review_cards.id"]),
        sa.PrimaryKeyConstraint("card_id"),
    )
    op.create_table(
        "report_items",
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["review_cards.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["card_reports.id"]),
        sa.PrimaryKeyConstraint("card_id"),
    )
    with op.batch_alter_table("report_items", schema=None) as batch_op:
        batch_op.create_index("ix_report_items_report", ["report_id", "position"], unique=False)

    with op.batch_alter_table("restrictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("restrictions", schema=None) as batch_op:
        batch_op.drop_column("notice")
    with op.batch_alter_table("report_items", schema=None) as batch_op:
        batch_op.drop_index("ix_report_items_report")
    op.drop_table("report_items")
    op.drop_table("card_reminders")
    with op.batch_alter_table("card_events", schema=None) as batch_op:
        batch_op.drop_index("ix_card_events_card")
    op.drop_table("card_events")
    with op.batch_alter_table("card_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_card_reports_page")
    op.drop_table("card_reports")
