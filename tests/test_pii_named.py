"""Documents named as such: a card, INN or SNILS whose check digit fails still goes to a moderator when the
word before it says what it is; documents without check digits are found by their naming word.

All numbers are made up; the failing ones fail their checksums on purpose.
"""

from __future__ import annotations

import pytest

from moderation.config import DEFAULT_THRESHOLDS
from moderation.pii.checksums import inn_valid, luhn_valid, only_digits, snils_valid
from moderation.pii.detector import PersonalDataDetector
from moderation.types import Action, Evidence, Ground
from moderation.verdict.policy import combine, decide

DELETE = DEFAULT_THRESHOLDS[Ground.PERSONAL_DATA].delete
REVIEW = DEFAULT_THRESHOLDS[Ground.PERSONAL_DATA].review


@pytest.fixture(scope="module")
def detector() -> PersonalDataDetector:
    return PersonalDataDetector(("Фельдман Дмитрий Зиновьевич",), ("8 (38557) 4-12-34",))


def action_of(found: list[Evidence]) -> Action:
    return decide(combine(found), DEFAULT_THRESHOLDS)[0]


FAILING = [
    pytest.param(
        "Скиньте кто сколько может, номер карты 2200 7311 5648 4321",
        "2200 7311 5648 4321",
        "pii.card",
        id="card",
    ),
    pytest.param(
        "карточка Сбербанка: 1234567890123456, мама Оля", "1234567890123456", "pii.card", id="card-glued"
    ),
    pytest.param("мой ИНН 123456789012, почему пришёл налог?", "123456789012", "pii.inn", id="inn"),
    pytest.param(
        "СНИЛС мамы 987-654-321 00 не находится на госуслугах", "987-654-321 00", "pii.snils", id="snils"
    ),
    pytest.param(
        "снилс № 98765432100 подскажите, как проверить", "98765432100", "pii.snils", id="snils-glued"
    ),
]


@pytest.mark.parametrize(("text", "number", "rule"), FAILING)
def test_named_number_with_failing_checksum_goes_to_review(
    detector: PersonalDataDetector, text: str, number: str, rule: str
) -> None:
    digits = only_digits(number)
    assert not (luhn_valid(digits) or inn_valid(digits) or snils_valid(digits)), "the number must fail"
    (found,) = detector.detect(text)
    assert found.rule == rule
    assert found.spans[0].of(text) == number
    assert REVIEW <= found.score < DELETE
    assert "контрольная сумма не сходится" in found.detail
    assert digits[4:8] not in found.detail
    assert action_of([found]) is Action.REVIEW


def test_named_valid_number_with_a_relative_between_is_deleted(detector: PersonalDataDetector) -> None:
    text = "снилс мамы 98765432183, помогите записать её к врачу"
    assert snils_valid("98765432183")
    (found,) = detector.detect(text)
    assert found.rule == "pii.snils"
    assert found.score >= DELETE


def test_valid_inn_named_with_a_relative_is_deleted(detector: PersonalDataDetector) -> None:
    text = "ИНН моего отца 500100732259, он инвалид, почему налог?"
    (found,) = detector.detect(text)
    assert found.rule == "pii.inn"
    assert found.score >= DELETE


DOCUMENTS = [
    pytest.param(
        "паспорт: 4512-345678 потеряла в автобусе", "4512-345678", "pii.passport", id="passport-dash"
    ),
    pytest.param("мои паспортные данные 4512/345678", "4512/345678", "pii.passport", id="passport-slash"),
    pytest.param(
        "номер паспорта 345678, серия 4512, помогите восстановить",
        "345678, серия 4512",
        "pii.passport",
        id="passport-number-first",
    ),
    pytest.param(
        "загранпаспорт 75 1234567 готов? подавал в мае", "75 1234567", "pii.passport", id="foreign-passport"
    ),
    pytest.param(
        "Водительское удостоверение 99 12 345678 нашли у остановки",
        "99 12 345678",
        "pii.licence",
        id="licence",
    ),
    pytest.param(
        "полис ОМС 1234 5678 9012 3456, а в поликлинике не видят", "1234 5678 9012 3456", "pii.oms", id="oms"
    ),
    pytest.param(
        "свидетельство о рождении дочки II-ТО № 654321 потеряли",
        "II-ТО № 654321",
        "pii.birth_certificate",
        id="birth",
    ),
]


@pytest.mark.parametrize(("text", "number", "rule"), DOCUMENTS)
def test_named_document_without_check_digit_is_deleted(
    detector: PersonalDataDetector, text: str, number: str, rule: str
) -> None:
    found = detector.detect(text)
    assert [(evidence.rule, evidence.spans[0].of(text)) for evidence in found] == [(rule, number)]
    assert found[0].score >= DELETE
    assert number[-4:-2] not in found[0].detail


NOT_PERSONAL = [
    pytest.param("Заказ № 1234 5678 9012 3456 так и не пришёл", id="order-number-card-shaped"),
    pytest.param("Номер обращения 123456789012, ответа нет", id="appeal-number-inn-shaped"),
    pytest.param("На ремонт выделили 123456789012 рублей, где они?", id="price-inn-shaped"),
    pytest.param("Номер 98765432100 без слова впереди", id="snils-shaped-bare"),
    pytest.param("ИНН 7707083894 у этой фирмы", id="organisation-inn-failing"),
    pytest.param("Снилс можно восстановить в МФЦ, автобус 12 туда ходит", id="word-without-number"),
    pytest.param("Карту потеряла, номер заявки 123456789012", id="card-word-other-number"),
    pytest.param("С 2019 по 2023 год обещали, маршрут 112 так и не пустили", id="years-and-routes"),
    pytest.param("Приёмная 8 (38557) 4-12-34 не отвечает с утра", id="official-landline"),
    pytest.param("В паспортном столе очередь с 2023-2024 годов", id="passport-office-years"),
    pytest.param("Паспорт получил 12.05.2023, спасибо МФЦ", id="passport-date"),
]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_numbers_that_are_not_personal_data(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


def test_organisation_inn_in_an_advert_stays_below_delete(detector: PersonalDataDetector) -> None:
    """A firm's INN is the advert's ground, not personal data: at most a moderator looks at it."""
    text = "ООО «Окна Сибири», ИНН 7707083893, пластиковые окна со скидкой"
    assert all(evidence.score < DELETE for evidence in detector.detect(text))
