"""How a report of automatic deletions reads: one message per page every few minutes, a numbered line per
deletion with the author, the clause and what became of it, and a button to take each deletion back.

Automatic deletions need no one, so they never get a card of their own: the moderators' chat (about 20
messages a minute for a bot) stays free for the cards that wait for a decision.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import tzinfo
from html import escape, unescape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.telegram.review_render import (
    PLATFORM_LABELS,
    button,
    history_line,
    mark_spans,
    moment,
    plain,
    restriction_words,
    short,
    shown_evidence,
)
from moderation.clauses import SHORT, clause_of
from moderation.daemon.ports import ModeratorChoice
from moderation.daemon.records import CardStatus
from moderation.daemon.views import CardView, EventKind, ReportView

TEXT_LIMIT = 4000  # Telegram's 4096 characters, with room to spare
ITEM_TEXT_CHARS = (120, 60, 0)  # the quoted text of each deletion, shortened until the report fits
_TAG = re.compile(r"<[^>]+>")


class ReportAction(CallbackData, prefix="dzr"):
    """The report's own button: accept every deletion in it (or take the acceptance back)."""

    report: int
    undo: int = 0


def _item(view: CardView, tz: tzinfo, text_chars: int) -> str:
    card, comment = view.card, view.card.comment
    name = view.author.name or comment.author_name
    who = plain(short(name, 60)) if name else f"id {plain(comment.author_id)}"
    if view.author.url:
        who = f'<a href="{escape(view.author.url, quote=True)}">{who}</a>'
    grounds = sorted(card.verdict.grounds, key=lambda g: -card.verdict.scores.get(g, 0.0))
    clause = f"{clause_of(grounds[0]).ref} — {SHORT[grounds[0]]}" if grounds else "—"
    lines = [f"<b>{view.position}.</b> {who}: {escape(clause, quote=False)}"]
    if text_chars:
        spans = [span for item in shown_evidence(card.verdict) for span in item.spans]
        text = mark_spans(comment.text, spans, text_chars)
        if card.comment_url:
            text += f' <a href="{escape(card.comment_url, quote=True)}">↗</a>'
        lines.append(f"<blockquote>{text or '(без текста)'}</blockquote>")
    state = view.state
    now = "восстановлен" if state.comment_deleted is False else "удалён"
    now += ", автор " + restriction_words(state.restricted, state.restricted_until, tz)
    if state.pending:
        now += "; выполняется…"
    lines.append(f"<i>Сейчас: {now}</i>")
    history = [e for e in view.history if e.kind is not EventKind.ACKNOWLEDGED]
    if history:  # the latest: the report has the rest of the story in the chat's history
        lines.append(history_line(history[-1], tz))
    return "\n".join(lines)


def _overflow(items: tuple[CardView, ...]) -> str:
    """Deletions beyond the detailed ones, by ground: a raid still shows up in one message."""
    grounds = Counter(
        SHORT[max(i.card.verdict.grounds, key=lambda g: i.card.verdict.scores.get(g, 0.0))]
        for i in items
        if i.card.verdict.grounds
    )
    by_ground = ", ".join(f"{name} — {n}" for name, n in grounds.most_common())
    return (
        f"<b>…и ещё {len(items)}</b> ({by_ground}): без отдельных кнопок; найти любое — "
        "/find <i>текст или автор</i>"
    )


def render_report(report: ReportView, tz: tzinfo) -> str:
    """The report's HTML, shortened until it fits Telegram's limit: the quoted texts first, then items."""
    detailed = report.detailed
    while True:
        for chars in ITEM_TEXT_CHARS:
            html = _render(report, tz, detailed, chars)
            if len(unescape(_TAG.sub("", html))) <= TEXT_LIMIT:
                return html
        if detailed <= 1:
            return html
        detailed -= 1


def _render(report: ReportView, tz: tzinfo, detailed: int, text_chars: int) -> str:
    title = plain(report.page_title or report.page_id)
    header = (
        f"🗑 <b>Удалено автоматически: {len(report.items)}</b> — {title} "
        f"({PLATFORM_LABELS[report.platform]}), {moment(report.created_at, tz)}"
    )
    lines = [header, ""]
    lines.extend(_item(item, tz, text_chars) for item in report.items[:detailed])
    if len(report.items) > detailed:
        lines.append(_overflow(report.items[detailed:]))
    lines.append("")
    if report.acknowledged_at is not None:
        who = plain(report.acknowledged_by or "модератор")
        lines.append(f"☑️ <b>Принято</b> — {who}, {moment(report.acknowledged_at, tz)}")
    elif report.open_items:
        lines.append(
            "<i>«Принято» закрывает удаления без отмены; отменить удаление — кнопкой с его номером.</i>"
        )
    lines.append(f"<i>Сводка № {report.report_id}</i>")
    return "\n".join(lines)


def build_report_keyboard(report: ReportView) -> InlineKeyboardMarkup | None:
    """Per deletion: restore and lift while it is open, undo while its decision can be taken back; then the
    report's own «Принято» (or its undo)."""
    rows: list[list[InlineKeyboardButton]] = []
    for item in report.items[: report.detailed]:
        row = []
        if item.status is CardStatus.OPEN:
            if item.can_restore:
                row.append(button(f"↺ {item.position} Восстановить", item.card_id, ModeratorChoice.RESTORE))
            if item.can_lift:
                row.append(
                    button(f"🔓 {item.position} Снять ограничение", item.card_id, ModeratorChoice.LIFT)
                )
        elif item.status is CardStatus.DECIDED and item.can_undo:
            row.append(button(f"↩️ {item.position} Отменить решение", item.card_id, ModeratorChoice.UNDO))
        if row:
            rows.append(row)
    if report.acknowledged_at is None and report.open_items:
        data = ReportAction(report=report.report_id).pack()
        rows.append([InlineKeyboardButton(text="☑️ Принято", callback_data=data)])
    elif report.acknowledged_at is not None and report.can_undo:
        data = ReportAction(report=report.report_id, undo=1).pack()
        rows.append([InlineKeyboardButton(text="↩️ Отменить «Принято»", callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
