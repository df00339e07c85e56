"""How cards and reports read: the clause in the regulation's words, scores in words, details folded away, the
author with a link and a record, evidence naming the right ground, bidi controls neutralised, HTML escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bots.telegram.review_render import build_keyboard, mark_spans, render_card
from bots.telegram.review_report import build_report_keyboard, render_report
from emulators.telegram.model import parse_html
from moderation.daemon.ports import IncomingComment, ModeratorChoice, ReviewCard
from moderation.daemon.records import CardStatus
from moderation.daemon.views import (
    Author,
    AuthorRecord,
    CardView,
    EventKind,
    HistoryEntry,
    LiveState,
    ReportView,
    Source,
)
from moderation.types import Action, Evidence, Ground, Platform, Span, Verdict

BARNAUL = ZoneInfo("Asia/Barnaul")
NOW = datetime(2026, 11, 29, 8, 30, tzinfo=UTC)
NEIGHBOUR = "Сосед с Ленина 12 кв 45 Иванов Пётр, телефон +7 913 123-45-67, разберитесь с ним"


def neighbour_view(**changes: object) -> CardView:
    """The demonstration's neighbour: personal data, with the advertising rule's weak hint on the phone."""
    comment = IncomingComment(
        Platform.VK, "170001", "3", "11", "7005", NEIGHBOUR, NOW, post_text="График приёма граждан"
    )
    verdict = Verdict(
        "11",
        Action.DELETE,
        (Ground.PERSONAL_DATA,),
        {Ground.ADVERTISING: 0.45, Ground.PERSONAL_DATA: 0.9985},
        (
            Evidence(
                "advertising.call_to_buy", Ground.ADVERTISING, 0.45, (Span(37, 51),), "призыв обращаться"
            ),
            Evidence("pii.address", Ground.PERSONAL_DATA, 0.9, (Span(8, 23),), "адрес с квартирой"),
            Evidence(
                "pii.phone", Ground.PERSONAL_DATA, 0.9, (Span(45, 61),), "мобильный телефон +7 9** ***-**-67"
            ),
        ),
    )
    card = ReviewCard(
        41, comment, verdict, comment_url="https://vk.com/wall-170001_3?reply=11", page_title="Администрация"
    )
    view = CardView(
        card,
        CardStatus.OPEN,
        author=Author("Пётр Иванов", "https://vk.com/id7005"),
        record=AuthorRecord(
            {Ground.OBSCENITY: 2, Ground.SPAM: 1}, NOW - timedelta(days=3), True, NOW + timedelta(days=6)
        ),
        state=LiveState(False, True, NOW + timedelta(days=6), Source.PLATFORM),
        policy_days=7,
        prior_violations=3,
        now=NOW,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def test_card_names_the_clause_in_the_regulations_words_with_confidence_in_words() -> None:
    html = render_card(neighbour_view(), BARNAUL)
    assert "• п. 2.5, пп. 2 — персональные данные граждан (несомненно)" in html
    assert "0.99" not in html and "0.9985" not in html, "scores are words"
    assert "pii.phone" not in html and "advertising.call_to_buy" not in html, "no rule identifiers"


def test_every_evidence_line_names_the_ground_it_supports() -> None:
    """The neighbour's phone number is personal data; the weak advertising hint on it is not a reason."""
    html = render_card(neighbour_view(), BARNAUL)
    details = html.split("<blockquote expandable>", 1)[1].split("</blockquote>", 1)[0]
    assert "персональные данные: мобильный телефон" in details and "«+7 913 123-45-67»" in details
    assert "реклама" not in details.lower() and "Реклама" not in html
    assert "<u>+7 913 123-45-67</u>" in html and "<u>Ленина 12 кв 45</u>" in html


def test_the_author_has_a_link_and_a_record_on_the_page() -> None:
    html = render_card(neighbour_view(), BARNAUL)
    assert '<b>Автор:</b> <a href="https://vk.com/id7005">Пётр Иванов</a> (id 7005)' in html
    assert "удалено раньше: 3 (ненормативная лексика — 2, спам — 1), последнее 26.11.2026" in html
    assert "ограничен до 05.12.2026 15:30" in html, "in Barnaul time"
    assert "<b>К посту:</b> График приёма граждан" in html
    assert (
        "<b>Сейчас:</b> комментарий на месте; автор ограничен до 05.12.2026 15:30 (по данным ВКонтакте)"
        in html
    )
    assert "«Удалить» ограничит автора на 7 дн." in html


def test_details_are_folded_into_an_expandable_quote_telegram_accepts() -> None:
    text, entities = parse_html(render_card(neighbour_view(), BARNAUL))
    kinds = {entity["type"] for entity in entities}
    assert {"expandable_blockquote", "blockquote", "underline", "text_link"} <= kinds
    assert len(text) <= 4096


@pytest.mark.parametrize(
    "hostile",
    ["\u202eадрес\u202c", "\u2066ка\u2069", "\u200fвор\u200e", "\u202aa\u202b\u202d\u2067\u2068\u061c"],
    ids=["RLO-PDF", "LRI-PDI", "RLM-LRM", "прочие"],
)
def test_bidi_controls_from_a_comment_are_neutralised(hostile: str) -> None:
    view = neighbour_view()
    text = f"Глава <b>{hostile}</b> & компания"
    comment = replace(view.card.comment, text=text, author_name=f"Имя{hostile}")
    evidence = (Evidence("x", Ground.DEFAMATION, 0.7, (Span(0, len(text)),)),)
    verdict = Verdict("11", Action.REVIEW, (Ground.DEFAMATION,), {Ground.DEFAMATION: 0.7}, evidence)
    card = ReviewCard(41, comment, verdict)
    html = render_card(neighbour_view(card=card, author=Author(None, None)), BARNAUL)
    controls = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
    assert not controls & set(html)
    assert "&lt;b&gt;" in html and "&amp; компания" in html, "HTML escaping kept"


def test_buttons_follow_the_card_state() -> None:
    review = build_keyboard(neighbour_view())
    assert review is not None
    texts = [b.text for row in review.inline_keyboard for b in row]
    assert texts == ["Оставить", "Удалить", "Удалить и ограничить 1 д", "Удалить и ограничить 7 д",
                     "Удалить и ограничить 30 д"]  # fmt: skip
    decided = neighbour_view(status=CardStatus.DECIDED, undo_until=NOW + timedelta(minutes=15))
    undo = build_keyboard(decided)
    assert undo is not None and [b.text for row in undo.inline_keyboard for b in row] == [
        "↩️ Отменить решение"
    ]
    assert (
        build_keyboard(neighbour_view(status=CardStatus.DECIDED, undo_until=NOW - timedelta(seconds=1)))
        is None
    )
    assert build_keyboard(neighbour_view(status=CardStatus.CLOSED)) is None


def test_a_report_lists_each_deletion_with_what_applies_to_it() -> None:
    restricted = neighbour_view(card=neighbour_view().card, position=1, can_restore=True, can_lift=True)
    restored = neighbour_view(
        position=2,
        status=CardStatus.DECIDED,
        undo_until=NOW + timedelta(minutes=10),
        state=LiveState(False, False, None, Source.PLATFORM),
        history=(HistoryEntry(EventKind.DECIDED, NOW, "Мария Иванова", ModeratorChoice.RESTORE),),
    )
    plain = neighbour_view(position=3, can_restore=True, can_lift=False)
    report = ReportView(
        5, Platform.VK, "170001", (restricted, restored, plain), NOW, "Администрация", now=NOW
    )
    html = render_report(report, BARNAUL)
    assert html.startswith("🗑 <b>Удалено автоматически: 3</b> — Администрация (ВКонтакте), 29.11.2026 15:30")
    assert '<a href="https://vk.com/id7005">Пётр Иванов</a>: п. 2.5, пп. 2 — персональные данные' in html
    assert "✅ <b>Решение:</b> Восстановить — Мария Иванова, 29.11.2026 15:30" in html
    keyboard = build_report_keyboard(report)
    assert keyboard is not None
    assert [[b.text for b in row] for row in keyboard.inline_keyboard] == [
        ["↺ 1 Восстановить", "🔓 1 Снять ограничение"],
        ["↩️ 2 Отменить решение"],
        ["↺ 3 Восстановить"],
        ["☑️ Принято"],
    ]
    _, entities = parse_html(html)
    assert entities


def test_mark_spans_escapes_and_clips() -> None:
    assert mark_spans("бла <b>", [Span(4, 7)]) == "бла <u>&lt;b&gt;</u>"
    assert mark_spans("край", [Span(2, 99), Span(-5, 1)]) == "<u>к</u>р<u>ай</u>"
    assert mark_spans("пусто", [Span(3, 3)]) == "пусто"


def test_a_raids_report_fits_telegrams_limit_and_sums_up_the_rest() -> None:
    """Two hundred long deletions with histories: ten with buttons, the rest counted by ground."""
    long_text = "Скидки! Натяжные потолки недорого, звоните круглосуточно, " * 10
    comment = replace(neighbour_view().card.comment, text=long_text, author_name="Ремонт Потолков " * 5)
    evidence = (Evidence("advertising.terms", Ground.ADVERTISING, 0.97, (Span(0, 300),)),)
    verdict = Verdict("11", Action.DELETE, (Ground.ADVERTISING,), {Ground.ADVERTISING: 0.97}, evidence)
    card = replace(neighbour_view().card, comment=comment, verdict=verdict)
    history = (
        HistoryEntry(EventKind.DECIDED, NOW, "Мария Иванова " * 3, ModeratorChoice.RESTORE),
        HistoryEntry(EventKind.UNDONE, NOW, "Сергей Кузнецов " * 3),
    )
    items = tuple(
        neighbour_view(card=card, position=n, history=history, can_restore=True, can_lift=True)
        for n in range(1, 201)
    )
    report = ReportView(7, Platform.VK, "170001", items, NOW, "Администрация", now=NOW, detailed=10)
    text, _ = parse_html(render_report(report, BARNAUL))
    assert len(text) <= 4096
    assert "…и ещё" in text and "реклама — " in text
    keyboard = build_report_keyboard(report)
    assert keyboard is not None and len(keyboard.inline_keyboard) == 11
