"""Spreadsheet import/export: round trips in CSV and XLSX, and all-or-nothing imports with line numbers."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from models.registry import RegistryOrganisation, RegistryPage
from monitor.registry.files import read_tables, write_tables
from monitor.registry.importer import ImportRejected, import_rows
from monitor.registry.io_csv import decode_csv, read_csv, write_csv
from monitor.registry.io_xlsx import read_xlsx, write_xlsx
from monitor.registry.service import add_page, add_staff
from monitor.registry.table import HEADERS, TableFormatError, export_rows
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


# --- the whole registry: extra sheets (XLSX) and files next to the main one (CSV) ---------------------


def _whole_registry(session: Session) -> None:
    """One organisation, two pages, an address change the monitor found, a former and a current
    responsible person, and reports of every kind (one with no dates at all)."""
    from monitor.registry.service import end_staff, record_detected_address, record_report

    org = make_org(session)
    vk = add_page(
        session, org, network="vk", address="https://vk.com/rubtsovsk_adm", created_on=D(2025, 12, 30),
        platform_id="123", screen_name="rubtsovsk_adm", reported_on=D(2026, 1, 12), entered_on=D(2026, 1, 13),
    )  # fmt: skip
    tg = add_page(
        session, org, network="telegram", address="https://t.me/rubtsovsk", created_on=D(2026, 1, 9)
    )
    record_detected_address(session, "vk", "123", "https://vk.com/rubtsovsk", D(2026, 2, 2))
    record_report(
        session, vk, "address_change", D(2026, 2, 2), reported_on=D(2026, 2, 3), entered_on=D(2026, 2, 5)
    )
    former = add_staff(
        session, vk, full_name=SECRET_NAMES[0], position=SECRET_POSITIONS[0], from_on=vk.created_on
    )
    end_staff(session, former, D(2026, 3, 1))
    add_staff(
        session, vk, full_name=SECRET_NAMES[1], position=SECRET_POSITIONS[1], from_on=D(2026, 3, 2),
        reported_on=D(2026, 3, 3), entered_on=D(2026, 3, 10),
    )  # fmt: skip
    add_staff(session, tg, full_name=SECRET_NAMES[1], position=SECRET_POSITIONS[1], from_on=tg.created_on)
    session.commit()


def _workbook(path: Path) -> dict[str, list[list[tuple[object, str]]]]:
    """Every sheet, every cell: its value and its number format."""
    book = load_workbook(path)
    return {
        sheet.title: [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _export_import_export(session: Session, engine: Engine, tmp_path: Path, suffix: str) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    write_tables(session, first / f"registry{suffix}")
    session.close()
    main, extras = read_tables(first / f"registry{suffix}")
    assert sorted(extras) == ["facts", "history", "staff"]
    with _fresh(engine) as fresh:
        result = import_rows(fresh, main.rows, extras, main.place)
        fresh.commit()
        assert (result.pages, result.organisations) == (2, 1)
        write_tables(fresh, second / f"registry{suffix}")
    return first, second


def test_whole_registry_round_trip_xlsx(session: Session, registry_engine: Engine, tmp_path: Path) -> None:
    _whole_registry(session)
    first, second = _export_import_export(session, registry_engine, tmp_path, ".xlsx")
    exported = _workbook(first / "registry.xlsx")
    assert _workbook(second / "registry.xlsx") == exported
    assert list(exported) == ["Реестр", "История адресов", "Ответственные", "Сообщения о фактах"]
    history = [[v for v, _ in row] for row in exported["История адресов"][1:]]
    assert history == [
        ["ВКонтакте", "https://vk.com/rubtsovsk", "https://vk.com/rubtsovsk_adm", "https://vk.com/rubtsovsk",
         dt.datetime(2026, 2, 2), "монитор"],
    ]  # fmt: skip
    staff = [[v for v, _ in row] for row in exported["Ответственные"][1:]]  # Telegram's page comes first
    assert [row[2] for row in staff] == [SECRET_NAMES[1], SECRET_NAMES[0], SECRET_NAMES[1]]
    assert staff[1][5] == dt.datetime(2026, 3, 1) and staff[2][5] is None  # the former one has an end date
    kinds = [row[2][0] for row in exported["Сообщения о фактах"][1:]]
    assert kinds == ["создание страницы", "создание страницы", "изменение адреса", "смена ответственных"]


def test_whole_registry_round_trip_csv(session: Session, registry_engine: Engine, tmp_path: Path) -> None:
    _whole_registry(session)
    first, second = _export_import_export(session, registry_engine, tmp_path, ".csv")
    assert _files(second) == _files(first)
    names = ["registry.csv", "registry.адреса.csv", "registry.ответственные.csv", "registry.сообщения.csv"]
    assert sorted(_files(first)) == sorted(names)
    for name in names:
        assert (first / name).read_bytes().startswith("\ufeff".encode())
    staff = (first / "registry.ответственные.csv").read_text(encoding="utf-8-sig").splitlines()
    assert staff[0] == "Соцсеть;Адрес страницы;ФИО;Должность;Ответственный с;Ответственный по"
    assert f"{SECRET_NAMES[0]};{SECRET_POSITIONS[0]};30.12.2025;01.03.2026" in staff[2]


def _spoil_xlsx(path: Path) -> None:
    book = load_workbook(path)
    book["Ответственные"]["E3"] = "31.02.2026"  # row 3: a date that does not exist
    book["Сообщения о фактах"]["C2"] = "слухи"  # row 2: an unknown kind of report
    book["История адресов"]["B2"] = "https://vk.com/nobody"  # row 2: a page not in the file
    book.save(path)


def _spoil_csv(path: Path) -> None:
    staff = path.with_name("registry.ответственные.csv")
    staff.write_text(staff.read_text(encoding="utf-8").replace("30.12.2025", "31.02.2026"), encoding="utf-8")
    facts = path.with_name("registry.сообщения.csv")
    facts.write_text(facts.read_text(encoding="utf-8").replace("создание страницы", "слухи", 1), "utf-8")
    history = path.with_name("registry.адреса.csv")
    spoilt = history.read_text(encoding="utf-8").replace(";https://vk.com/rubtsovsk;", ";x;", 1)
    history.write_text(spoilt, encoding="utf-8")


@pytest.mark.parametrize(
    ("suffix", "places"),
    [
        (".xlsx", ("лист «История адресов»", "лист «Ответственные»", "лист «Сообщения о фактах»")),
        (".csv", ("файл «registry.адреса.csv»", "файл «registry.ответственные.csv»",
                  "файл «registry.сообщения.csv»")),
    ],
)  # fmt: skip
def test_bad_rows_in_extra_tables_are_placed_and_nothing_is_imported(
    session: Session, registry_engine: Engine, tmp_path: Path, suffix: str, places: tuple[str, ...]
) -> None:
    _whole_registry(session)
    path = tmp_path / f"registry{suffix}"
    write_tables(session, path)
    session.close()
    (_spoil_xlsx if suffix == ".xlsx" else _spoil_csv)(path)
    main, extras = read_tables(path)
    with _fresh(registry_engine) as fresh, pytest.raises(ImportRejected) as caught:
        import_rows(fresh, main.rows, extras, main.place)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{places[0]}, строка 2: страницы ") and "нет среди страниц" in lines[0]
    assert lines[1].startswith(f"{places[1]}, строка 3: «Ответственный с»: даты «31.02.2026» не существует")
    assert lines[2].startswith(f"{places[2]}, строка 2: «Вид сведений»: неизвестное значение «слухи»")
    with Session(registry_engine) as check:
        assert _count(check) == (0, 0)


def test_an_edit_of_the_first_sheet_alone_is_not_silently_dropped(
    session: Session, registry_engine: Engine, tmp_path: Path
) -> None:
    _whole_registry(session)
    path = tmp_path / "registry.xlsx"
    write_tables(session, path)
    session.close()
    book = load_workbook(path)
    book["Реестр"].cell(row=3, column=HEADERS.index("ФИО ответственных") + 1, value="Новый Человек")
    book.save(path)
    main, extras = read_tables(path)
    with _fresh(registry_engine) as fresh, pytest.raises(ImportRejected) as caught:
        import_rows(fresh, main.rows, extras, main.place)
    assert str(caught.value) == (
        "лист «Реестр», строка 3: «ФИО ответственных» не совпадает с данными (лист «Ответственные»); "
        "исправьте одно из двух"
    )
