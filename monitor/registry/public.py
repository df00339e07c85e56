"""The public registry (clause 3.6): everything in the registry except the responsible staff.

Clause 3.6 opens the registry to everyone except the names and positions of responsible staff (3.3(4)).
The public record is a separate, explicit schema (`PublicPage`) built field by field from the page, its
organisation and its address history — staff rows are never read here — so a new personal column added to
the tables cannot leak by accident. Internal bookkeeping (2FA attestation, report and entry dates, platform
ids) is left out as well: it is not among the registry's contents in 3.3.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields

from sqlmodel import Session

from monitor.registry.labels import NETWORK_LABELS, ORG_KIND_LABELS, STATUS_LABELS, fmt_date
from monitor.registry.service import history, list_pages

TITLE = "Реестр официальных страниц в социальных сетях"


@dataclass(frozen=True)
class PublicAddressChange:
    """A change of address: the page was at `previous_address` until `changed_on`."""

    previous_address: str
    new_address: str
    changed_on: dt.date


@dataclass(frozen=True)
class PublicPage:
    """One page as the public sees it; the field list is the whole public schema."""

    number: int
    organisation: str
    organisation_short_name: str
    organisation_kind: str
    postal_address: str
    email: str
    phone: str
    website: str
    network: str
    address: str
    created_on: dt.date
    status: str
    closed_on: dt.date | None
    address_history: tuple[PublicAddressChange, ...]


PUBLIC_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PublicPage)) + tuple(
    f.name for f in fields(PublicAddressChange)
)

CSV_HEADERS: tuple[str, ...] = (
    "№",
    "Организация",
    "Краткое наименование",
    "Тип организации",
    "Почтовый адрес",
    "Эл. почта",
    "Телефон для справок",
    "Официальный сайт",
    "Соцсеть",
    "Адрес страницы",
    "Дата создания",
    "Статус",
    "Дата закрытия",
    "Прежние адреса",
)


def public_pages(session: Session) -> list[PublicPage]:
    """The public view of every page, built only from non-personal fields."""
    result = []
    for number, (page, org) in enumerate(list_pages(session), start=1):
        assert page.id is not None
        changes = tuple(
            PublicAddressChange(c.previous_address, c.new_address, c.changed_on)
            for c in history(session, page)
        )
        result.append(
            PublicPage(
                number=number,
                organisation=org.name,
                organisation_short_name=org.short_name,
                organisation_kind=ORG_KIND_LABELS.get(org.kind, org.kind),
                postal_address=org.postal_address,
                email=org.email or "",
                phone=org.phone,
                website=org.website or "",
                network=NETWORK_LABELS.get(page.network, page.network),
                address=page.address,
                created_on=page.created_on,
                status=STATUS_LABELS.get(page.status, page.status),
                closed_on=page.closed_on,
                address_history=changes,
            )
        )
    return result


def _history_text(page: PublicPage) -> str:
    return "; ".join(f"{c.previous_address} (до {fmt_date(c.changed_on)})" for c in page.address_history)


def _csv_cells(page: PublicPage) -> list[str]:
    return [
        str(page.number),
        page.organisation,
        page.organisation_short_name,
        page.organisation_kind,
        page.postal_address,
        page.email,
        page.phone,
        page.website,
        page.network,
        page.address,
        fmt_date(page.created_on),
        page.status,
        fmt_date(page.closed_on),
        _history_text(page),
    ]


def render_csv(pages: Sequence[PublicPage]) -> str:
    """CSV for Excel users: BOM, ";" separators, Russian headers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    writer.writerows(_csv_cells(p) for p in pages)
    return "\ufeff" + out.getvalue()


def render_json(pages: Sequence[PublicPage], generated_on: dt.date) -> str:
    """JSON for machines: ISO dates, field names as in `PublicPage`."""
    document = {
        "title": TITLE,
        "approved_by": ORDER,
        "generated_on": generated_on.isoformat(),
        "pages": [asdict(p) for p in pages],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=dt.date.isoformat)


def _breakable(text: str) -> str:
    """Escaped text with break opportunities after / . _ - ? & =, so a long address wraps between its parts
    rather than in the middle of a word."""
    return re.sub(r"([/._\-?&=])(?!$)", r"\1<wbr>", html.escape(text))


def _link(url: str) -> str:
    """A link only for http(s) addresses, so a stray `javascript:` value stays inert text."""
    text = _breakable(url)
    if url.startswith(("https://", "http://")):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener">{text}</a>'
    return text


def _html_row(page: PublicPage) -> str:
    contacts = "<br>".join(html.escape(v) for v in (page.postal_address, page.phone, page.email) if v) + (
        f"<br>{_link(page.website)}" if page.website else ""
    )
    cells = [
        str(page.number),
        f"<b>{html.escape(page.organisation)}</b><br><small>{html.escape(page.organisation_kind)}</small>",
        contacts,
        html.escape(page.network),
        _link(page.address),
        fmt_date(page.created_on),
        html.escape(page.status) + (f" {fmt_date(page.closed_on)}" if page.closed_on else ""),
        html.escape(_history_text(page)) or "—",
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _search_text(page: PublicPage) -> str:
    """What the search box matches a row against, lower-cased once here rather than in the browser."""
    parts = (page.organisation, page.organisation_short_name, page.network, page.address, page.postal_address)
    return html.escape(" ".join(parts).casefold(), quote=True)


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;color:#1a1a1a}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border:1px solid #ccc;padding:.4rem .6rem;vertical-align:top;text-align:left}
th{background:#f0f3f7}tr:nth-child(even) td{background:#fafbfc}small{color:#555}
a{color:#0b57d0}td{overflow-wrap:normal;word-break:normal;hyphens:none}
footer{margin-top:1.5rem;color:#555;font-size:.85rem}.files a{margin-right:1rem}
.search{margin:.5rem 0 1rem}.search input{font-size:1rem;padding:.35rem .5rem;width:min(30rem,100%)}
.order{color:#333}
"""

_SCRIPT = """
const box = document.getElementById('search'), rows = document.querySelectorAll('tbody tr[data-search]');
const shown = document.getElementById('shown');
box.addEventListener('input', () => {
  const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let count = 0;
  rows.forEach(row => {
    const hit = words.every(w => row.dataset.search.includes(w));
    row.hidden = !hit; if (hit) count++;
  });
  shown.textContent = words.length ? `Найдено: ${count}` : '';
});
"""
ORDER = (
    "Порядок создания и ведения официальных страниц в социальных сетях утверждён постановлением "
    "Администрации города Рубцовска Алтайского края от 12.01.2023 № 63"
)


def render_html(pages: Sequence[PublicPage], generated_on: dt.date) -> str:
    """A single self-contained page: inline styles, a small inline search script, no external resources."""
    head = [
        "№",
        "Организация",
        "Контакты",
        "Соцсеть",
        "Адрес страницы",
        "Создана",
        "Статус",
        "Прежние адреса",
    ]
    rows = (
        "\n".join(_html_row(p).replace("<tr>", f'<tr data-search="{_search_text(p)}">', 1) for p in pages)
        or '<tr><td colspan="8">Реестр пуст.</td></tr>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{TITLE}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<h1>{TITLE}</h1>\n"
        "<p>Официальные страницы Администрации города, отраслевых (функциональных) органов и "
        "подведомственных учреждений (раздел III Порядка, п. 3.6).</p>\n"
        f'<p class="order">{ORDER}.</p>\n'
        '<p class="files">Скачать реестр: <a href="registry.csv" download>CSV (для Excel)</a>'
        '<a href="registry.json" download>JSON</a></p>\n'
        '<div class="search"><label for="search">Поиск по организации, соцсети или адресу: </label>'
        '<input id="search" type="search" autocomplete="off"> <span id="shown"></span></div>\n'
        "<table>\n<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n"
        f"<footer>Сведения на {fmt_date(generated_on)}. Всего страниц: {len(pages)}.</footer>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def public_files(session: Session, generated_on: dt.date) -> dict[str, str]:
    """File name -> text of the public registry (index.html, registry.csv, registry.json); the CLI writes."""
    pages = public_pages(session)
    return {
        "index.html": render_html(pages, generated_on),
        "registry.csv": render_csv(pages),
        "registry.json": render_json(pages, generated_on),
    }
