"""The weekly digest as one self-contained HTML file in Russian, for readers with no technical background.

Order of the page: how many pages are fine, what to fix and who must, the table of pages, then moderation.
Everything (styles, charts) is inline so the file can be mailed or opened from a Telegram chat as it is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from html import escape

from models.values import CheckName, Status
from monitor.digest import charts
from monitor.digest.cells import badge, check_cell, deadlines_cell, dot, one_page_cell, posts_cell, twofa_cell
from monitor.digest.data import Fix, PageLine, WeekDigest, network_label
from monitor.digest.labels import PLATFORM_LABEL, STATUS_WORD, moment, period, plural
from monitor.digest.moderation_html import moderation_section
from monitor.digest.style import CSS


def render_html(digest: WeekDigest) -> str:
    """The whole report; pure function of the gathered data."""
    week = digest.week
    title = f"Официальные страницы в соцсетях: неделя {week.number}, {week_period(digest)}"
    body = "\n".join(
        [
            _header(digest),
            _summary(digest),
            _fixes(digest),
            _unchecked(digest),
            _pages(digest),
            moderation_section(digest),
            _legend(digest),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


def week_period(digest: WeekDigest) -> str:
    return period(digest.week.start.date(), (digest.week.end - timedelta(days=1)).date())


def _header(digest: WeekDigest) -> str:
    return (
        '<header class="top">'
        '<div class="kicker">Пресс-служба · еженедельный отчёт</div>'
        "<h1>Официальные страницы в соцсетях</h1>"
        f'<div class="period">Неделя {digest.week.number}: {escape(week_period(digest))}</div>'
        f'<div class="generated">Отчёт подготовлен {escape(moment(digest.generated_at))}</div>'
        + (
            f'<div class="generated">Неделя ещё идёт: сведения на {escape(moment(digest.moment))}</div>'
            if digest.in_progress
            else ""
        )
        + "</header>"
    )


SUMMARY_ORDER = (Status.OK, Status.WARNING, Status.FAIL, Status.ERROR)
SUMMARY_WORDS = {
    Status.OK: "всё в порядке",
    Status.WARNING: "есть замечания",
    Status.FAIL: "есть нарушения",
    Status.ERROR: "не удалось проверить",
}


def _summary(digest: WeekDigest) -> str:
    total = len(digest.pages)
    if total == 0:
        return (
            '<section id="summary" class="card empty"><h2>Итог недели</h2>'
            "<p>В реестре нет действующих страниц: проверять нечего. Если это ошибка, "
            "обратитесь в отдел ИТО, который ведёт реестр.</p></section>"
        )
    cards = "".join(
        f'<div class="tile {s.value}"><div class="num">{digest.status_counts.get(s, 0)}</div>'
        f'<div class="lbl">{escape(SUMMARY_WORDS[s])}</div></div>'
        for s in SUMMARY_ORDER
    )
    orgs = len({f.organisation for f in digest.fixes})
    pages_word = plural(total, "страница", "страницы", "страниц")
    if digest.fixes:
        items = plural(len(digest.fixes), "пункт", "пункта", "пунктов")
        orgs_word = plural(orgs, "организации", "организаций", "организаций")
        count = len(digest.fixes)
        lead = f"Проверено {total} {pages_word}. Исправить нужно {count} {items} у {orgs} {orgs_word}."
    else:
        lead = f"Проверено {total} {pages_word}. Замечаний нет."
    return (
        f'<section id="summary" class="card"><h2>Итог недели</h2><p class="lead">{escape(lead)}</p>'
        f'<div class="tiles">{cards}</div></section>'
    )


def _fixes(digest: WeekDigest) -> str:
    if not digest.pages and not digest.fixes:
        return ""  # nothing was checked: "nothing to fix" would be a false comfort
    if not digest.fixes:
        body = '<p class="allgood">Исправлять ничего не нужно. Спасибо всем, кто ведёт страницы!</p>'
        return f'<section id="fixes" class="card"><h2>Что исправить</h2>{body}</section>'
    by_org: dict[str, list[Fix]] = defaultdict(list)
    for fix in digest.fixes:
        by_org[fix.organisation].append(fix)
    groups = "".join(_fix_group(fixes) for fixes in by_org.values())
    note = (
        '<p class="hint">Сначала — нарушения (красный), затем замечания (жёлтый). '
        "За исправление отвечает организация, которой принадлежит страница.</p>"
    )
    return f'<section id="fixes" class="card"><h2>Что исправить</h2>{note}{groups}</section>'


def _fix_group(fixes: list[Fix]) -> str:
    first = fixes[0]
    items = "".join(f"<li>{dot(f.status, f.text)}{_fix_where(f)}</li>" for f in fixes)
    return (
        f'<div class="org"><h3>{escape(first.organisation)}</h3>'
        f'<div class="who">Отвечает: {escape(first.responsible)}</div><ul class="fixlist">{items}</ul></div>'
    )


def _fix_where(fix: Fix) -> str:
    on = f"Страница {escape(_in_network(fix.network))}: " if fix.network else "Страница: "
    page = f'{on}<a href="{escape(fix.page_url)}">{escape(fix.page_title)}</a> · ' if fix.page_url else ""
    return f'<div class="sub">{page}пункт {escape(fix.clause)} Порядка</div>'


def _in_network(network: str) -> str:
    return "во ВКонтакте" if network == "ВКонтакте" else f"в {network}"


def _unchecked(digest: WeekDigest) -> str:
    """Checks that could not run: each cause once, with what it hit, for IT rather than the organisations."""
    if not digest.unchecked:
        return ""
    items = "".join(
        f'<li>{dot(Status.ERROR, u.cause)}<div class="sub">не выполнено: {escape(", ".join(u.checks))}; '
        f"страниц: {len(u.pages)} ({escape(_few(u.pages))})</div></li>"
        for u in digest.unchecked
    )
    return (
        '<section id="unchecked" class="card"><h2>Не удалось проверить</h2>'
        '<p class="hint">Это сбои проверки, а не нарушения: организациям исправлять нечего. '
        "Устранить причину — задача отдела ИТО; страницы проверятся при следующем запуске.</p>"
        f'<ul class="fixlist">{items}</ul></section>'
    )


def _few(names: tuple[str, ...], shown: int = 5) -> str:
    rest = len(names) - shown
    return ", ".join(names[:shown]) + (f" и ещё {rest}" if rest > 0 else "")


def _pages(digest: WeekDigest) -> str:
    if not digest.pages:
        return ""
    head = (
        "<tr><th>Страница</th><th>Итог</th><th>Публикации за неделю</th><th>Описание и оформление</th>"
        "<th>Доступ к управлению</th><th>2FA (п. 1.6)</th><th>Одна страница в сети (п. 1.5)</th>"
        "<th>Ссылка на сайте</th><th>Адрес</th>"
        + ("<th>Сроки реестра</th>" if digest.deadlines_known else "")
        + "</tr>"
    )
    rows = "".join(_page_row(digest, line) for line in digest.pages)
    chart = charts.posts_chart(
        [(f"{ln.page.display_title} ({network_label(ln.page)})", ln.posts) for ln in digest.pages],
        digest.target,
    )
    figure = (
        f'<figure><img alt="Публикации за неделю по страницам" src="{chart}">'
        "<figcaption>Публикации за неделю по страницам; "
        f"пунктир — норма {digest.target} в неделю.</figcaption>"
        "</figure>"
        if chart
        else ""
    )
    return (
        '<section id="pages" class="card"><h2>Страницы</h2>'
        f'<div class="tablewrap"><table class="pages"><thead>{head}</thead>'
        f"<tbody>{rows}</tbody></table></div>"
        f"{figure}</section>"
    )


def _page_row(digest: WeekDigest, line: PageLine) -> str:
    page = line.page
    name = (
        f'<a href="{escape(page.url)}">{escape(page.display_title)}</a>'
        f'<div class="sub">{escape(PLATFORM_LABEL.get(page.platform.value, page.platform.value))}'
        f" · {escape(page.organisation.display_name)}</div>"
    )
    cells = [
        name,
        badge(line.status),
        posts_cell(line, digest.target),
        check_cell(line, CheckName.DESCRIPTION),
        check_cell(line, CheckName.MANAGERS),
        twofa_cell(line),
        one_page_cell(line),
        check_cell(line, CheckName.SITE_LINK),
        check_cell(line, CheckName.ADDRESS),
    ]
    if digest.deadlines_known:
        cells.append(deadlines_cell(line))
    return f'<tr class="{line.status.value}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _legend(digest: WeekDigest) -> str:
    colours = "".join(f"<li>{dot(s, STATUS_WORD[s])}</li>" for s in SUMMARY_ORDER)
    return (
        '<section id="legend" class="card muted"><h2>Как читать отчёт</h2>'
        f'<ul class="legend">{colours}</ul>'
        "<p>Проверки следуют Порядку ведения официальных страниц "
        "(постановление Администрации города Рубцовска "
        f"от 12.01.2023 № 63): не менее {digest.target} публикаций в неделю (п. 2.1); в описании — "
        "официальное наименование, почтовый адрес, электронная почта (если есть) и телефон для справок, "
        "у страницы есть аватар и обложка (п. 2.4); доступ к управлению — не более чем у трёх сотрудников "
        "(п. 1.6); ссылка на страницу размещена на официальном сайте "
        "в течение пяти рабочих дней (п. 1.4.5).</p>"
        "<p>«Не удалось проверить» — сбой проверки (например, сайт не открылся), а не вина организации.</p>"
        "</section>"
    )
