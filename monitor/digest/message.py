"""The short Telegram message that goes with the report file: the gist in a few lines, always under 4096."""

from __future__ import annotations

from html import escape

from models.values import Status
from monitor.digest.data import WeekDigest
from monitor.digest.html import week_period
from monitor.digest.labels import STATUS_ICON, age, delta

TELEGRAM_LIMIT = 4096
MAX_FIXES = 12


def render_message(digest: WeekDigest, limit: int = TELEGRAM_LIMIT) -> str:
    """Telegram HTML (parse_mode=HTML); fixes are cut with 'and N more' to stay within `limit`."""
    head = _head(digest)
    unchecked = [
        f"{STATUS_ICON[Status.ERROR]} Не удалось проверить ({len(u.pages)} стр.): {escape(u.cause)}"
        for u in digest.unchecked
    ]
    tail = [*unchecked, *_moderation(digest), "", "Подробный отчёт — в приложенном файле."]
    fixes = [
        f"{STATUS_ICON[f.status]} <b>{escape(f.organisation)}</b>"
        + (f" ({escape(f.network)})" if f.network else "")
        + f": {escape(f.text)}"
        for f in digest.fixes
    ]
    shown = fixes[:MAX_FIXES]
    while True:
        rest = len(fixes) - len(shown)
        more = [f"…и ещё {rest} — в отчёте."] if rest else []
        block = [f"<b>Что исправить ({len(fixes)}):</b>", *shown, *more] if fixes else ["Замечаний нет."]
        text = "\n".join([*head, "", *block, "", *tail]).strip()
        if len(text) <= limit or not shown:
            return text[:limit]
        shown = shown[:-1]


def _head(digest: WeekDigest) -> list[str]:
    title = f"<b>Соцсети: отчёт за неделю {digest.week.number} ({escape(week_period(digest))})</b>"
    if digest.in_progress:
        title += f"\nНеделя ещё идёт: сведения на {digest.moment:%d.%m.%Y %H:%M}"
    if not digest.pages:
        return [title, "В реестре нет действующих страниц."]
    counts = " · ".join(
        f"{STATUS_ICON[s]} {digest.status_counts.get(s, 0)}"
        for s in (Status.OK, Status.WARNING, Status.FAIL, Status.ERROR)
    )
    return [title, f"Страниц: {len(digest.pages)} — {counts}"]


def _moderation(digest: WeekDigest) -> list[str]:
    now, before = digest.moderation, digest.previous_moderation
    if now is None:
        return []
    checked = f"проверено {now.comments_checked}"
    change = delta(now.comments_checked, before.comments_checked if before else None)
    if change:
        checked += f" ({change})"
    parts = [checked, f"удалено {now.deleted}", f"модераторам {now.sent_to_review}"]
    if now.overturned_auto_deletions:
        parts.append(f"отменено автоудалений {now.overturned_auto_deletions}")
    if now.waiting_cards and now.oldest_waiting_since:
        oldest = age(now.oldest_waiting_since, digest.moment)
        parts.append(f"ждут решения {now.waiting_cards} (самая старая — {oldest})")
    return ["<b>Модерация комментариев:</b> " + escape(", ".join(parts)) + "."]
