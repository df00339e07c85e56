"""Normalisation defeats disguise and keeps offsets into what the person wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.text import analysis as text_module
from moderation.text.analysis import analyze, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ёлка", "елка"),
        ("ПРИВЕТ", "привет"),
        ("ｐｒｉｖｅｔ", "privet"),  # full-width forms, NFKC
        ("х\u200bу\u200dй", "хуй"),  # zero-width characters dropped
        ("сне\u0301г", "снег"),  # stress mark dropped
        ("и\u0306од", "йод"),  # decomposed й composed, not dropped
    ],
    ids=["yo", "case", "fullwidth", "zero-width", "stress", "decomposed-short-i"],
)
def test_normalise(text: str, expected: str) -> None:
    norm, _ = normalise(text)
    assert norm == expected


@pytest.mark.parametrize(
    ("text", "word", "skeleton"),
    [
        ("6ля", "6ля", "бля"),
        ("xyй", "xyй", "хуй"),
        ("бл@ть", "бл@ть", "блать"),
        ("п0л3", "п0л3", "полз"),
        ("хуууууй", "хуууууй", "хуй"),
        ("ПИ-ЗДЕЦ", "ПИ-ЗДЕЦ", "пиздец"),
    ],
    ids=["digit-b", "latin-x-y", "at-sign", "digits-o-z", "repeats", "hyphen"],
)
def test_skeletons_keep_original_offsets(text: str, word: str, skeleton: str) -> None:
    doc = analyze(f"ну {text} же")
    tok = doc.tokens[1]
    assert doc.text[tok.start : tok.end] == word
    assert skeleton in tok.skeletons or tok.skeletons[0].startswith(skeleton[:3])


def test_offsets_survive_invisible_characters() -> None:
    text = "Да\u200b\u200b это х\u0301у\u200bй знает что"
    doc = analyze(text)
    words = [text[t.start : t.end] for t in doc.tokens]
    assert words[0] == "Да"
    assert "х\u0301у\u200bй" in words


def test_lemmas_cover_inflections() -> None:
    assert analyze("Добавьте меня в друзья").lemmas == ("добавить", "я", "в", "друг")


def test_separated_letters_are_joined_for_matching() -> None:
    doc = analyze("вот х.у.й и всё")
    assert any(t.skeletons[0] == "хуй" for t in doc.joined)
    assert "х.у.й" in {doc.text[t.start : t.end] for t in doc.joined}


def test_mixed_script_word_is_read_as_cyrillic() -> None:
    doc = analyze("Спасибо зa pемонт")
    assert [t.text for t in doc.tokens] == ["спасибо", "за", "ремонт"]


def test_dictionary_shortcut_agrees_with_pymorphy3() -> None:
    """The lemma shortcut for dictionary words must pick pymorphy3's own best analysis: checked on every word
    of the project's labelled comments (a pymorphy3 upgrade that changes its ranking fails here)."""
    root = Path(__file__).resolve().parent.parent / "evaluation"
    words: set[str] = set()
    for name in ("dev.jsonl", "train_own.jsonl"):
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            words.update(t.text for t in analyze(json.loads(line)["text"]).words)
    words |= {"стали", "мыла", "печь", "вести", "лечу", "пила", "косой", "белки", "добавьте", "уберите"}
    checked = 0
    for word in sorted(words):
        shortcut = text_module._dictionary_best(word) if len(word) > 1 and word.islower() else None
        if shortcut is None:
            continue
        parse = text_module._morph.parse(word)[0]
        assert shortcut == (parse.normal_form.replace("ё", "е"), "impr" in parse.tag), word
        checked += 1
    assert checked > 3000
