"""The public registry (clause 3.6) publishes everything except responsible staff's names and positions."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re

import pytest
from sqlmodel import Session

from models.registry import PERSONAL_FIELDS, RegistryStaff
from monitor.registry.public import PUBLIC_FIELDS, PublicPage, public_files, public_pages
from monitor.registry.service import add_page
from tests.test_registry_support import (
    SECRET_NAMES,
    SECRET_POSITIONS,
    D,
    make_org,
    populated,
    registry_engine,
    session,
)

__all__ = ["registry_engine", "session"]


def _fragments() -> set[str]:
    """Every word of every secret name and position, and the whole strings, as they could leak."""
    secrets = SECRET_NAMES + SECRET_POSITIONS
    words = {w for s in secrets for w in s.replace("-", " ").split() if len(w) > 2}
    return words | set(secrets)


def test_public_files_contain_no_staff_data(session: Session) -> None:
    populated(session)
    files = public_files(session, D(2026, 3, 2))
    assert set(files) == {"index.html", "registry.csv", "registry.json"}
    for name, text in files.items():
        folded = text.casefold()
        leaked = sorted(f for f in _fragments() if f.casefold() in folded)
        assert leaked == [], f"{name} leaks {leaked}"
        for field in PERSONAL_FIELDS | {"ФИО", "Должност", "staff", "Ответственн"}:
            assert field.casefold() not in folded, f"{name} mentions {field}"


def test_public_files_carry_the_registry(session: Session) -> None:
    populated(session)
    files = public_files(session, D(2026, 3, 2))
    doc = json.loads(files["registry.json"])
    assert doc["generated_on"] == "2026-03-02"
    vk = next(p for p in doc["pages"] if p["address"] == "https://vk.com/rubtsovsk")
    assert vk["created_on"] == "2025-12-30" and vk["network"] == "ВКонтакте"
    assert vk["address_history"] == [
        {
            "previous_address": "https://vk.com/rubtsovsk_adm",
            "new_address": "https://vk.com/rubtsovsk",
            "changed_on": "2026-02-02",
        }
    ]
    rows = list(csv.reader(io.StringIO(files["registry.csv"].removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["№", "Организация", "Краткое наименование"] and len(rows) == 4
    html = files["index.html"]
    assert html.startswith("<!DOCTYPE html>") and 'lang="ru"' in html
    assert (
        '<a href="https://vk.com/rubtsovsk"' in html
        and "https://vk.com/rubtsovsk_adm (до 02.02.2026)" in html
    )
    assert "закрыта 01.09.2025" in html
    assert "<script src" not in html and "http-equiv" not in html and "<link" not in html
    assert html.count("<script>") == 1 and 'id="search"' in html  # a search box, its script inline
    assert '<a href="registry.csv" download>' in html and '<a href="registry.json" download>' in html
    assert "постановлением Администрации города Рубцовска Алтайского края от 12.01.2023 № 63" in html
    assert "от 12.01.2023 № 63" in doc["approved_by"]


def test_rows_are_numbered_in_order_and_addresses_wrap_between_parts(session: Session) -> None:
    populated(session)  # page ids do not follow the listing order (organisation, then network)
    pages = public_pages(session)
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    html = public_files(session, D(2026, 3, 2))["index.html"]
    numbers = re.findall(r'<tr data-search="[^"]*"><td>(\d+)</td>', html)
    assert numbers == ["1", "2", "3"]
    assert "break-all" not in html and ">https:/<wbr>/<wbr>vk.<wbr>com/<wbr>rubtsovsk</a>" in html


def test_public_schema_has_no_personal_fields() -> None:
    staff_columns = set(RegistryStaff.model_fields) - {"id", "page_id"}
    assert staff_columns == {"full_name", "position", "from_on", "to_on"}
    assert staff_columns >= PERSONAL_FIELDS
    assert not (set(PUBLIC_FIELDS) & staff_columns)
    assert not any("staff" in f or f == "name" for f in PUBLIC_FIELDS)
    assert [f.name for f in dataclasses.fields(PublicPage)][:2] == ["number", "organisation"]


@pytest.mark.parametrize(
    "address",
    [
        pytest.param('https://vk.com/a"><script>alert(1)</script>', id="quote-break"),
        pytest.param("javascript:alert(1)", id="javascript-url"),
    ],
)
def test_html_is_escaped(session: Session, address: str) -> None:
    org = make_org(session, "Учреждение <b>«Жёлтый дом»</b>", kind="institution")
    add_page(session, org, network="vk", address=address, created_on=D(2026, 1, 12))
    html = public_files(session, D(2026, 1, 12))["index.html"]
    assert "<script>alert" not in html and "<b>«Жёлтый" not in html
    assert 'href="javascript:' not in html
    assert len(public_pages(session)) == 1
