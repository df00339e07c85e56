"""A child's name with their age (review) or home (delete); a private person's full name with the street and
house they live at (delete). Names, ages and addresses are made up."""

from __future__ import annotations

from datetime import date

import pytest

from moderation.config import DEFAULT_THRESHOLDS
from moderation.pii.detector import PersonalDataDetector
from moderation.pii.masking import mask
from moderation.types import Action, Evidence, Ground
from moderation.verdict.policy import combine, decide

DELETE = DEFAULT_THRESHOLDS[Ground.PERSONAL_DATA].delete
REVIEW = DEFAULT_THRESHOLDS[Ground.PERSONAL_DATA].review


@pytest.fixture(scope="module")
def detector() -> PersonalDataDetector:
    return PersonalDataDetector(("Фельдман Дмитрий Зиновьевич", "Черданцева Ирина Геннадьевна"))


def action_of(found: list[Evidence]) -> Action:
    return decide(combine(found), DEFAULT_THRESHOLDS)[0]


def parts(text: str, evidence: Evidence) -> list[str]:
    return [span.of(text) for span in evidence.spans]


AT_HOME = [
    pytest.param(
        "Мой сын Петя, 9 лет, живёт на Ленина 15, а автобус до школы не ходит",
        ["Петя", "9 лет", "Ленина 15"],
        id="son-age-lives-at",
    ),
    pytest.param(
        "Пропала девочка Аня 12 лет, ул. Садовая, д. 7, просим всех помочь",
        ["Аня", "12 лет", "ул. Садовая, д. 7"],
        id="missing-girl-formal-address",
    ),
    pytest.param(
        "Внук мой Тимофей прописан по адресу ул. Звёздная 4, а в садик не берут",
        ["Тимофей", "ул. Звёздная 4"],
        id="grandson-registered-at",
    ),
    pytest.param(
        "Мама Оля, 35 лет, и дочь Аня, 9 лет, живут на Садовой 7, помогите с печным отоплением",
        ["Аня", "9 лет", "Садовой 7"],
        id="adult-age-of-another-person",
    ),
]


@pytest.mark.parametrize(("text", "expected"), AT_HOME)
def test_child_with_home_is_deleted(detector: PersonalDataDetector, text: str, expected: list[str]) -> None:
    (minor,) = detector.detect(text)
    assert minor.rule == "pii.minor"
    assert parts(text, minor) == expected
    assert minor.score >= DELETE
    assert minor.detail.startswith("данные несовершеннолетнего")
    assert "домашний адрес" in minor.detail
    assert expected[0] not in minor.detail and not any(ch.isdigit() for ch in minor.detail)
    assert action_of([minor]) is Action.DELETE


NAME_AND_AGE = [
    pytest.param(
        "Пропал мальчик Дима, 10 лет, последний раз видели у магазина на ул. Ленина 15. Помогите!",
        ["Дима", "10 лет"],
        id="missing-seen-near-shop",
    ),
    pytest.param(
        "Двенадцатилетняя Катя из нашего двора пропала, помогите", ["Двенадцатилетняя", "Катя"], id="age-word"
    ),
    pytest.param(
        "Дочка Ксюша 5 лет ходит в сад на Мира 12, там нет воды",
        ["Ксюша", "5 лет"],
        id="kindergarten-is-place",
    ),
    pytest.param("У нас сын Гоша (8 лет) боится ходить мимо стройки", ["Гоша", "8 лет"], id="brackets"),
]


@pytest.mark.parametrize(("text", "expected"), NAME_AND_AGE)
def test_child_name_and_age_go_to_review(
    detector: PersonalDataDetector, text: str, expected: list[str]
) -> None:
    (minor,) = detector.detect(text)
    assert minor.rule == "pii.minor"
    assert parts(text, minor) == expected
    assert REVIEW <= minor.score < DELETE
    assert "решает модератор" in minor.detail
    assert action_of([minor]) is Action.REVIEW


def test_birth_year_counts_as_age_and_the_surname_joins_the_name(detector: PersonalDataDetector) -> None:
    born = date.today().year - 13
    text = f"Разыскивается Смирнов Егор, {born} г.р., ушёл из дома вечером"
    (minor,) = detector.detect(text)
    assert minor.rule == "pii.minor"
    assert parts(text, minor) == ["Смирнов Егор", f"{born} г.р."]
    assert REVIEW <= minor.score < DELETE
    assert mask(text, [minor]) == "Разыскивается [данные ребёнка], [данные ребёнка], ушёл из дома вечером"


NOT_A_MINOR = [
    pytest.param("Сын Миша поступил в колледж, спасибо школе", id="name-without-age"),
    pytest.param("Моему сыну 9 лет, а площадки на ул. Ленина 15 так и нет", id="age-without-name"),
    pytest.param("Дети ждут площадку уже 5 лет, Дмитрий Зиновьевич, когда?", id="official-and-duration"),
    pytest.param("Дети ждут площадку 5 лет, Ирина Геннадьевна, когда?", id="name-with-patronymic"),
    pytest.param("Сын Ваня 5 лет назад пошёл в эту школу", id="years-ago"),
    pytest.param("Пропала собака Жучка, 3 года, ул. Садовая 7, помогите найти", id="pet"),
    pytest.param("Мой сын Петя, 25 лет, живёт на Ленина 15", id="adult-son"),
    pytest.param(f"Пропал Иван, {date.today().year - 40} г.р., ушёл из дома", id="adult-birth-year"),
    pytest.param(
        "В 2015 году обещали школу на ул. Ленина 15, дети ездят на автобусе 12", id="years-and-routes"
    ),
]


@pytest.mark.parametrize("text", NOT_A_MINOR)
def test_not_a_minor(detector: PersonalDataDetector, text: str) -> None:
    assert [evidence for evidence in detector.detect(text) if evidence.rule == "pii.minor"] == []


def test_adult_son_is_not_a_minor_but_nothing_else_either(detector: PersonalDataDetector) -> None:
    assert detector.detect("Мой сын Петя, 25 лет, живёт на Ленина 15") == []


HOMES = [
    pytest.param(
        "Иванова Анна Петровна проживает по адресу ул. Кирова, д. 8, и всех обзывает",
        "Иванова Анна Петровна",
        "ул. Кирова, д. 8",
        id="formal",
    ),
    pytest.param(
        "Вот кто ломает качели: Громов Пётр Ильич, живёт на Садовой 17",
        "Громов Пётр Ильич",
        "Садовой 17",
        id="lives-at",
    ),
]


@pytest.mark.parametrize(("text", "name", "home"), HOMES)
def test_private_full_name_with_home_is_deleted(
    detector: PersonalDataDetector, text: str, name: str, home: str
) -> None:
    found = detector.detect(text)
    assert [(evidence.rule, evidence.spans[0].of(text)) for evidence in found] == [
        ("pii.person_name", name),
        ("pii.home", home),
    ]
    assert all(evidence.score >= DELETE for evidence in found)
    assert "12" not in found[1].detail and "Кирова" not in found[1].detail


NOT_A_HOME = [
    pytest.param("Врач Петрова Анна Ивановна принимает в поликлинике на ул. Ленина 15", id="workplace"),
    pytest.param("Яма у дома Ленина 12, Петров Иван чуть не упал", id="house-is-a-place"),
    pytest.param("Джонни Депп живёт на Ленина 15, шутка", id="foreign-name"),
    pytest.param("Фельдман Дмитрий Зиновьевич живёт на Ленина 15? А дорогу не чинят", id="official"),
    pytest.param("Ярмарка по адресу: Максима Горького, 15, приходите все", id="street-named-after-a-person"),
]


@pytest.mark.parametrize("text", NOT_A_HOME)
def test_house_that_is_no_private_home(detector: PersonalDataDetector, text: str) -> None:
    found = detector.detect(text)
    assert [evidence for evidence in found if evidence.rule == "pii.home"] == []
    assert all(evidence.score < DELETE for evidence in found)
