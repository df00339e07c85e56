"""Registry of official pages (section III): organisations, pages, address history, staff, fact reports.



Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("short_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("postal_address", sa.String(length=500), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "registry_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("platform_id", sa.String(length=100), nullable=True),
        sa.Column("screen_name", sa.String(length=200), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("twofa_attested_on", sa.Date(), nullable=True),
        sa.Column("site_link_found_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry_organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("network", "address", name="uq_registry_page_network_address"),
    )
    op.create_index(
        op.f("ix_registry_page_organisation_id"), "registry_page", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_registry_page_platform_id"), "registry_page", ["platform_id"], unique=False)
    op.create_index(
        "uq_registry_page_active_org_network",
        "registry_page",
        ["organisation_id", "network"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "registry_address_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("previous_address", sa.String(length=500), nullable=False),
        sa.Column("new_address", sa.String(length=500), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("detected_by", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["registry_page.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_registry_address_change_page_id"), "registry_address_change", ["page_id"], unique=False
    )
    op.create_table(
        "registry_fact_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("fact_date", sa.Date(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("entered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["registry_page.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_registry_fact_report_page_id"), "registry_fact_report", ["page_id"], unique=False
    )
    op.create_table(
        "registry_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.String(length=300), nullable=False),
        sa.Column("from_on", sa.Date(), nullable=False),
        sa.Column("to_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["registry_page.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_registry_staff_page_id"), "registry_staff", ["page_id"], unique=False)


def downgrade() -> None:
    op.drop_table("registry_staff")
    op.drop_table("registry_fact_report")
    op.drop_table("registry_address_change")
    op.drop_index("uq_registry_page_active_org_network", table_name="registry_page")
    op.drop_table("registry_page")
    op.drop_table("registry_organisation")
