"""Personal-data detector: numbers, contacts and addresses in real Russian comments.

Names, officials and robustness live in test_pii_names.py and test_pii_robustness.py.
"""

from __future__ import annotations

import pytest

from moderation.pii.detector import PersonalDataDetector
from moderation.types import Evidence, Ground

OFFICIALS = ("Фельдман Дмитрий Зиновьевич", "Шишкина Ирина Викторовна")
ORGANISATION_PHONES = ("8 (38557) 4-12-34", "+7 385 57 2-00-11")

DELETE = 0.8  # DEFAULT_THRESHOLDS[personal_data].delete
REVIEW = 0.5


@pytest.fixture(scope="module")
def detector() -> PersonalDataDetector:
    return PersonalDataDetector(OFFICIALS, ORGANISATION_PHONES, official_email_domains=("rubtsovsk.org",))


def only(found: list[Evidence], rule: str) -> list[Evidence]:
    return [evidence for evidence in found if evidence.rule == rule]


def spans_of(text: str, found: list[Evidence]) -> list[str]:
    return [evidence.spans[0].of(text) for evidence in found]


PHONES = [
    pytest.param("Звоните мне 8 913 123 45 67 вечером", "8 913 123 45 67", id="spaced-8"),
    pytest.param("Мой номер +7 (913) 123-45-67, пишите в вотсап", "+7 (913) 123-45-67", id="plus7-parens"),
    pytest.param("тел.89131234567 Ольга", "89131234567", id="glued-8"),
    pytest.param("Отдам котят, 8(913)123-45-67", "8(913)123-45-67", id="8-parens-nospace"),
    pytest.param("Пишите +79131234567!", "+79131234567", id="e164"),
    pytest.param("Номер соседа 8-913-123-45-67, пусть уберёт машину", "8-913-123-45-67", id="dashed"),
    pytest.param("Позвоните 913 123 45 67 после обеда", "913 123 45 67", id="no-prefix-spaced"),
    pytest.param("Звонить по 9131234567 до девяти", "9131234567", id="no-prefix-glued"),
    pytest.param("Ватсап +7-913-123-45-67доб", "+7-913-123-45-67", id="plus7-dashed-glued-word"),
]


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_private_mobile_phone_is_deleted(detector: PersonalDataDetector, text: str, expected: str) -> None:
    found = detector.detect(text)
    assert spans_of(text, found) == [expected]
    (phone,) = found
    assert phone.rule == "pii.phone"
    assert phone.ground is Ground.PERSONAL_DATA
    assert phone.score >= 0.9
    assert phone.detail.endswith("+7 9** ***-**-67")
    assert "123" not in phone.detail


def test_two_phones_in_one_comment(detector: PersonalDataDetector) -> None:
    text = "Звоните Ивану: +7 913 123 45 67 или 8 913 765 43 21"
    assert spans_of(text, detector.detect(text)) == ["+7 913 123 45 67", "8 913 765 43 21"]


def test_landline_goes_to_review(detector: PersonalDataDetector) -> None:
    text = "Домашний 8 (38557) 2-15-90, звоните после шести"
    (phone,) = detector.detect(text)
    assert phone.spans[0].of(text) == "8 (38557) 2-15-90"
    assert REVIEW <= phone.score < DELETE


NOT_PHONES = [
    pytest.param("Телефон приёмной 8 (38557) 4-12-34, звоните с 9 до 18", id="org-phone-as-configured"),
    pytest.param("Телефон приёмной +73855741234", id="org-phone-other-format"),
    pytest.param("Дежурная часть: 8-385-57-2-00-11", id="org-phone-second"),
    pytest.param("Звонил на 112 и на 8-800-200-00-00, никто не ответил", id="112-and-8800"),
    pytest.param("Горячая линия 8 800 100-00-00 не отвечает", id="8800-spaced"),
    pytest.param("Квартира стоит 3 500 000 рублей, дорого", id="price"),
    pytest.param("На дороги выделили 1 200 000 000 рублей, где они?", id="big-price"),
    pytest.param("С 2019 по 2023 год обещают отремонтировать", id="years"),
    pytest.param("Автобус 112 и маршрут 12 ходят раз в час", id="bus-routes"),
    pytest.param("Собрание 12.01.2023 в 18:00, приходите", id="date-time"),
    pytest.param("Обращение № 1234 от 12.01.2023 так и не рассмотрено", id="request-number"),
    pytest.param("Номер обращения 9131234567, ответа нет", id="request-number-phone-shaped"),
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_not_a_private_phone(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


def test_invalid_organisation_phone_fails_at_start() -> None:
    with pytest.raises(ValueError, match="organisation phone"):
        PersonalDataDetector(organisation_phones=["12-34"])


def test_email(detector: PersonalDataDetector) -> None:
    text = "Пишите на ivan.petrov@mail.ru, отвечу всем"
    (email,) = detector.detect(text)
    assert email.rule == "pii.email"
    assert email.spans[0].of(text) == "ivan.petrov@mail.ru"
    assert email.score >= 0.9
    assert email.detail == "e-mail i***@mail.ru"


@pytest.mark.parametrize(
    "address",
    ["info@mail.ru", "petrov@admgorod.ru", "infinity.ivanov@yandex.ru", "priem-ivanova@gmail.com"],
)
def test_a_person_s_mailbox_stays_personal(detector: PersonalDataDetector, address: str) -> None:
    """An office word on a public mail service is someone's; so is a surname at an office's domain."""
    (email,) = detector.detect(f"Пишите мне на {address}")
    assert email.rule == "pii.email"


def test_email_on_own_domain_masks_the_domain(detector: PersonalDataDetector) -> None:
    text = "Мой адрес papa@ivanov-family.ru"
    (email,) = detector.detect(text)
    assert email.spans[0].of(text) == "papa@ivanov-family.ru"
    assert "ivanov" not in email.detail


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Пишите на priem@rubtsovsk.org, там ответят", id="official-domain"),
        pytest.param("Пишите на uszn@soc.rubtsovsk.org", id="official-subdomain"),
        pytest.param("Подписывайтесь на @rubtsovsk_admin", id="telegram-mention"),
        pytest.param("Встреча @ 18:00 у ДК", id="lone-at"),
        pytest.param("Пишите на официальную почту obr@admgorod.ru, ответили", id="office-mailbox"),
        pytest.param("Справки через info.school7@school7-city.ru", id="office-mailbox-dotted"),
        pytest.param("Жалобу отправила на mail@fas.gov.ru", id="government-domain"),
        pytest.param("Адрес приёмной: pr2@kultura-gorod.ru", id="office-mailbox-numbered"),
    ],
)
def test_not_a_private_email(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


PASSPORTS = [
    pytest.param("Паспорт серия 4512 номер 345678 потеряла, верните", "4512 номер 345678", 0.9, id="words"),
    pytest.param("Нашёл паспорт 4512 345678 на остановке", "4512 345678", 0.9, id="context"),
    pytest.param("паспортные данные: 45 12 345678", "45 12 345678", 0.9, id="printed-with-context"),
    pytest.param("серия 45 12 № 345678", "45 12 № 345678", 0.9, id="number-sign"),
]


@pytest.mark.parametrize(("text", "expected", "least"), PASSPORTS)
def test_passport_with_context(
    detector: PersonalDataDetector, text: str, expected: str, least: float
) -> None:
    (passport,) = detector.detect(text)
    assert passport.rule == "pii.passport"
    assert passport.spans[0].of(text) == expected
    assert passport.score >= least
    assert "345678" not in passport.detail


def test_passport_shape_without_context_goes_to_review(detector: PersonalDataDetector) -> None:
    text = "Нашла документ 45 12 345678 у подъезда"
    (passport,) = detector.detect(text)
    assert passport.rule == "pii.passport"
    assert REVIEW <= passport.score < DELETE


def test_ten_bare_digits_are_not_a_passport(detector: PersonalDataDetector) -> None:
    assert detector.detect("Заказ 4512345678 так и не пришёл") == []


SNILS = [
    pytest.param("СНИЛС 112-233-445 95", "112-233-445 95", id="formatted-context"),
    pytest.param("Мой номер в ПФР 112-233-445 95, проверьте", "112-233-445 95", id="formatted-bare"),
    pytest.param("снилс: 11223344595", "11223344595", id="glued-context"),
    pytest.param("СНИЛС 105-876-987 00", "105-876-987 00", id="sum-201-mod-101-is-100"),
    pytest.param("СНИЛС 001-508-815 00", "001-508-815 00", id="sum-100"),
    pytest.param("СНИЛС 001-437-544 00", "001-437-544 00", id="sum-101"),
    pytest.param("СНИЛС 001-168-298 06", "001-168-298 06", id="sum-107-mod-101"),
]


@pytest.mark.parametrize(("text", "expected"), SNILS)
def test_snils_with_valid_checksum(detector: PersonalDataDetector, text: str, expected: str) -> None:
    (snils,) = detector.detect(text)
    assert snils.rule == "pii.snils"
    assert snils.spans[0].of(text) == expected
    assert snils.score >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("СНИЛС 001-508-815 100", id="too-long"),
        pytest.param("Номер 11223344595 без слова СНИЛС впереди", id="bare-glued"),
    ],
)
def test_not_a_snils(detector: PersonalDataDetector, text: str) -> None:
    assert only(detector.detect(text), "pii.snils") == []


INNS = [
    pytest.param("ИНН 500100732259, проверьте", "500100732259", 0.9, 1.0, id="person-context"),
    pytest.param("мой инн: 500100732259", "500100732259", 0.9, 1.0, id="person-lower-colon"),
    pytest.param("Вот 500100732259 и всё", "500100732259", REVIEW, DELETE, id="person-bare"),
    pytest.param("ИНН 7707083893 у этой фирмы", "7707083893", REVIEW, DELETE, id="organisation"),
]


@pytest.mark.parametrize(("text", "expected", "low", "high"), INNS)
def test_inn_with_valid_checksum(
    detector: PersonalDataDetector, text: str, expected: str, low: float, high: float
) -> None:
    (inn,) = detector.detect(text)
    assert inn.rule == "pii.inn"
    assert inn.spans[0].of(text) == expected
    assert low <= inn.score < high


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ИНН 7707083894", id="10-wrong"),
        pytest.param("Сумма 7707083893 без контекста", id="10-bare"),
    ],
)
def test_not_an_inn(detector: PersonalDataDetector, text: str) -> None:
    assert only(detector.detect(text), "pii.inn") == []


CARDS = [
    pytest.param("Переведите на карту 4276 3800 1234 5679, спасибо", "4276 3800 1234 5679", id="visa-spaced"),
    pytest.param("Сбер 4276380012345679", "4276380012345679", id="glued"),
    pytest.param("Мир 2202-2000-1234-5672 для помощи", "2202-2000-1234-5672", id="mir-dashed"),
]


@pytest.mark.parametrize(("text", "expected"), CARDS)
def test_card_with_valid_luhn(detector: PersonalDataDetector, text: str, expected: str) -> None:
    (card,) = detector.detect(text)
    assert card.rule == "pii.card"
    assert card.spans[0].of(text) == expected
    assert card.score >= 0.9
    assert "3800" not in card.detail and "2000" not in card.detail


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Счёт 40817810099910004312 в банке", id="account-20-digits"),
    ],
)
def test_not_a_card(detector: PersonalDataDetector, text: str) -> None:
    assert only(detector.detect(text), "pii.card") == []


ADDRESSES = [
    pytest.param(
        "Живу по ул. Ленина, д. 12, кв. 45, течёт крыша", "ул. Ленина, д. 12, кв. 45", DELETE, id="full"
    ),
    pytest.param("Ленина, 12, кв 45 опять без воды", "Ленина, 12, кв 45", DELETE, id="commas"),
    pytest.param(
        "пр-т Ленина д 5 квартира 17 затопило", "пр-т Ленина д 5 квартира 17", DELETE, id="prospekt"
    ),
    pytest.param(
        "улица Октябрьская дом 3а кв.7 тараканы", "улица Октябрьская дом 3а кв.7", DELETE, id="letter"
    ),
    pytest.param("ул. Ленина 12-45 топит соседей", "ул. Ленина 12-45", DELETE, id="dashed-street"),
    pytest.param("Живу на Ленина 12-45, соседи шумят", "Ленина 12-45", REVIEW, id="dashed-preposition"),
    pytest.param("Живу в доме 5, кв 12 — течёт", "доме 5, кв 12", REVIEW, id="no-street"),
]


@pytest.mark.parametrize(("text", "expected", "least"), ADDRESSES)
def test_address_with_flat(detector: PersonalDataDetector, text: str, expected: str, least: float) -> None:
    (address,) = detector.detect(text)
    assert address.rule == "pii.address"
    assert address.spans[0].of(text) == expected
    assert address.score >= least
    assert not any(flat in address.detail for flat in ("45", "17", "12", "кв.7"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Яма у дома Ленина 12, сколько можно", id="house-only"),
        pytest.param("ул. Ленина, д. 12 — нет света третий день", id="house-marker-only"),
        pytest.param("Отключили воду на Ленина 12-16", id="house-range"),
        pytest.param("в кв. 45 соседи шумят", id="flat-only"),
        pytest.param("Счёт 12-45 в пользу Рубцовска", id="score"),
        pytest.param("ул. Комсомольская 94/2, нет света", id="corner-house-number"),
        pytest.param("Во 2 кв. 2023 года обещали отремонтировать", id="quarter-of-year"),
        pytest.param("Улица Ленина, дом 5, подъезд 2 — грязь", id="entrance-not-flat"),
    ],
)
def test_not_an_address(detector: PersonalDataDetector, text: str) -> None:
    assert detector.detect(text) == []


def test_office_landline_quoted_by_a_citizen_is_not_personal(detector: PersonalDataDetector) -> None:
    text = "Горгаз не берёт трубку по номеру 8 (38557) 3-10-04, подскажите правильный"
    assert all(ev.score < REVIEW for ev in detector.detect(text))
