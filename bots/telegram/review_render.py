"""How a review card reads in the moderators' Telegram group: HTML text, evidence marks and buttons.

Everything a moderator needs to decide without opening the page is on the card: where, who, what was said with
the suspicious fragments underlined, and which rule saw which ground how strongly (clause 1.2.2, STYLE 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from moderation.daemon.ports import ModeratorChoice, ReviewCard
from moderation.types import Ground, Platform, Span

GROUND_LABELS: dict[Ground, str] = {
    Ground.LAW_VIOLATION: "Нарушение закона",
    Ground.SPAM: "Спам",
    Ground.UNVERIFIED_CLAIM: "Непроверенная информация",
    Ground.OBSCENITY: "Нецензурная брань",
    Ground.OFF_TOPIC: "Не по теме",
    Ground.ADVERTISING: "Реклама",
    Ground.PERSONAL_DATA: "Персональные данные",
    Ground.ENGAGEMENT_REQUEST: "Просьба о лайках, дружбе, голосовании",
    Ground.DEFAMATION: "Порочит честь и достоинство",
    Ground.PROVOCATION: "Провокация конфликта",
}

PLATFORM_LABELS: dict[Platform, str] = {Platform.VK: "ВКонтакте", Platform.TELEGRAM: "Telegram"}

RESTRICT_DAYS: tuple[int, ...] = (1, 7, 30)
MAX_COMMENT_CHARS = 1500
MAX_POST_CHARS = 300
MAX_EVIDENCE_LINES = 8
MAX_FRAGMENT_CHARS = 80


class CardAction(CallbackData, prefix="dz"):
    """A button on a review card; packed as e.g. `dz:42:delete_restrict:7`, far below Telegram's 64 bytes."""

    card: int
    choice: ModeratorChoice
    days: int = 0


def choice_label(choice: ModeratorChoice, days: int | None = None) -> str:
    """The moderator-facing name of a decision, used on buttons and in the decision line."""
    labels = {
        ModeratorChoice.KEEP: "Оставить",
        ModeratorChoice.DELETE: "Удалить",
        ModeratorChoice.DELETE_RESTRICT: "Удалить и ограничить",
        ModeratorChoice.RESTORE: "Восстановить",
        ModeratorChoice.LIFT: "Снять ограничение",
    }
    label = labels[choice]
    if choice is ModeratorChoice.DELETE_RESTRICT and days:
        label += f" на {days} д"
    return label


def build_keyboard(card: ReviewCard) -> InlineKeyboardMarkup:
    """Buttons for the card; an automatically deleted comment can only be restored or its author let go."""

    def button(text: str, choice: ModeratorChoice, days: int = 0) -> InlineKeyboardButton:
        data = CardAction(card=card.card_id, choice=choice, days=days).pack()
        return InlineKeyboardButton(text=text, callback_data=data)

    if card.auto_deleted:
        row = [button("Снять ограничение", ModeratorChoice.LIFT)]
        if card.comment.platform is not Platform.TELEGRAM:  # Telegram cannot bring a message back
            row.insert(0, button("Восстановить", ModeratorChoice.RESTORE))
        return InlineKeyboardMarkup(inline_keyboard=[row])
    restrict_row = [
        button(f"Удалить и ограничить {days} д", ModeratorChoice.DELETE_RESTRICT, days)
        for days in RESTRICT_DAYS
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button("Оставить", ModeratorChoice.KEEP), button("Удалить", ModeratorChoice.DELETE)],
            restrict_row,
        ]
    )


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
        parts.append(escape(shown[cursor:start], quote=False))
        parts.append(f"<u>{escape(shown[start:end], quote=False)}</u>")
        cursor = end
    parts.append(escape(shown[cursor:], quote=False))
    if len(shown) < len(text):
        parts.append(f"… <i>(ещё {len(text) - len(shown)} симв.)</i>")
    return "".join(parts)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _grounds_line(card: ReviewCard) -> str:
    verdict = card.verdict
    grounds = verdict.grounds or tuple(sorted(verdict.scores, key=lambda g: -verdict.scores[g]))
    if not grounds:
        return "—"
    items = [
        f"{GROUND_LABELS[g]} ({verdict.scores[g]:.2f})" if g in verdict.scores else GROUND_LABELS[g]
        for g in grounds
    ]
    return escape("; ".join(items), quote=False)


def _evidence_lines(card: ReviewCard) -> list[str]:
    lines: list[str] = []
    text = card.comment.text
    for item in card.verdict.evidence[:MAX_EVIDENCE_LINES]:
        fragments = ", ".join(f"«{_short(span.of(text), MAX_FRAGMENT_CHARS)}»" for span in item.spans[:3])
        line = f"• {item.rule} → {GROUND_LABELS[item.ground]} {item.score:.2f}"
        if fragments:
            line += f": {fragments}"
        if item.detail:
            line += f" ({_short(item.detail, MAX_FRAGMENT_CHARS)})"
        lines.append(escape(line, quote=False))
    hidden = len(card.verdict.evidence) - MAX_EVIDENCE_LINES
    if hidden > 0:
        lines.append(f"• и ещё {hidden}")
    return lines


def _author_line(card: ReviewCard) -> str:
    comment = card.comment
    name = escape(comment.author_name or "без имени", quote=False)
    suffix = ", от имени канала" if comment.author_is_chat else ""
    return f"<b>Автор:</b> {name} (id {escape(comment.author_id, quote=False)}{suffix})"


def render_card(card: ReviewCard) -> str:
    """The card's HTML; stays well under Telegram's 4096-character limit whatever the comment's length."""
    comment = card.comment
    header = "🗑 <b>Удалён автоматически</b>" if card.auto_deleted else "🛡 <b>Комментарий на проверку</b>"
    page = escape(card.page_title or comment.page_id, quote=False)
    lines = [header, f"<b>Страница:</b> {page} ({PLATFORM_LABELS[comment.platform]})"]
    if card.comment_url:
        lines.append(f'<b>Комментарий:</b> <a href="{escape(card.comment_url, quote=True)}">открыть</a>')
    lines.append(_author_line(card))
    if comment.post_text:
        lines.append(f"<b>К посту:</b> {escape(_short(comment.post_text, MAX_POST_CHARS), quote=False)}")
    lines.append(f"<b>Основания:</b> {_grounds_line(card)}")
    spans = [span for item in card.verdict.evidence for span in item.spans]
    lines.append("<b>Текст:</b>")
    lines.append(f"<blockquote>{mark_spans(comment.text, spans) or '(без текста)'}</blockquote>")
    evidence = _evidence_lines(card)
    if evidence:
        lines.append("<b>Признаки:</b>")
        lines.extend(evidence)
    lines.append(f"<i>Карточка № {card.card_id}</i>")
    return "\n".join(lines)


def render_decision(label: str, who: str, when: datetime, tz: tzinfo) -> str:
    """The line appended to a decided card: what was decided, by whom and when (clause 1.2.2)."""
    moment = when.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    return f"✅ <b>Решение:</b> {escape(label, quote=False)} — {escape(who, quote=False)}, {moment}"
