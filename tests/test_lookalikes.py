"""Look-alikes from Unicode's confusables table: each class maps to Russian letters, offsets still point at
what the person wrote, digits are letters only inside a word, and a number joined to a word is never мат."""

from __future__ import annotations

import pytest

from dozor.build import build_lexicon
from moderation.lexicon.rules import Lexicon
from moderation.text.analysis import analyze, normalise
from moderation.text.lookalikes import OVERRIDES, TABLE


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return build_lexicon()


def test_the_table_comes_from_the_package_data() -> None:
    """Hundreds of characters from confusables.json, not a hand list: Greek, fullwidth, mathematical forms."""
    assert len(TABLE) > 500
    assert TABLE["α"] == "а" and TABLE["ρ"] == "р" and TABLE["ʙ"] == "в" and TABLE["ᴛ"] == "т"
    assert TABLE["ｃ"] == "с" and TABLE["𝐞"] == "е"
    # the overrides are only for characters the table gives no Russian letter
    assert all(TABLE.get(char) is None or TABLE[char] != target for char, target in OVERRIDES.items())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ᴨᴏдᴩᴀбᴏᴛᴋᴀ", "подработка"),  # small capitals (Latin and Greek)
        ("ʙᴄᴇᴍ ᴨᴩиʙᴇᴛ", "всем привет"),  # small capitals, whole words without a Russian letter
        ("ρабοτα", "работа"),  # Greek look-alikes inside a Russian word
        ("Πoдpaбoткa", "подработка"),  # Greek capital and Latin letters
        ("ΗУЖΗЫ ЛЮДИ", "нужны люди"),  # Greek capitals lower-cased, then mapped by their capital's target
        ("заｐабｏтｏк", "заработок"),  # fullwidth
        ("р𝐚б𝐨т𝐚", "работа"),  # mathematical bold
        ("𝕫аработок", "заработок"),  # mathematical double-struck, then the Latin override z -> з
        ("Спасибо зa pемонт", "спасибо за ремонт"),  # Latin inside Russian words
    ],
    ids=[
        "small-caps",
        "small-caps-only",
        "greek",
        "greek-latin",
        "greek-capitals",
        "fullwidth",
        "math-bold",
        "math-double-struck",
        "latin",
    ],
)
def test_each_class_of_lookalike_maps_to_russian(text: str, expected: str) -> None:
    norm, _ = normalise(text)
    assert norm == expected


@pytest.mark.parametrize(
    "text",
    ["https://gosuslugi.ru/help", "ok, thanks", "iPhone 15 Pro", "Wi-Fi в школе", "p2p", "α-частицы"],
)
def test_latin_words_and_links_stay_latin(text: str) -> None:
    norm, _ = normalise(text)
    latin_words = [w for w in text.lower().replace("-", " ").split() if w.isascii()]
    for word in latin_words:
        assert word.strip(",") in norm


def test_offsets_map_back_to_the_original_span(lexicon: Lexicon) -> None:
    text = "Всем привет! Π𝐨дᴩᴀбᴏᴛᴋᴀ, ᴏᴨᴧᴀᴛᴀ ᴋᴀждый дᴇнь, ᴨиɯи ʙ ᴧᴄ"
    doc = analyze(text)
    found = {ev.rule: ev for ev in lexicon.match(doc)}
    assert {"spam.job_offer", "spam.pay_daily", "spam.contact_me"} <= set(found)
    for ev in found.values():
        for span in ev.spans:
            assert 0 <= span.start < span.end <= len(text)
    words = {text[t.start : t.end] for t in doc.tokens}
    assert "Π𝐨дᴩᴀбᴏᴛᴋᴀ" in words and "ᴨиɯи" in words
    contact = found["spam.contact_me"].spans[0]
    assert text[contact.start : contact.end] == "ᴨиɯи ʙ ᴧᴄ"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("пи3дец", "obscenity.pizd"),  # a digit between letters
        ("ё6аный", "obscenity.ebat"),
        ("бл@ть", "obscenity.blyad"),
        ("xyй", "obscenity.huy"),  # Latin letters alone (skeleton)
        ("ᴨиздᴇц", "obscenity.pizd"),  # small capitals
        ("πиздец", "obscenity.pizd"),  # Greek
    ],
)
def test_disguised_mat_is_found(lexicon: Lexicon, text: str, rule: str) -> None:
    assert rule in {ev.rule for ev in lexicon.match(analyze(f"ну {text} же"))}


def test_digits_are_letters_only_between_letters() -> None:
    assert normalise("пи3дец")[0] == "пиздец"
    assert normalise("с0ль")[0] == "соль"
    for text in ("в 3-х этажах", "6-я школа", "10кв", "5й подъезд", "2024 год", "м2", "д22"):
        assert normalise(text)[0] == text.lower()


@pytest.mark.parametrize(
    "text",
    [
        "6-я школа закрыта на карантин",
        "6-я городская больница",
        "на 6-ю линию",
        "в 3-х этажном доме",
        "с 3 - х лет",
        "3 - х уровневая развязка",
        "5-ю бригаду",
        "6 - я рота",
        "до 6-ти утра",
        "на 2 - е сутки",
    ],
)
def test_a_number_followed_by_a_word_is_not_mat(lexicon: Lexicon, text: str) -> None:
    assert [ev.rule for ev in lexicon.match(analyze(text)) if ev.ground.value == "obscenity"] == []


@pytest.mark.parametrize("text", ["𗀀с", "𗀀Ç", "ᴀ\U000e0001б"])
def test_a_russian_word_with_an_unnamed_code_point_is_analysed(text: str) -> None:
    """pymorphy3 looks up each character's Unicode name; a code point without one must not stop it."""
    assert analyze(text).tokens
