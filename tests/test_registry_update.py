"""The office's workbook as the working copy: import --update adds, changes and closes, with a preview first;
what the importer says about dates, networks, headers, phones, staff counts and undated entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.registry import RegistryFactReport, RegistryOrganisation, RegistryPage, RegistryStaff
from monitor.registry.files import read_tables, write_tables
from monitor.registry.io_csv import read_csv_sheet, write_csv
from monitor.registry.labels import parse_network
from monitor.registry.preview import preview_lines
from monitor.registry.service import list_overdue
from monitor.registry.table import COLUMNS, TableFormatError, export_rows
from monitor.registry.update import apply_prepared, prepare
from tests.test_registry_support import D, populated, registry_engine, session

__all__ = ["registry_engine", "session"]
TODAY = D(2026, 12, 7)


def _sheet(rows: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    return read_csv_sheet(write_csv(rows))


def _row(**cells: str) -> dict[str, str]:
    base = {
        "org_name": "МБОУ «Лицей № 24»",
        "short_name": "Лицей № 24",
        "org_kind": "учреждение",
        "postal_address": "658200, г. Рубцовск, ул. Калинина, 20",
        "phone": "+7 (38557) 4-11-22",
        "network": "Телеграм",
        "address": "https://t.me/licey24",
        "created_on": "01.03.2023",
        "reported_on": "02.03.2023",
    }
    return base | cells


def test_reimporting_the_exported_workbook_changes_nothing(session: Session, tmp_path: Path) -> None:
    populated(session)
    path = tmp_path / "registry.xlsx"
    write_tables(session, path)
    main, extras = read_tables(path)
    refused = prepare(session, main, extras, update=False, today=TODAY).preview
    assert sum("уже есть в реестре" in e.message and "--update" in e.message for e in refused.errors) == 3
    preview = prepare(session, main, extras, update=True, today=TODAY).preview
    assert preview.errors == [] and preview.pages == [] and preview.unchanged == 3
    assert not preview.writes_anything


def test_edited_workbook_updates_adds_and_closes(session: Session, tmp_path: Path) -> None:
    pages = populated(session)
    rows = export_rows(session)
    tg = next(r for r in rows if r["address"] == "https://t.me/rubtsovsk_adm")
    vk = next(r for r in rows if r["address"] == "https://vk.com/rubtsovsk")
    vk["phone"] = tg["phone"] = "+7 (38557) 9-99-99"
    tg["status"], tg["closed_on"] = "закрыта", "01.12.2026"
    vk["staff_names"], vk["staff_positions"], vk["staff_from"] = (
        "Иванова Анна Петровна",
        "Пресс-секретарь",
        "01.11.2026",
    )
    rows.append(_row())
    prepared = prepare(session, _sheet(rows), update=True, today=TODAY)
    preview = prepared.preview
    assert preview.errors == [], preview.errors
    assert [p.address for p in preview.of_kind("added")] == ["https://t.me/licey24"]
    assert [p.address for p in preview.of_kind("closed")] == ["https://t.me/rubtsovsk_adm"]
    changed = preview.of_kind("changed")
    assert [p.address for p in changed] == ["https://vk.com/rubtsovsk"]
    headers = {f.header: (f.before, f.after) for f in changed[0].fields}
    assert headers["Телефон для справок"] == ("+7 (38557) 9-64-08", "+7 (38557) 9-99-99")
    assert headers["ФИО ответственных"][1] == "Иванова Анна Петровна"
    text = "\n".join(preview_lines(preview))
    assert "Итог: добавить 1, изменить 1, закрыть 1, без изменений 1" in text
    assert "строка" in text and "«Телефон для справок»: +7 (38557) 9-64-08 → +7 (38557) 9-99-99" in text
    assert (
        session.exec(select(RegistryPage).where(RegistryPage.address == "https://t.me/licey24")).first()
        is None
    )

    result = apply_prepared(session, prepared, TODAY)
    session.commit()
    assert (result.added, result.changed, result.closed) == (1, 1, 1)
    session.refresh(pages[1])
    assert pages[1].status == "closed" and pages[1].closed_on == D(2026, 12, 1)
    org = session.exec(
        select(RegistryOrganisation).where(RegistryOrganisation.id == pages[0].organisation_id)
    ).one()
    assert org.phone == "+7 (38557) 9-99-99"
    people = session.exec(select(RegistryStaff).where(RegistryStaff.page_id == pages[0].id)).all()
    current = [(p.full_name, p.to_on) for p in people if p.to_on is None]
    assert current == [("Иванова Анна Петровна", None)] and any(p.to_on == TODAY for p in people)
    again = prepare(session, _sheet(export_rows(session)), update=True, today=TODAY).preview
    assert again.pages == [] and again.unchanged == 4


def test_a_row_without_entry_date_is_not_years_overdue(session: Session) -> None:
    prepared = prepare(session, _sheet([_row()]), update=False, today=TODAY)
    apply_prepared(session, prepared, TODAY)
    session.commit()
    fact = session.exec(select(RegistryFactReport)).one()
    assert fact.reported_on == D(2023, 3, 2) and fact.entered_on is None and fact.entry_undated
    assert [d.clause for d in list_overdue(session, TODAY)] == []


def test_missing_phone_and_four_responsible_people_are_flagged(session: Session) -> None:
    names = "; ".join(f"Сотрудник {n}" for n in "АБВГ")
    row = _row(phone="", staff_names=names, staff_positions="; ".join(["Специалист"] * 4))
    preview = prepare(session, _sheet([row]), update=False, today=TODAY).preview
    assert preview.errors == []
    warnings = [str(w) for w in preview.warnings]
    assert any("строка 2" in w and "Телефон для справок" in w and "п. 2.4" in w for w in warnings)
    assert any("ответственных 4" in w and "п. 1.6" in w for w in warnings)


@pytest.mark.parametrize(
    ("value", "code"),
    [("Телеграм", "telegram"), ("ТГ", "telegram"), ("телеграмм", "telegram"), ("t.me", "telegram"),
     ("ВКонтакте", "vk"), ("Вконтакте", "vk"), ("VK", "vk"), ("В контакте", "vk"), ("вк", "vk")],
)  # fmt: skip
def test_network_spellings(value: str, code: str) -> None:
    assert parse_network(value) == code


def test_a_date_that_does_not_exist_is_called_that(session: Session) -> None:
    preview = prepare(session, _sheet([_row(created_on="31.02.2023")]), update=False, today=TODAY).preview
    assert [e.message for e in preview.errors] == [
        "«Дата создания»: даты «31.02.2023» не существует: в этом месяце нет 31-го числа"
    ]


def test_a_misnamed_header_gets_a_suggestion() -> None:
    header = [c.header for c in COLUMNS]
    header[header.index("Соцсеть")] = "Соц. сеть"
    header[header.index("Телефон для справок")] = "Телефон"
    with pytest.raises(TableFormatError) as caught:
        read_csv_sheet(";".join(header) + "\n")
    assert "нет обязательных столбцов: «Соцсеть» (возможно, это столбец «Соц. сеть»?)" in str(caught.value)
    header[header.index("Соц. сеть")] = "Соцсеть"
    sheet = read_csv_sheet(";".join(header) + "\n")
    assert sheet.warnings == (
        "столбец «Телефон» не распознан и пропущен; возможно, это «Телефон для справок»?",
    )


def test_update_refuses_a_second_active_page_of_one_organisation(session: Session) -> None:
    populated(session)
    rows = export_rows(session)
    org = rows[0]
    clash = {k: v for k, v in org.items() if k in ("org_name", "short_name", "org_kind", "postal_address",
                                                   "email", "phone", "website")}  # fmt: skip
    clash |= {"network": "ВК", "address": "https://vk.com/second_page", "created_on": "01.12.2026"}
    preview = prepare(session, _sheet([*rows, clash]), update=True, today=TODAY).preview
    assert any("п. 1.5" in e.message for e in preview.errors)
