"""The regulation's registry deadlines as pure functions of the stored dates and `today`.

Terms (all in Russian working days, counted from the day after the event):
- 3.1 / 3.2: the organisation reports a page's creation or a change within 3 working days;
- 3.4: the IT department enters what it received within 5 working days of receipt;
- 1.4.5: the organisation links the page from its official site (if it has one) within 5 working days.

Nothing here touches the database, so the digest, the CLI and tests can ask "what is late on date X".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from models.registry import FactKind, PageStatus, RegistryFactReport, RegistryOrganisation, RegistryPage
from monitor.registry.labels import FACT_KIND_LABELS, fmt_date
from monitor.workdays import add_working_days, working_days_between

REPORT_TERM = 3
ENTRY_TERM = 5
SITE_LINK_TERM = 5


class DeadlineState(StrEnum):
    """Where a deadline stands on a given day."""

    PENDING = "pending"
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"


STATE_LABELS: dict[str, str] = {
    DeadlineState.PENDING: "ожидается",
    DeadlineState.ON_TIME: "в срок",
    DeadlineState.LATE: "с опозданием",
    DeadlineState.OVERDUE: "просрочено",
}


@dataclass(frozen=True)
class Deadline:
    """One obligation with its term: `due` is the last allowed day, `done_on` when it was met (if ever)."""

    page_id: int
    organisation: str
    page_label: str
    clause: str
    subject: str
    due: dt.date
    done_on: dt.date | None

    def done_by(self, today: dt.date) -> dt.date | None:
        """The completion date if it had happened by `today`: asking about a past day ignores later work."""
        return self.done_on if self.done_on is not None and self.done_on <= today else None

    def state(self, today: dt.date) -> DeadlineState:
        """LATE means done after the term; OVERDUE means still not done and the term has passed."""
        done = self.done_by(today)
        if done is not None:
            return DeadlineState.LATE if done > self.due else DeadlineState.ON_TIME
        return DeadlineState.OVERDUE if today > self.due else DeadlineState.PENDING

    def working_days_late(self, today: dt.date) -> int:
        """Working days past the term, as of completion or (if still open) of `today`; 0 when in time."""
        return max(0, working_days_between(self.due, self.done_by(today) or today))

    def state_text(self, today: dt.date) -> str:
        """ "просрочено на 2 раб. дн.", "в срок (15.01.2026)" and the like."""
        state = self.state(today)
        text = STATE_LABELS[state]
        if state in (DeadlineState.LATE, DeadlineState.OVERDUE):
            text += f" на {self.working_days_late(today)} раб. дн."
        done = self.done_by(today)
        return text + (f" ({fmt_date(done)})" if done else "")

    def describe(self, today: dt.date) -> str:
        """A one-line Russian summary for the CLI and the digest."""
        return f"п. {self.clause}: {self.subject} — срок {fmt_date(self.due)}, {self.state_text(today)}"


def page_label(page: RegistryPage, org: RegistryOrganisation | None) -> str:
    """ "Org: address", the way staff refer to a page."""
    owner = (org.short_name or org.name) if org else "?"
    return f"{owner}: {page.address}"


@dataclass(frozen=True)
class _Owner:
    """Who a deadline belongs to: the page number, the organisation (short name), the page label."""

    page_id: int
    organisation: str
    label: str

    def deadline(self, clause: str, subject: str, due: dt.date, done_on: dt.date | None) -> Deadline:
        return Deadline(self.page_id, self.organisation, self.label, clause, subject, due, done_on)


def _owner(page: RegistryPage, org: RegistryOrganisation | None) -> _Owner:
    name = (org.short_name or org.name) if org else "?"
    return _Owner(page.id or 0, name, page_label(page, org))


def fact_deadlines(fact: RegistryFactReport, owner: _Owner) -> list[Deadline]:
    """The report deadline of a fact and, once it is reported, the IT entry deadline."""
    clause = "3.1" if fact.kind == FactKind.CREATION else "3.2"
    kind = FACT_KIND_LABELS.get(fact.kind, fact.kind)
    subject = f"сообщить в отдел ИТО: {kind} от {fmt_date(fact.fact_date)}"
    due = add_working_days(fact.fact_date, REPORT_TERM)
    result = [owner.deadline(clause, subject, due, fact.reported_on)]
    # A fact imported from the office's workbook is in the registry: it was entered, on a day nobody wrote
    # down. Its 3.4 term cannot be judged, and counting it from the report date would call it years late.
    if fact.reported_on is not None and not fact.entry_undated:
        entry = f"внести в реестр: {kind} (сведения от {fmt_date(fact.reported_on)})"
        due = add_working_days(fact.reported_on, ENTRY_TERM)
        result.append(owner.deadline("3.4", entry, due, fact.entered_on))
    return result


def site_link_deadline(page: RegistryPage, org: RegistryOrganisation | None) -> Deadline | None:
    """Clause 1.4.5 applies only to an active page of an organisation that has an official site."""
    if org is None or not org.website or page.status != PageStatus.ACTIVE:
        return None
    due = add_working_days(page.created_on, SITE_LINK_TERM)
    subject = f"ссылка на страницу на сайте {org.website}"
    return _owner(page, org).deadline("1.4.5", subject, due, page.site_link_found_on)


def page_deadlines(
    page: RegistryPage, org: RegistryOrganisation | None, facts: Iterable[RegistryFactReport]
) -> list[Deadline]:
    """Every deadline of one page, in order of due date."""
    owner = _owner(page, org)
    result: list[Deadline] = []
    for fact in facts:
        result.extend(fact_deadlines(fact, owner))
    link = site_link_deadline(page, org)
    if link is not None:
        result.append(link)
    return sorted(result, key=lambda d: (d.due, d.clause))


def overdue_items(
    pages: Iterable[RegistryPage],
    orgs: Mapping[int, RegistryOrganisation],
    facts: Iterable[RegistryFactReport],
    today: dt.date,
    *,
    include_late: bool = False,
) -> list[Deadline]:
    """Deadlines that are past due and still open on `today` (and, if asked, those met late)."""
    by_page: dict[int, list[RegistryFactReport]] = {}
    for fact in facts:
        by_page.setdefault(fact.page_id, []).append(fact)
    wanted = {DeadlineState.OVERDUE} | ({DeadlineState.LATE} if include_late else set())
    result: list[Deadline] = []
    for page in pages:
        org = orgs.get(page.organisation_id)
        for deadline in page_deadlines(page, org, by_page.get(page.id or -1, [])):
            if deadline.state(today) in wanted:
                result.append(deadline)
    return sorted(result, key=lambda d: (d.due, d.page_id, d.clause))
