"""Registry operations: the rules of clauses 1.5 and 3.1-3.4 applied on a SQLModel session.

Functions flush but never commit: the caller owns the transaction, so a CLI command or a whole import is
one unit that either lands completely or not at all. Every refusal is a `RegistryError` whose message is
written in Russian for the IT staff who read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from models.registry import (
    DetectedBy,
    FactKind,
    PageStatus,
    RegistryAddressChange,
    RegistryFactReport,
    RegistryOrganisation,
    RegistryPage,
    RegistryStaff,
)
from monitor.registry.deadlines import Deadline, overdue_items, page_deadlines
from monitor.registry.errors import RegistryError, flush
from monitor.registry.labels import NETWORK_LABELS, fmt_date, parse_network, parse_org_kind
from monitor.registry.reports import add_staff, end_staff, facts, record_report, staff

__all__ = [
    "OrgData",
    "PageCard",
    "RegistryError",
    "active_page",
    "add_organisation",
    "add_page",
    "add_staff",
    "attest_2fa",
    "change_address",
    "close_page",
    "end_staff",
    "facts",
    "find_organisation",
    "find_page",
    "history",
    "list_organisations",
    "list_overdue",
    "list_pages",
    "page_card",
    "record_detected_address",
    "record_report",
    "record_site_link",
    "staff",
]


@dataclass(frozen=True)
class OrgData:
    """What an organisation is registered with; the contacts are those clause 2.4 wants on its pages."""

    name: str
    kind: str
    short_name: str = ""
    postal_address: str = ""
    email: str | None = None
    phone: str = ""
    website: str | None = None


@dataclass(frozen=True)
class PageCard:
    """Everything known about one page, for `dozor registry show`."""

    page: RegistryPage
    organisation: RegistryOrganisation
    history: list[RegistryAddressChange]
    staff: list[RegistryStaff]
    facts: list[RegistryFactReport]
    deadlines: list[Deadline] = field(default_factory=list)


# --- organisations -------------------------------------------------------------------------------------


def add_organisation(session: Session, data: OrgData) -> RegistryOrganisation:
    """Register an organisation; its official name is unique in the registry."""
    name = data.name.strip()
    if not name:
        raise RegistryError("не указано официальное наименование организации")
    if session.exec(select(RegistryOrganisation).where(RegistryOrganisation.name == name)).first():
        raise RegistryError(f"организация «{name}» уже есть в реестре")
    try:
        kind = parse_org_kind(data.kind)
    except ValueError as exc:
        raise RegistryError(str(exc)) from exc
    org = RegistryOrganisation(
        name=name,
        short_name=data.short_name.strip(),
        kind=kind,
        postal_address=data.postal_address.strip(),
        email=(data.email or "").strip() or None,
        phone=data.phone.strip(),
        website=(data.website or "").strip() or None,
    )
    session.add(org)
    flush(session)
    return org


def list_organisations(session: Session) -> list[RegistryOrganisation]:
    """All organisations, by name."""
    return list(session.exec(select(RegistryOrganisation).order_by(col(RegistryOrganisation.name))))


def find_organisation(session: Session, ref: str) -> RegistryOrganisation:
    """Find an organisation by id, official name or short name (case-insensitive)."""
    ref = ref.strip()
    if ref.isdigit():
        org = session.get(RegistryOrganisation, int(ref))
        if org:
            return org
    for org in list_organisations(session):
        if ref.casefold() in (org.name.casefold(), org.short_name.casefold()):
            return org
    raise RegistryError(f"организация «{ref}» не найдена в реестре")


# --- pages ---------------------------------------------------------------------------------------------


def active_page(session: Session, organisation_id: int, network: str) -> RegistryPage | None:
    """The organisation's active page on the network, if any (clause 1.5 allows at most one)."""
    query = select(RegistryPage).where(
        RegistryPage.organisation_id == organisation_id,
        RegistryPage.network == network,
        RegistryPage.status == PageStatus.ACTIVE.value,
    )
    return session.exec(query).first()


def _network(value: str) -> str:
    try:
        return parse_network(value)
    except ValueError as exc:
        raise RegistryError(str(exc)) from exc


def _check_one_active(session: Session, organisation: RegistryOrganisation, network: str) -> None:
    """Clause 1.5, said in the words the IT staff will act on."""
    assert organisation.id is not None
    existing = active_page(session, organisation.id, network)
    if existing is not None:
        raise RegistryError(
            f"у организации «{organisation.name}» уже есть действующая страница в сети "
            f"{NETWORK_LABELS[network]}: {existing.address} (№{existing.id}). По п. 1.5 Порядка допускается "
            "только одна официальная страница в одной социальной сети; сначала закройте прежнюю "
            "(dozor registry close)."
        )


def _check_address_free(session: Session, network: str, address: str) -> None:
    query = select(RegistryPage).where(RegistryPage.network == network, RegistryPage.address == address)
    other = session.exec(query).first()
    if other is not None:
        raise RegistryError(f"адрес {address} уже записан в реестре за страницей №{other.id}")


def add_page(
    session: Session,
    organisation: RegistryOrganisation,
    *,
    network: str,
    address: str,
    created_on: dt.date,
    platform_id: str | None = None,
    screen_name: str | None = None,
    reported_on: dt.date | None = None,
    entered_on: dt.date | None = None,
    record_fact: bool = True,
) -> RegistryPage:
    """Register a page and its creation fact; refuse a second active page on one network (clause 1.5).

    `record_fact=False` is for loading old pages whose report dates nobody knows: tracking a 3.1 term
    for them would only flag noise.
    """
    network, address = _network(network), address.strip()
    if not address:
        raise RegistryError("не указан адрес страницы")
    assert organisation.id is not None
    _check_one_active(session, organisation, network)
    _check_address_free(session, network, address)
    page = RegistryPage(
        organisation_id=organisation.id,
        network=network,
        address=address,
        platform_id=platform_id or None,
        screen_name=screen_name or None,
        created_on=created_on,
    )
    session.add(page)
    flush(session)
    if record_fact:
        record_report(
            session, page, FactKind.CREATION, created_on, reported_on=reported_on, entered_on=entered_on
        )
    return page


def find_page(session: Session, ref: str) -> RegistryPage:
    """Find a page by its number, address, screen name or platform id — what a person has at hand."""
    ref = ref.strip()
    if ref.isdigit():
        page = session.get(RegistryPage, int(ref))
        if page:
            return page
    for column in (RegistryPage.address, RegistryPage.screen_name, RegistryPage.platform_id):
        matches = list(session.exec(select(RegistryPage).where(column == ref)))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            numbers = ", ".join(f"№{p.id}" for p in matches)
            raise RegistryError(f"«{ref}» подходит к нескольким страницам ({numbers}); укажите номер")
    raise RegistryError(f"страница «{ref}» не найдена в реестре")


def list_pages(
    session: Session, *, status: str | None = None, network: str | None = None
) -> list[tuple[RegistryPage, RegistryOrganisation]]:
    """Pages with their organisations, ordered by organisation and network."""
    query = select(RegistryPage, RegistryOrganisation).where(
        RegistryPage.organisation_id == RegistryOrganisation.id
    )
    if status:
        query = query.where(RegistryPage.status == status)
    if network:
        query = query.where(RegistryPage.network == _network(network))
    query = query.order_by(col(RegistryOrganisation.name), col(RegistryPage.network), col(RegistryPage.id))
    return [(page, org) for page, org in session.exec(query)]


def change_address(
    session: Session,
    page: RegistryPage,
    new_address: str,
    changed_on: dt.date,
    *,
    detected_by: str = DetectedBy.MANUAL,
    screen_name: str | None = None,
    reported_on: dt.date | None = None,
    entered_on: dt.date | None = None,
) -> RegistryAddressChange:
    """Move a page to a new address, keeping the old one in the history (clause 3.3(3))."""
    new_address = new_address.strip()
    if new_address == page.address:
        raise RegistryError(f"страница №{page.id} уже имеет адрес {new_address}")
    if detected_by not in {d.value for d in DetectedBy}:
        raise RegistryError(f"неизвестный источник изменения «{detected_by}»: monitor или manual")
    if changed_on < page.created_on:
        raise RegistryError("дата изменения адреса раньше даты создания страницы")
    _check_address_free(session, page.network, new_address)
    assert page.id is not None
    change = RegistryAddressChange(
        page_id=page.id,
        previous_address=page.address,
        new_address=new_address,
        changed_on=changed_on,
        detected_by=str(detected_by),
    )
    page.address = new_address
    if screen_name is not None:
        page.screen_name = screen_name or None
    session.add_all([change, page])
    flush(session)
    record_report(
        session, page, FactKind.ADDRESS_CHANGE, changed_on, reported_on=reported_on, entered_on=entered_on
    )
    return change


def record_detected_address(
    session: Session, network: str, platform_id: str, new_address: str, detected_on: dt.date
) -> RegistryAddressChange | None:
    """For the page monitor: record a new address of a known page; None when nothing changed."""
    query = select(RegistryPage).where(
        RegistryPage.network == _network(network), RegistryPage.platform_id == platform_id
    )
    page = session.exec(query).first()
    if page is None or page.address == new_address.strip():
        return None
    return change_address(session, page, new_address, detected_on, detected_by=DetectedBy.MONITOR)


def history(session: Session, page: RegistryPage) -> list[RegistryAddressChange]:
    """The page's address changes, oldest first."""
    query = select(RegistryAddressChange).where(RegistryAddressChange.page_id == page.id)
    return list(
        session.exec(query.order_by(col(RegistryAddressChange.changed_on), col(RegistryAddressChange.id)))
    )


def close_page(session: Session, page: RegistryPage, closed_on: dt.date) -> RegistryPage:
    """Mark a page closed; it stays in the registry and frees the network slot of clause 1.5."""
    if page.status == PageStatus.CLOSED:
        raise RegistryError(f"страница №{page.id} уже закрыта {fmt_date(page.closed_on)}")
    if closed_on < page.created_on:
        raise RegistryError("дата закрытия раньше даты создания страницы")
    page.status = PageStatus.CLOSED.value
    page.closed_on = closed_on
    session.add(page)
    flush(session)
    return page


def attest_2fa(session: Session, page: RegistryPage, on: dt.date) -> RegistryPage:
    """Record the date the organisation confirmed two-factor authentication on the page (clause 1.6(1))."""
    page.twofa_attested_on = on
    session.add(page)
    flush(session)
    return page


def record_site_link(session: Session, page: RegistryPage, found_on: dt.date) -> RegistryPage:
    """Record the first day the page's link was seen on the organisation's site (clause 1.4.5)."""
    if page.site_link_found_on is None or found_on < page.site_link_found_on:
        page.site_link_found_on = found_on
        session.add(page)
        flush(session)
    return page


# --- views ---------------------------------------------------------------------------------------------


def page_card(session: Session, page: RegistryPage) -> PageCard:
    """Collect the page, its owner, history, staff, facts and deadlines in one object."""
    org = session.get(RegistryOrganisation, page.organisation_id)
    if org is None:
        raise RegistryError(f"у страницы №{page.id} нет организации")
    page_facts = facts(session, page)
    return PageCard(
        page=page,
        organisation=org,
        history=history(session, page),
        staff=staff(session, page),
        facts=page_facts,
        deadlines=page_deadlines(page, org, page_facts),
    )


def list_overdue(session: Session, today: dt.date, *, include_late: bool = False) -> list[Deadline]:
    """Every deadline past due on `today` across the registry (see `deadlines.overdue_items`)."""
    orgs = {o.id: o for o in list_organisations(session) if o.id is not None}
    pages = list(session.exec(select(RegistryPage)))
    all_facts = list(session.exec(select(RegistryFactReport)))
    return overdue_items(pages, orgs, all_facts, today, include_late=include_late)
