"""What the registry itself says is wrong with a page, apart from deadlines: no phone for enquiries
(clause 2.4), more than three responsible people (clause 1.6), no 2FA attestation (clause 1.6).

The import shows these as warnings on the rows they come from; `registry list`/`show` and the web console
show them per page. They never stop an import: the workbook records the situation as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.registry import PageStatus, RegistryOrganisation, RegistryPage, RegistryStaff

MAX_RESPONSIBLE = 3


@dataclass(frozen=True)
class Finding:
    """One thing to correct about a page, with the clause it comes from."""

    page_id: int
    clause: str
    text: str


def phone_finding(phone: str) -> str | None:
    """Clause 2.4 wants a phone for enquiries on every page; the registry is where it comes from."""
    if phone.strip():
        return None
    return "не указан «Телефон для справок» (п. 2.4 Порядка: телефон для справок обязателен в описании)"


def staff_finding(count: int) -> str | None:
    """Clause 1.6: at most three people have access to create and run a page."""
    if count <= MAX_RESPONSIBLE:
        return None
    return f"ответственных {count}, а п. 1.6 Порядка допускает не более {MAX_RESPONSIBLE}"


def page_findings(page: RegistryPage, org: RegistryOrganisation, current_staff: int) -> list[Finding]:
    """The findings of one active page (a closed page is no longer run, so nothing is asked of it)."""
    if page.status != PageStatus.ACTIVE or page.id is None:
        return []
    result = []
    for clause, text in (("2.4", phone_finding(org.phone)), ("1.6", staff_finding(current_staff))):
        if text is not None:
            result.append(Finding(page.id, clause, text))
    if page.twofa_attested_on is None:
        result.append(Finding(page.id, "1.6", "нет отметки о подтверждении двухфакторной аутентификации"))
    return result


def registry_findings(session: Session) -> dict[int, list[Finding]]:
    """Findings of every active page, by page number."""
    rows = session.exec(
        select(RegistryPage, RegistryOrganisation)
        .where(RegistryPage.organisation_id == RegistryOrganisation.id)
        .where(RegistryPage.status == PageStatus.ACTIVE.value)
    ).all()
    current = session.exec(select(RegistryStaff.page_id).where(col(RegistryStaff.to_on).is_(None))).all()
    counts: dict[int, int] = {}
    for page_id in current:
        counts[page_id] = counts.get(page_id, 0) + 1
    return {
        page.id: found
        for page, org in rows
        if page.id is not None and (found := page_findings(page, org, counts.get(page.id, 0)))
    }
