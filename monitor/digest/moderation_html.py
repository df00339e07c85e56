"""The moderation part of the digest: how many comments were checked, removed, sent to people, and why."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from models.values import ModerationFigures
from monitor.digest import charts
from monitor.digest.data import WeekDigest
from monitor.digest.labels import DECISION_LABEL, age, delta, ground_label

OLD_CARD_HOURS = 24


def moderation_section(digest: WeekDigest) -> str:
    """Figures with week-over-week change, a table by ground, moderators' decisions and a chart."""
    now, before = digest.moderation, digest.previous_moderation
    if now is None:
        return (
            '<section id="moderation" class="card"><h2>Модерация комментариев</h2>'
            "<p>Данные модерации за эту неделю недоступны.</p></section>"
        )
    chart = charts.deletions_chart(now.deleted_by_ground, before.deleted_by_ground if before else None)
    figure = (
        f'<figure><img alt="Удалённые комментарии по причинам" src="{chart}">'
        "<figcaption>Удалённые комментарии по причинам (п. 2.5 Порядка).</figcaption></figure>"
        if chart
        else ""
    )
    return (
        '<section id="moderation" class="card"><h2>Модерация комментариев</h2>'
        f"{_figures(digest, now, before)}"
        f'<div class="cols"><div>{_grounds(now, before)}</div><div>{_decisions(now)}</div></div>'
        f"{figure}</section>"
    )


def _figure(value: int | str, label: str, change: str = "", alert: bool = False) -> str:
    css = "figure alert" if alert else "figure"
    chg = f'<div class="chg">{escape(change)}</div>' if change else ""
    number = f'<div class="num">{escape(str(value))}</div>'
    return f'<div class="{css}">{number}<div class="lbl">{escape(label)}</div>{chg}</div>'


def _figures(digest: WeekDigest, now: ModerationFigures, before: ModerationFigures | None) -> str:
    def prev(attr: str) -> int | None:
        return None if before is None else int(getattr(before, attr))

    waiting = _waiting(digest, now)
    tiles = [
        _figure(
            now.comments_checked,
            "комментариев проверено",
            delta(now.comments_checked, prev("comments_checked")),
        ),
        _figure(now.deleted, "удалено", delta(now.deleted, prev("deleted"))),
        _figure(
            now.sent_to_review, "передано модераторам", delta(now.sent_to_review, prev("sent_to_review"))
        ),
        _figure(
            now.overturned_auto_deletions,
            "автоудалений отменено модераторами",
            delta(now.overturned_auto_deletions, prev("overturned_auto_deletions")),
            alert=now.overturned_auto_deletions > 0,
        ),
        _figure(now.restrictions, "авторов ограничено", delta(now.restrictions, prev("restrictions"))),
        waiting,
    ]
    return f'<div class="figures">{"".join(tiles)}</div>'


def _waiting(digest: WeekDigest, now: ModerationFigures) -> str:
    if not now.waiting_cards or now.oldest_waiting_since is None:
        return _figure(0, "карточек ждут решения")
    waited = age(now.oldest_waiting_since, digest.moment)
    old = (digest.moment - now.oldest_waiting_since).total_seconds() > OLD_CARD_HOURS * 3600
    return _figure(now.waiting_cards, "карточек ждут решения", f"самая старая ждёт {waited}", alert=old)


def _grounds(now: ModerationFigures, before: ModerationFigures | None) -> str:
    codes = sorted(
        set(now.deleted_by_ground) | set(now.review_by_ground),
        key=lambda c: -(now.deleted_by_ground.get(c, 0) + now.review_by_ground.get(c, 0)),
    )
    if not codes:
        return "<h3>Причины</h3><p>За неделю ни один комментарий не удалён и не передан модераторам.</p>"
    rows = "".join(
        f"<tr><td>{escape(ground_label(c))}</td><td>{now.deleted_by_ground.get(c, 0)}</td>"
        f"<td>{now.review_by_ground.get(c, 0)}</td><td>{_prev(before, c)}</td></tr>"
        for c in codes
    )
    head = "<tr><th>Причина</th><th>Удалено</th><th>Модераторам</th><th>Удалено неделей раньше</th></tr>"
    return f"<h3>Причины</h3><table><thead>{head}</thead><tbody>{rows}</tbody></table>"


def _prev(before: ModerationFigures | None, code: str) -> str:
    return "—" if before is None else str(before.deleted_by_ground.get(code, 0))


def _decisions(now: ModerationFigures) -> str:
    if not now.decisions:
        return "<h3>Решения модераторов</h3><p>Решений за неделю не было.</p>"
    return "<h3>Решения модераторов</h3>" + _counts_table(now.decisions, DECISION_LABEL, "Решение")


def _counts_table(counts: Mapping[str, int], labels: Mapping[str, str], title: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(labels.get(k, k))}</td><td>{v}</td></tr>"
        for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    head = f"<tr><th>{escape(title)}</th><th>Сколько</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"
