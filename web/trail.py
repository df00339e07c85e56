"""A comment's whole trail, oldest first: received, each verdict with its evidence, cards, moderators'
presses, actions on the platform (attempts and errors), restrictions, appeals, the audit entries about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from models.console import Appeal
from models.tables import (
    ActionRow,
    AuditEntry,
    CommentRow,
    DecisionRow,
    RestrictionRow,
    ReviewCardRow,
    VerdictRow,
)
from monitor.digest.labels import DECISION_LABEL, GROUND_LABEL
from web.search import ACTION_LABEL, DECIDED_BY_LABEL, comment_states, label_of, page_labels

UTC_ZONE = ZoneInfo("UTC")
KIND_LABEL = {
    "delete": "удаление",
    "restore": "восстановление",
    "restrict": "ограничение автора",
    "lift": "снятие ограничения",
    "card": "карточка модераторам",
}
STATUS_LABEL = {
    "pending": "в очереди",
    "running": "выполняется",
    "done": "выполнено",
    "failed": "не удалось",
    "parked": "отложено (нужен человек)",
    "cancelled": "отменено",
}
AUDIT_LABEL = {
    "verdict": "решение записано",
    "decision": "решение модератора",
    "action_done": "действие выполнено",
    "action_failed": "действие не удалось",
    "action_parked": "действие отложено",
    "console_appeal_restore": "восстановление по обжалованию",
}
ACTOR_LABEL = {"rules": "правила", "model": "модель", "moderator": "модератор", "runner": "служба"}
CARD_LABEL = {"open": "ждёт решения", "decided": "решено", "superseded": "заменена (комментарий изменён)"}


@dataclass(frozen=True)
class Segment:
    """A piece of the comment's text; `ground` is set when a rule or the model pointed at it."""

    text: str
    ground: str = ""


@dataclass(frozen=True)
class Event:
    """One line of the trail."""

    at: datetime
    what: str
    details: tuple[str, ...] = ()


@dataclass
class Trail:
    comment: CommentRow
    segments: list[Segment]
    events: list[Event] = field(default_factory=list)
    restrictions: list[RestrictionRow] = field(default_factory=list)
    appealable: bool = False
    page: str = ""
    state: str = ""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def highlight(text: str, evidence: list[dict[str, Any]]) -> list[Segment]:
    """Split the text at the evidence spans, so the page marks what the verdict pointed at (Jinja escapes)."""
    marks: list[tuple[int, int, str]] = []
    for item in evidence:
        for start, end in item.get("spans", []):
            if 0 <= int(start) < int(end) <= len(text):
                marks.append((int(start), int(end), str(item.get("ground", ""))))
    segments, pos = [], 0
    for start, end, ground in sorted(marks):
        if start < pos:
            continue
        if start > pos:
            segments.append(Segment(text[pos:start]))
        segments.append(Segment(text[start:end], GROUND_LABEL.get(ground, ground)))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:]))
    return segments


def _verdict_event(v: VerdictRow) -> Event:
    grounds = ", ".join(GROUND_LABEL.get(g, g) for g in v.grounds) or "оснований нет"
    who = DECIDED_BY_LABEL.get(v.decided_by, v.decided_by)
    details = [
        f"{GROUND_LABEL.get(g, g)}: {s:.2f}" for g, s in sorted(v.scores.items(), key=lambda kv: -kv[1])
    ]
    details += [
        f"{e.get('rule')}: {e.get('detail') or GROUND_LABEL.get(str(e.get('ground')), '')}"
        for e in v.evidence
    ]
    version = f", модель {v.model_version}" if v.model_version else ""
    return Event(
        v.at, f"Решение ({who}{version}): {ACTION_LABEL.get(v.action, v.action)} — {grounds}", tuple(details)
    )


def comment_trail(session: Session, comment_id: int, zone: ZoneInfo = UTC_ZONE) -> Trail | None:
    """Everything that happened to one comment, in time order."""
    comment = session.get(CommentRow, comment_id)
    if comment is None:
        return None
    verdicts = list(
        session.exec(
            select(VerdictRow).where(VerdictRow.comment_id == comment_id).order_by(col(VerdictRow.id))
        )
    )
    machine = next((v for v in reversed(verdicts) if v.evidence), None)
    trail = Trail(comment, highlight(comment.text, machine.evidence if machine else []))
    events = [
        Event(
            comment.received_at,
            f"Получен (редакция {comment.revision})",
            (f"написан {_aware(comment.created_at).astimezone(zone):%d.%m.%Y %H:%M}",),
        )
    ]
    events += [_verdict_event(v) for v in verdicts]
    for card in session.exec(select(ReviewCardRow).where(ReviewCardRow.comment_id == comment_id)):
        note = " (комментарий уже удалён)" if card.auto_deleted else ""
        events.append(
            Event(card.created_at, f"Карточка модераторам{note}: {CARD_LABEL.get(card.status, card.status)}")
        )
        for d in session.exec(select(DecisionRow).where(DecisionRow.card_id == card.id)):
            days = f", ограничение {d.restrict_days} дн." if d.restrict_days else ""
            events.append(
                Event(
                    d.at,
                    f"Модератор {d.moderator_name or d.moderator_id}: "
                    f"{DECISION_LABEL.get(d.choice, d.choice)}{days}",
                )
            )
    trail.restrictions = list(
        session.exec(select(RestrictionRow).where(RestrictionRow.comment_id == comment_id))
    )
    for r in trail.restrictions:
        until = f"до {_aware(r.until).astimezone(zone):%d.%m.%Y %H:%M}" if r.until else "бессрочно"
        events.append(
            Event(
                r.start,
                f"Ограничение автора {until} ({GROUND_LABEL.get(r.ground, r.ground)}), установил: {r.by}",
            )
        )
        if r.lifted_at:
            events.append(Event(r.lifted_at, "Ограничение снято"))
    restriction_ids = [r.id for r in trail.restrictions]
    actions = select(ActionRow).where(
        (col(ActionRow.comment_id) == comment_id) | col(ActionRow.restriction_id).in_(restriction_ids)
    )
    for a in session.exec(actions.order_by(col(ActionRow.id))):
        error = (f"последняя ошибка: {a.last_error}",) if a.last_error else ()
        status = STATUS_LABEL.get(a.status, a.status)
        events.append(
            Event(
                a.updated_at,
                f"Действие «{KIND_LABEL.get(a.kind, a.kind)}»: {status}, попыток {a.attempts}",
                error,
            )
        )
    for appeal in session.exec(select(Appeal).where(Appeal.comment_id == comment_id)):
        events.append(
            Event(
                appeal.at, f"Обжалование: восстановить ({appeal.user_name})", (f"причина: {appeal.reason}",)
            )
        )
    audits = select(AuditEntry).where(
        cast(AuditEntry.details, String).contains(f'"{comment.key}"', autoescape=True)
    )
    for entry in session.exec(audits.order_by(col(AuditEntry.id))):
        actor = ACTOR_LABEL.get(entry.actor, entry.actor.replace("console:", "консоль, "))
        events.append(
            Event(entry.at, f"Журнал аудита: {AUDIT_LABEL.get(entry.event, entry.event)} ({actor})")
        )
    trail.events = sorted(events, key=lambda e: _aware(e.at))
    trail.state = comment_states(session, [comment_id]).get(comment_id, "оставлен")
    trail.page = label_of(page_labels(session), comment.platform, comment.page_id)
    trail.appealable = trail.state.startswith("удал") or any(r.lifted_at is None for r in trail.restrictions)
    return trail
