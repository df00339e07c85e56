"""Full names: private persons are personal data, public officials in their public role are not."""

from __future__ import annotations

import pytest

from moderation import pii_names
from moderation.pii import PersonalDataDetector
from moderation.pii_names import full_name, parse_official

OFFICIALS = ("Фельдман Дмитрий Зиновьевич", "Шишкина Ирина Викторовна")
DELETE = 0.8
REVIEW = 0.5


@pytest.fixture(scope="module")
def detector() -> PersonalDataDetector:
    return PersonalDataDetector(OFFICIALS)


PRIVATE = [
    pytest.param("Соседка Смирнова Анна из пятой квартиры опять шумит", "Смирнова Анна", id="surname-name"),
    pytest.param("Соседка Петрова М.И. опять жалуется", "Петрова М.И.", id="surname-initials"),
    pytest.param("Иван Петров из соседнего подъезда ворует цветы", "Иван Петров", id="name-surname"),
    pytest.param("Мария Ивановна Сидорова, верните долг", "Мария Ивановна Сидорова", id="full-fio"),
    pytest.param("Пусть Кузнецов Олег Петрович ответит", "Кузнецов Олег Петрович", id="nominative-fio"),
    pytest.param("Передайте Смирновой Анне, что её собака лает", "Смирновой Анне", id="dative"),
]


@pytest.mark.parametrize(("text", "expected"), PRIVATE)
def test_private_full_name_goes_to_review(detector: PersonalDataDetector, text: str, expected: str) -> None:
    (person,) = detector.detect(text)
    assert person.rule == "pii.person_name"
    assert person.spans[0].of(text) == expected
    assert REVIEW <= person.score < DELETE
    assert expected not in person.detail


def test_name_with_phone_is_deleted(detector: PersonalDataDetector) -> None:
    text = "Иванов Иван Петрович, тел. 89131234567, продаёт гараж"
    person, phone = detector.detect(text)
    assert person.spans[0].of(text) == "Иванов Иван Петрович"
    assert person.score >= DELETE
    assert phone.rule == "pii.phone"


OFFICIAL_MENTIONS = [
    pytest.param("Спасибо Фельдману Дмитрию Зиновьевичу за ремонт дороги!", id="dative"),
    pytest.param("Благодарим Фельдмана Дмитрия Зиновьевича за помощь", id="genitive"),
    pytest.param("Фельдман Д.З. обещал починить крышу", id="surname-initials"),
    pytest.param("Д.З. Фельдман обещал в мае", id="initials-surname"),
    pytest.param("Обращаюсь к Дмитрию Зиновьевичу Фельдману лично", id="name-first-dative"),
    pytest.param("Вопрос к Фельдману Д. З.: когда будет вода?", id="spaced-initials"),
    pytest.param("Спасибо Шишкиной Ирине Викторовне за помощь", id="female-dative"),
    pytest.param("Шишкина И.В. ответила быстро", id="female-initials"),
]


@pytest.mark.parametrize("text", OFFICIAL_MENTIONS)
def test_public_official_is_not_personal_data(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


def test_same_surname_other_person_is_flagged(detector: PersonalDataDetector) -> None:
    text = "Соседка Фельдман Анна опять паркуется на газоне"
    (person,) = detector.detect(text)
    assert person.spans[0].of(text) == "Фельдман Анна"


NOT_NAMES = [
    pytest.param("Ирина, спасибо за ответ", id="first-name-comma"),
    pytest.param("Спасибо, Ирина!", id="thanks-name"),
    pytest.param("Уважаемый Дмитрий Зиновьевич, когда починят?", id="name-patronymic"),
    pytest.param("На улице Максима Горького яма", id="street-named-after-person"),
    pytest.param("Школа имени А.С. Пушкина закрыта на ремонт", id="school-named-after-person"),
    pytest.param("Глава города молодец, дороги сделали", id="title"),
    pytest.param("Администрация Рубцовска опять ничего не сделала", id="organisation"),
    pytest.param("Спасибо Сергею Ивановичу и всей бригаде", id="name-patronymic-dative"),
    pytest.param("Новый Год встретили без света, Дед Мороз не пришёл", id="capitalised-holiday"),
    pytest.param("Почта России опять потеряла посылку", id="organisation-two-words"),
]


@pytest.mark.parametrize("text", NOT_NAMES)
def test_not_a_private_full_name(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Когда починят дорогу на улице Ленина? Уже третий год обещают.",
        "Позор! Бардак! Чиновники не справляются.",
        "Спасибо за оперативный ответ, воду дали.",
        "В Рубцовске опять отключили свет, сколько можно",
        "Ирина, спасибо!",
    ],
)
def test_ordinary_comments_never_reach_ner(
    detector: PersonalDataDetector, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    def no_ner() -> None:
        raise AssertionError("NER must not run on an ordinary comment")

    monkeypatch.setattr(pii_names, "_ner", no_ner)
    assert detector.detect(text) == []


def test_official_named_in_full_needs_no_ner(
    detector: PersonalDataDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_ner() -> None:
        raise AssertionError("an official's full name is cleared by morphology alone")

    monkeypatch.setattr(pii_names, "_ner", no_ner)
    assert detector.detect("Уважаемый Фельдман Дмитрий Зиновьевич, когда починят дорогу?") == []


@pytest.mark.parametrize(
    ("mention", "official"),
    [
        (["Фельдману", "Дмитрию", "Зиновьевичу"], "Фельдман Дмитрий Зиновьевич"),
        (["Фельдмана", "Д.", "З."], "Фельдман Дмитрий Зиновьевич"),
        (["Д.", "Фельдман"], "Фельдман Дмитрий Зиновьевич"),
        (["Шишкиной", "Ирине"], "Шишкина Ирина Викторовна"),
        (["Фельдману", "Д.", "З."], "Фельдман Д. З."),
    ],
)
def test_official_matching_by_lemma(mention: list[str], official: str) -> None:
    assert full_name(mention).same_person(parse_official(official))


@pytest.mark.parametrize(
    ("mention", "official"),
    [
        (["Фельдман", "Анна"], "Фельдман Дмитрий Зиновьевич"),
        (["Фельдман", "Д.", "А."], "Фельдман Дмитрий Зиновьевич"),
        (["Шишкину", "Анну"], "Шишкина Ирина Викторовна"),
    ],
)
def test_official_mismatch(mention: list[str], official: str) -> None:
    assert not full_name(mention).same_person(parse_official(official))
