"""Spreadsheet import/export: round trips in CSV and XLSX, and all-or-nothing imports with line numbers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from models.registry import RegistryOrganisation, RegistryPage
from monitor.registry.importer import ImportRejected, import_rows
from monitor.registry.io_csv import decode_csv, read_csv, write_csv
from monitor.registry.io_xlsx import read_xlsx, write_xlsx
from monitor.registry.table import HEADERS, TableFormatError, export_rows
from tests.test_registry_support import SECRET_NAMES, populated, registry_engine, session

__all__ = ["registry_engine", "session"]


def _fresh(engine: Engine) -> Session:
    """Another registry in the same database kind: drop and recreate the tables."""
    from sqlmodel import SQLModel

    from models.registry import registry_tables

    SQLModel.metadata.drop_all(engine, tables=registry_tables())
    SQLModel.metadata.create_all(engine, tables=registry_tables())
    return Session(engine)


def _count(session: Session) -> tuple[int, int]:
    pages = session.exec(select(func.count()).select_from(RegistryPage)).one()
    orgs = session.exec(select(func.count()).select_from(RegistryOrganisation)).one()
    return pages, orgs


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip(session: Session, registry_engine: Engine, fmt: str) -> None:
    populated(session)
    before = export_rows(session)
    session.close()
    if fmt == "csv":
        text = write_csv(before)
        assert text.startswith("\ufeff") and "Адрес страницы" in text and SECRET_NAMES[0] in text
        sources = read_csv(text)
    else:
        sources = read_xlsx(write_xlsx(before))
    assert [s.line for s in sources] == [2, 3, 4]
    with _fresh(registry_engine) as fresh:
        result = import_rows(fresh, sources)
        fresh.commit()
        assert (result.pages, result.organisations) == (3, 2)
        assert export_rows(fresh) == before


def test_xlsx_has_russian_headers_and_date_cells(session: Session) -> None:
    populated(session)
    book = load_workbook(io.BytesIO(write_xlsx(export_rows(session))))
    sheet = book.active
    assert sheet is not None
    assert tuple(c.value for c in sheet[1]) == HEADERS
    created = sheet.cell(row=2, column=HEADERS.index("Дата создания") + 1)
    assert created.is_date and created.number_format == "DD.MM.YYYY"


ADM = "Администрация города Рубцовска;администрация"
GOOD = f"{ADM};ВКонтакте;https://vk.com/adm;12.01.2026;Иванов Иван Иванович;специалист"
HEADER = ";".join(
    [
        "Организация",
        "Тип организации",
        "Соцсеть",
        "Адрес страницы",
        "Дата создания",
        "ФИО ответственных",
        "Должности ответственных",
    ]
)


def test_bad_rows_are_all_reported_and_nothing_is_imported(session: Session) -> None:
    lines = [
        HEADER,
        GOOD,  # line 2: fine
        "Управление образования;отдел;vk;https://vk.com/uo;12.01.2026;;",  # 3: unknown kind
        "Центр культуры;учреждение;одноклассники;https://ok.ru/ck;31.02.2026;;",  # 4: network and date
        f"{ADM};vk;https://vk.com/adm2;13.01.2026;;",  # 5: second VK page
        'Центр "Досуг";учреждение;telegram;https://t.me/dosug;;Петрова;',  # 6: no date; staff, no position
        "Спорткомитет;учреждение;telegram;https://vk.com/adm;14.01.2026;;",  # 7: fine (other network)
        ";;vk;https://vk.com/adm;14.01.2026;;",  # 8: no organisation, no kind, duplicate address
    ]
    with pytest.raises(ImportRejected) as caught:
        import_rows(session, read_csv("\n".join(lines)))
    by_line: dict[int, list[str]] = {}
    for error in caught.value.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 8]
    assert any("тип организации" in m for m in by_line[3])
    assert any("одноклассники" in m for m in by_line[4]) and any("31.02.2026" in m for m in by_line[4])
    assert any("строка 2" in m and "1.5" in m for m in by_line[5])
    assert any("Дата создания" in m for m in by_line[6]) and any("должностей" in m for m in by_line[6])
    assert any("Организация" in m for m in by_line[8])
    assert str(caught.value).startswith("строка 3: ")
    session.rollback()
    assert _count(session) == (0, 0)


def test_conflicts_with_the_database_are_reported(session: Session) -> None:
    populated(session)
    before = _count(session)
    lines = [
        HEADER + ";Телефон для справок",
        f"{ADM};ВКонтакте;https://vk.com/new;12.01.2026;;;+7 (38557) 9-64-08",
        f"{ADM};vk;https://vk.com/rubtsovsk;12.01.2026;;;+7 (38557) 9-64-08",
        f"{ADM};telegram;https://t.me/x2;12.01.2026;;;8-800",
    ]
    with pytest.raises(ImportRejected) as caught:
        import_rows(session, read_csv("\n".join(lines)))
    text = str(caught.value)
    assert "строка 2: у организации уже есть действующая страница" in text
    assert "строка 3: страница https://vk.com/rubtsovsk уже есть в реестре" in text
    assert "строка 4: «Телефон для справок» организации" in text
    session.rollback()
    assert _count(session) == before


def test_multiline_cells_keep_the_starting_line_number() -> None:
    text = HEADER + "\n" + GOOD.replace("Иванов Иван Иванович", '"Иванов\nИван"') + "\n" + GOOD + "\n"
    assert [row.line for row in read_csv(text)] == [2, 4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "пуст", id="empty"),
        pytest.param("Организация;Соцсеть\nА;vk", "Тип организации", id="missing-columns"),
    ],
)
def test_not_a_registry_table(text: str, message: str) -> None:
    with pytest.raises(TableFormatError, match=message):
        read_csv(text)


def test_comma_separated_csv_is_accepted(session: Session) -> None:
    text = HEADER.replace(";", ",") + "\n" + GOOD.replace(";", ",")
    import_rows(session, read_csv(text))
    assert _count(session) == (1, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_csv_encodings_from_russian_excel(encoding: str) -> None:
    data = (HEADER + "\r\n" + GOOD + "\r\n").encode(encoding)
    [row] = read_csv(decode_csv(data))
    assert (
        row.cells["org_name"] == "Администрация города Рубцовска"
        and row.cells["staff_positions"] == "специалист"
    )


def test_damaged_xlsx() -> None:
    with pytest.raises(TableFormatError, match="XLSX"):
        read_xlsx(b"not a workbook")
