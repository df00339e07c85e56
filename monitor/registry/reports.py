"""Responsible staff and fact reports: the dates clauses 3.1, 3.2 and 3.4 measure.

Staff rows are personal data (clause 3.3(4)); only the CLI's `show` and the spreadsheets for IT read them.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from models.registry import FactKind, RegistryFactReport, RegistryPage, RegistryStaff
from monitor.registry.errors import RegistryError, flush
from monitor.registry.labels import parse_fact_kind


def add_staff(
    session: Session,
    page: RegistryPage,
    *,
    full_name: str,
    position: str,
    from_on: dt.date,
    reported_on: dt.date | None = None,
    entered_on: dt.date | None = None,
    record_fact: bool = True,
) -> RegistryStaff:
    """Add a responsible person; later additions are staff changes the organisation must report (3.2)."""
    if not full_name.strip() or not position.strip():
        raise RegistryError("укажите ФИО и должность ответственного")
    assert page.id is not None
    person = RegistryStaff(
        page_id=page.id, full_name=full_name.strip(), position=position.strip(), from_on=from_on
    )
    session.add(person)
    flush(session)
    if record_fact and from_on != page.created_on:
        record_report(
            session, page, FactKind.STAFF_CHANGE, from_on, reported_on=reported_on, entered_on=entered_on
        )
    return person


def end_staff(session: Session, person: RegistryStaff, to_on: dt.date) -> RegistryStaff:
    """Close a person's responsibility; the record stays for the history."""
    if to_on < person.from_on:
        raise RegistryError("дата окончания раньше даты начала")
    person.to_on = to_on
    session.add(person)
    flush(session)
    return person


def staff(session: Session, page: RegistryPage) -> list[RegistryStaff]:
    """Responsible people of a page, current and former, oldest first."""
    query = select(RegistryStaff).where(RegistryStaff.page_id == page.id)
    return list(session.exec(query.order_by(col(RegistryStaff.from_on), col(RegistryStaff.id))))


def record_report(
    session: Session,
    page: RegistryPage,
    kind: str,
    fact_date: dt.date,
    *,
    reported_on: dt.date | None,
    entered_on: dt.date | None = None,
) -> RegistryFactReport:
    """Record when the organisation reported a fact and when IT entered it; creates the fact if new.

    Entering is only meaningful after receipt, so an entry date without a report date is refused.
    """
    try:
        kind = parse_fact_kind(kind)
    except ValueError as exc:
        raise RegistryError(str(exc)) from exc
    if entered_on is not None and reported_on is None:
        raise RegistryError("дата внесения в реестр указана без даты поступления сведений")
    if reported_on is not None and entered_on is not None and entered_on < reported_on:
        raise RegistryError("дата внесения в реестр раньше даты поступления сведений")
    query = select(RegistryFactReport).where(
        RegistryFactReport.page_id == page.id,
        RegistryFactReport.kind == kind,
        RegistryFactReport.fact_date == fact_date,
    )
    assert page.id is not None
    fact = session.exec(query).first() or RegistryFactReport(page_id=page.id, kind=kind, fact_date=fact_date)
    if reported_on is not None:
        fact.reported_on = reported_on
    if entered_on is not None:
        fact.entered_on = entered_on
    session.add(fact)
    flush(session)
    return fact


def facts(session: Session, page: RegistryPage) -> list[RegistryFactReport]:
    """Facts of a page, oldest first."""
    query = select(RegistryFactReport).where(RegistryFactReport.page_id == page.id)
    return list(session.exec(query.order_by(col(RegistryFactReport.fact_date), col(RegistryFactReport.id))))
