"""Registry of official pages (section III of the regulation): the tables the IT department keeps.

All table names start with `registry_` so they live beside other areas' tables in one SQLModel metadata.
Enumerated values are stored as short strings (not native DB enums) so the same schema works on SQLite and
PostgreSQL and migrations never have to alter an enum type; the service validates them.

`RegistryStaff` holds personal data (clause 3.3(4)): it must never reach the public export (clause 3.6).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class OrgKind(StrEnum):
    """Which body the page belongs to: the administration, a department, or a subordinate institution."""

    ADMINISTRATION = "administration"
    DEPARTMENT = "department"
    INSTITUTION = "institution"


class Network(StrEnum):
    """Social networks the regulation covers in this deployment."""

    VK = "vk"
    TELEGRAM = "telegram"


class PageStatus(StrEnum):
    """A closed page stays in the registry (with its history) but frees the slot of clause 1.5."""

    ACTIVE = "active"
    CLOSED = "closed"


class DetectedBy(StrEnum):
    """Who noticed an address change: the page monitor or a person entering it by hand."""

    MONITOR = "monitor"
    MANUAL = "manual"


class FactKind(StrEnum):
    """Facts an organisation must report within 3 working days (clauses 3.1, 3.2)."""

    CREATION = "creation"
    ADDRESS_CHANGE = "address_change"
    STAFF_CHANGE = "staff_change"


class RegistryOrganisation(SQLModel, table=True):
    """An organisation that may own official pages; its contacts are what clause 2.4 wants on the page."""

    __tablename__ = "registry_organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=500, unique=True)
    short_name: str = Field(default="", max_length=200)
    kind: str = Field(max_length=20)
    postal_address: str = Field(default="", max_length=500)
    email: str | None = Field(default=None, max_length=200)
    phone: str = Field(default="", max_length=100)
    website: str | None = Field(default=None, max_length=500)


class RegistryPage(SQLModel, table=True):
    """An official page. The partial unique index is the database's own guard for clause 1.5."""

    __tablename__ = "registry_page"
    __table_args__ = (
        Index(
            "uq_registry_page_active_org_network",
            "organisation_id",
            "network",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        UniqueConstraint("network", "address", name="uq_registry_page_network_address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="registry_organisation.id", index=True)
    network: str = Field(max_length=20)
    address: str = Field(max_length=500)
    platform_id: str | None = Field(default=None, max_length=100, index=True)
    screen_name: str | None = Field(default=None, max_length=200)
    created_on: dt.date
    status: str = Field(default=PageStatus.ACTIVE.value, max_length=20)
    closed_on: dt.date | None = None
    twofa_attested_on: dt.date | None = None
    site_link_found_on: dt.date | None = None


class RegistryAddressChange(SQLModel, table=True):
    """One change of a page's address; the chain of these is the address history of clause 3.3(3)."""

    __tablename__ = "registry_address_change"

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="registry_page.id", index=True)
    previous_address: str = Field(max_length=500)
    new_address: str = Field(max_length=500)
    changed_on: dt.date
    detected_by: str = Field(default=DetectedBy.MANUAL.value, max_length=20)


class RegistryStaff(SQLModel, table=True):
    """PERSONAL DATA: a person responsible for a page (clause 3.3(4)); never published (clause 3.6)."""

    __tablename__ = "registry_staff"

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="registry_page.id", index=True)
    full_name: str = Field(max_length=300)
    position: str = Field(max_length=300)
    from_on: dt.date
    to_on: dt.date | None = None


class RegistryFactReport(SQLModel, table=True):
    """A fact the organisation must report, when it did (3.1/3.2) and when IT entered it (3.4)."""

    __tablename__ = "registry_fact_report"

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="registry_page.id", index=True)
    kind: str = Field(max_length=20)
    fact_date: dt.date
    reported_on: dt.date | None = None
    entered_on: dt.date | None = None
    entry_undated: bool = False  # in the registry, but the workbook it came from gave no entry date (3.4)


PERSONAL_FIELDS: frozenset[str] = frozenset({"full_name", "position"})
"""Column names that hold personal data; the public export test checks none of them is published."""


def registry_tables() -> list[Table]:
    """The registry's tables, for `create_all(tables=...)` without touching other areas' tables."""
    models: list[type[SQLModel]] = [
        RegistryOrganisation,
        RegistryPage,
        RegistryAddressChange,
        RegistryStaff,
        RegistryFactReport,
    ]
    return [m.__table__ for m in models]  # type: ignore[attr-defined]
