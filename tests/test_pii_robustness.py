"""Any text is safe to pass to the detector: no exception, spans inside the text, bounded time."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.pii.checksums import inn_valid, luhn_valid, snils_check_digits, snils_valid
from moderation.pii.detector import PersonalDataDetector

DETECTOR = PersonalDataDetector(["Фельдман Дмитрий Зиновьевич"], ["8 (38557) 4-12-34"])

_PIECES = st.sampled_from(
    [
        "8 913 123 45 67",
        "+7",
        "(913)",
        "-",
        " ",
        ",",
        ".",
        "@",
        "mail.ru",
        "ivan",
        "кв.",
        "кв",
        "д.",
        "ул.",
        "Ленина",
        "Иванов",
        "Иван",
        "И.",
        "Петровна",
        "паспорт",
        "серия",
        "№",
        "ИНН",
        "СНИЛС",
        "4276",
        "112",
        "12",
        "45",
        "\n",
        "İ",
        "ǅ",
        "١٢٣",
        "😀",
        "Ё",
    ]
)
_TEXTS = st.one_of(st.text(max_size=300), st.lists(st.one_of(_PIECES, st.text(max_size=5))).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_any_text_gives_spans_within_bounds(text: str) -> None:
    for evidence in DETECTOR.detect(text):
        assert 0.0 <= evidence.score <= 1.0
        for span in evidence.spans:
            assert 0 <= span.start < span.end <= len(text)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_snils_check_digits_always_two_digits(first_nine: str) -> None:
    check = snils_check_digits(first_nine)
    assert 0 <= check <= 99
    if int(first_nine) > 1_001_998:
        assert snils_valid(first_nine + f"{check:02d}")


@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_luhn_accepts_exactly_one_check_digit(body: str) -> None:
    assert sum(luhn_valid(body[:-1] + digit) for digit in "0123456789") == 1


def test_checksum_functions_reject_non_digits() -> None:
    assert not luhn_valid("4276 3800 1234 5679")
    assert not inn_valid("77070838９3")
    assert not snils_valid("112-233-445")


_SENTENCES = (
    "Когда починят дорогу на улице Ленина? Уже третий год обещают, а воз и ныне там. ",
    "Спасибо администрации за новую детскую площадку во дворе дома 15 по Комсомольской! ",
    "Звоните мне 8 913 123 45 67, ИНН 500100732259, живу на ул. Ленина, д. 12, кв. 45. ",
    "Соседка Смирнова Анна опять шумит, а Фельдману Дмитрию Зиновьевичу спасибо. ",
)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("".join(_SENTENCES) * (100_000 // len("".join(_SENTENCES))), id="mixed-comments"),
        pytest.param("Иван Петров " * 8_400, id="names-everywhere"),
        pytest.param("a" * 50_000 + " b@" + "c" * 49_000, id="email-backtracking"),
        pytest.param("1" * 100_000, id="one-long-number"),
        pytest.param("12 " * 33_000, id="numbers-with-spaces"),
        pytest.param("кв. 1 " * 16_000, id="flats-without-houses"),
    ],
)
def test_long_text_is_fast(text: str) -> None:
    started = time.perf_counter()
    found = DETECTOR.detect(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{elapsed:.2f}s for {len(text)} characters"
    assert all(evidence.spans[0].end <= len(text) for evidence in found)
