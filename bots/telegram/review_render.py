"""How a card reads in the moderators' Telegram group: HTML text, evidence marks and buttons.

Everything a moderator needs to decide without opening the page is on the card (clause 1.2.2, STYLE 3): where
and who (a name with a link to the profile), the author's record on the page, the post answered, the grounds
as the regulation words them with the clause, what was said with the evidence underlined, the state of the
comment and the author now, and every decision with who took it and when. Scores are words; the details (which
rule saw what) are folded away in an expandable quote. Anything a citizen wrote is escaped and stripped of the
bidi controls that could make it read other than it is. Times are in the configured zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from moderation.clauses import SHORT, clause_of, confidence
from moderation.daemon.ports import ModeratorChoice
from moderation.daemon.records import CardStatus
from moderation.daemon.views import AuthorRecord, CardView, EventKind, HistoryEntry, LiveState, Source
from moderation.types import Evidence, Ground, Platform, Span, Verdict

PLATFORM_LABELS: dict[Platform, str] = {Platform.VK: "ВКонтакте", Platform.TELEGRAM: "Telegram"}
MAX_COMMENT_CHARS = 1500
MAX_POST_CHARS = 300
MAX_EVIDENCE_LINES = 8
MAX_FRAGMENT_CHARS = 80
MAX_NAME_CHARS = 80

# Explicit direction marks, embeddings, overrides and isolates: a comment could use them to make the card read
# other than the text is (U+202E turns the rest of a line around).
BIDI_CONTROLS = dict.fromkeys([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)


class CardAction(CallbackData, prefix="dz"):
    """A button on a card; packed as e.g. `dz:42:delete_restrict:7`, far below Telegram's 64 bytes.

    Nothing in it is trusted: the server checks the card against the message the button was on, the choice
    against the card and the days against the configured choices.
    """

    card: int
    choice: ModeratorChoice
    days: int = 0


def plain(text: str) -> str:
    """A citizen's text made safe for a card: bidi controls removed, HTML escaped."""
    return escape(text.translate(BIDI_CONTROLS), quote=False)


def moment(when: datetime, tz: tzinfo) -> str:
    return when.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def choice_label(choice: ModeratorChoice, days: int | None = None) -> str:
    """The moderator-facing name of a decision, used on buttons and in the decision line."""
    labels = {
        ModeratorChoice.KEEP: "Оставить",
        ModeratorChoice.DELETE: "Удалить",
        ModeratorChoice.DELETE_RESTRICT: "Удалить и ограничить",
        ModeratorChoice.RESTORE: "Восстановить",
        ModeratorChoice.LIFT: "Снять ограничение",
        ModeratorChoice.UNDO: "Отменить решение",
    }
    label = labels[choice]
    if choice is ModeratorChoice.DELETE_RESTRICT and days:
        label += f" на {days} д"
    return label


def button(text: str, card_id: int, choice: ModeratorChoice, days: int = 0) -> InlineKeyboardButton:
    data = CardAction(card=card_id, choice=choice, days=days).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def build_keyboard(view: CardView) -> InlineKeyboardMarkup | None:
    """The buttons that apply to the card now: a decision on an open card, undo while the window lasts."""
    card_id = view.card_id
    if view.status is CardStatus.DECIDED:
        if view.can_undo:
            return _markup([[button("↩️ Отменить решение", card_id, ModeratorChoice.UNDO)]])
        return None
    if view.status is not CardStatus.OPEN:
        return None
    if view.card.auto_deleted:
        row = []
        if view.can_restore:
            row.append(button("Восстановить", card_id, ModeratorChoice.RESTORE))
        if view.can_lift:
            row.append(button("Снять ограничение", card_id, ModeratorChoice.LIFT))
        return _markup([row] if row else [])
    restrict_row = [
        button(f"Удалить и ограничить {days} д", card_id, ModeratorChoice.DELETE_RESTRICT, days)
        for days in view.restrict_days
    ]
    first = [
        button("Оставить", card_id, ModeratorChoice.KEEP),
        button("Удалить", card_id, ModeratorChoice.DELETE),
    ]
    return _markup([first, restrict_row])


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def merge_spans(spans: Iterable[Span], length: int) -> list[tuple[int, int]]:
    """Clip spans to the text and merge overlapping or touching ones, so marks never nest."""
    clipped = sorted(
        (max(0, s.start), min(length, s.end)) for s in spans if min(length, s.end) > max(0, s.start)
    )
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark_spans(text: str, spans: Iterable[Span], limit: int = MAX_COMMENT_CHARS) -> str:
    """The text as safe HTML with evidence spans underlined; offsets refer to the original text."""
    shown = text if len(text) <= limit else text[:limit]
    parts: list[str] = []
    cursor = 0
    for start, end in merge_spans(spans, len(shown)):
        parts.append(plain(shown[cursor:start]))
        parts.append(f"<u>{plain(shown[start:end])}</u>")
        cursor = end
    parts.append(plain(shown[cursor:]))
    if len(shown) < len(text):
        parts.append(f"… <i>(ещё {len(text) - len(shown)} симв.)</i>")
    return "".join(parts)


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_evidence(verdict: Verdict) -> list[Evidence]:
    """The evidence for the verdict's grounds only: a signal below its threshold (a phone number read as a
    hint of advertising) is not why the comment is here, and would name the wrong ground."""
    if not verdict.grounds:
        return list(verdict.evidence)
    return [item for item in verdict.evidence if item.ground in verdict.grounds]


def grounds_lines(verdict: Verdict) -> list[str]:
    """One line per ground, strongest first: the clause in the regulation's words and the confidence."""
    grounds = sorted(verdict.grounds, key=lambda g: -verdict.scores.get(g, 0.0))
    lines = []
    for ground in grounds:
        score = verdict.scores.get(ground)
        suffix = f" ({confidence(score)})" if score is not None else ""
        lines.append(f"• {escape(clause_of(ground).line, quote=False)}{suffix}")
    return lines or ["• —"]


def evidence_lines(verdict: Verdict, text: str) -> list[str]:
    """What each rule or the model saw, named by the ground it supports."""
    items = shown_evidence(verdict)
    lines = []
    for item in items[:MAX_EVIDENCE_LINES]:
        what = item.detail or "признак"
        if item.rule.startswith(("model", "classifier", "ml:")):
            what = "оценка модели"
        line = f"{SHORT[item.ground]}: {plain(short(what, MAX_FRAGMENT_CHARS))}"
        fragments = ", ".join(
            f"«{plain(short(span.of(text), MAX_FRAGMENT_CHARS))}»" for span in item.spans[:3]
        )
        if fragments:
            line += f" — {fragments}"
        lines.append(f"{line} ({confidence(item.score)})")
    if len(items) > MAX_EVIDENCE_LINES:
        lines.append(f"и ещё {len(items) - MAX_EVIDENCE_LINES}")
    return lines


def author_line(view: CardView) -> str:
    comment = view.card.comment
    name = view.author.name or comment.author_name
    label = plain(short(name, MAX_NAME_CHARS)) if name else "без имени"
    if view.author.url:
        label = f'<a href="{escape(view.author.url, quote=True)}">{label}</a>'
    suffix = ", от имени канала" if comment.author_is_chat else ""
    return f"<b>Автор:</b> {label} (id {plain(comment.author_id)}{suffix})"


def restriction_words(restricted: bool | None, until: datetime | None, tz: tzinfo) -> str:
    if not restricted:
        return "не ограничен"
    return f"ограничен до {moment(until, tz)}" if until is not None else "ограничен бессрочно"


def record_line(record: AuthorRecord, tz: tzinfo) -> str:
    """«удалено раньше: 2 (ненормативная лексика — 1, спам — 1), последнее 03.12.2026; ограничен до …»"""
    if record.total == 0:
        past = "раньше ничего не удаляли"
    else:
        by_ground = ", ".join(
            f"{SHORT[g]} — {n}" for g, n in sorted(record.deletions.items(), key=lambda item: -item[1])
        )
        past = f"удалено раньше: {record.total} ({by_ground})"
        if record.last_deletion_at is not None:
            past += f", последнее {record.last_deletion_at.astimezone(tz):%d.%m.%Y}"
    restriction = restriction_words(record.restricted, record.restricted_until, tz)
    return f"<b>На этой странице:</b> {past}; {restriction}"


def state_line(view: CardView, tz: tzinfo) -> str:
    state: LiveState = view.state
    if state.comment_deleted is None:
        comment = "не известно, удалён ли комментарий"
    else:
        comment = "комментарий удалён" if state.comment_deleted else "комментарий на месте"
    author = "автор " + restriction_words(state.restricted, state.restricted_until, tz)
    source = {
        Source.PLATFORM: f"по данным {PLATFORM_LABELS[view.card.comment.platform]}",
        Source.RECORDS: "по нашим записям",
    }[state.source]
    pending = "; действия выполняются…" if state.pending else ""
    return f"<b>Сейчас:</b> {comment}; {author} ({source}){pending}"


def history_line(entry: HistoryEntry, tz: tzinfo) -> str:
    who = plain(entry.who)
    when = moment(entry.at, tz)
    if entry.kind is EventKind.DECIDED and entry.choice is not None:
        label = escape(choice_label(entry.choice, entry.days), quote=False)
        return f"✅ <b>Решение:</b> {label} — {who}, {when}"
    words = {
        EventKind.UNDONE: "↩️ <b>Решение отменено</b>",
        EventKind.ACKNOWLEDGED: "☑️ <b>Принято</b>",
        EventKind.CLOSED: "🔒 <b>Закрыто без подтверждения</b>",
        EventKind.DECIDED: "✅ <b>Решение</b>",
    }
    who_part = "" if entry.who == "auto" else f" — {who}"
    return f"{words[entry.kind]}{who_part}, {when}"


HEADERS = {
    CardStatus.OPEN: "🛡 <b>Комментарий на проверку</b>",
    CardStatus.DECIDED: "✅ <b>Решено</b>",
    CardStatus.CLOSED: "🔒 <b>Закрыто</b>",
    CardStatus.SUPERSEDED: "✏️ <b>Комментарий изменён: решайте по новой карточке</b>",
    CardStatus.REOPENED: "↩️ <b>Открыто заново</b>",
}


def render_card(view: CardView, tz: tzinfo) -> str:
    """The card's HTML; stays well under Telegram's 4096-character limit whatever the comment's length."""
    card, comment = view.card, view.card.comment
    header = HEADERS[view.status]
    if card.auto_deleted and view.status is CardStatus.OPEN:
        header = "🗑 <b>Удалён автоматически</b>"
    page = plain(card.page_title or comment.page_id)
    where = f"<b>Страница:</b> {page} ({PLATFORM_LABELS[comment.platform]})"
    if card.comment_url:
        where += f' · <a href="{escape(card.comment_url, quote=True)}">комментарий</a>'
    lines = [header, where, author_line(view), record_line(view.record, tz)]
    if comment.post_text:
        lines.append(f"<b>К посту:</b> {plain(short(comment.post_text, MAX_POST_CHARS))}")
    lines.append("<b>Основания для удаления:</b>")
    lines.extend(grounds_lines(card.verdict))
    spans = [span for item in shown_evidence(card.verdict) for span in item.spans]
    lines.append(f"<blockquote>{mark_spans(comment.text, spans) or '(без текста)'}</blockquote>")
    lines.append(state_line(view, tz))
    if view.status is CardStatus.OPEN and not card.auto_deleted:
        lines.append(policy_line(view))
    evidence = evidence_lines(card.verdict, comment.text)
    if evidence:
        lines.append("<blockquote expandable><b>Подробно</b>\n" + "\n".join(evidence) + "</blockquote>")
    lines.extend(history_line(entry, tz) for entry in view.history)
    if view.can_undo and view.undo_until is not None:
        lines.append(f"<i>Отменить решение можно до {view.undo_until.astimezone(tz):%H:%M}</i>")
    lines.append(f"<i>Карточка № {card.card_id}</i>")
    return "\n".join(lines)


def policy_line(view: CardView) -> str:
    """What «Удалить» costs the author by the escalation rules."""
    offences = view.prior_violations
    nth = "первое нарушение" if offences == 0 else f"нарушений за срок правил раньше: {offences}"
    if view.policy_days:
        return f"<b>По правилам:</b> «Удалить» ограничит автора на {view.policy_days} дн. ({nth})"
    return f"<b>По правилам:</b> «Удалить» — без ограничения автора ({nth})"


def ground_names(grounds: Iterable[Ground]) -> str:
    return ", ".join(SHORT[g] for g in grounds) or "—"
