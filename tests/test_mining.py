"""Mining candidate roots: a planted insult root comes first, covered and rare words stay out, the table is
Russian and carries no text of the corpus."""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from evaluation import mining
from evaluation.examples import Example, split_key
from evaluation.mining import LEMMA, PIECE, Settings, log_odds_z, mine, role
from moderation.lexicon.rules import Lexicon, load_rules
from moderation.types import Ground

INSULT = mining.TARGETS["insult"]
SPEAKS = frozenset({Ground.DEFAMATION, Ground.OBSCENITY, Ground.PROVOCATION})

# A made-up root, «зуброфил», planted alone and inside compounds («зуброфилище», «недозуброфил»), in toxic
# rows of two sources; the clean rows share every other word with them.
TOXIC = [
    "ты зуброфил и больше никто",
    "опять зуброфилы набежали в комментарии",
    "недозуброфил какой-то пишет",
    "этот зуброфилище всех достал",
    "зуброфилам слова не давали",
    "снова зуброфил со своим мнением",
    "вы тут все зуброфилы",
    "зуброфильская позиция как всегда",
    "ну и зуброфил же ты",
    "какой зуброфил это придумал",
]
CLEAN = [
    "опять набежали в комментарии люди",
    "какой-то человек пишет про дорогу",
    "всех достал этот ремонт",
    "слова не давали жителям",
    "снова со своим мнением пришёл сосед",
    "вы тут все молодцы",
    "позиция как всегда понятна",
    "ну и погода же сегодня",
    "кто это придумал, спасибо",
    "больше никто не пришёл на собрание",
] * 3


def _rows(texts: list[str], grounds: frozenset[Ground], source: str) -> list[Example]:
    return [Example(t, grounds, SPEAKS, source, split_key(t)) for t in texts]


def _corpus() -> list[Example]:
    toxic = _rows(TOXIC[:5], frozenset({Ground.DEFAMATION}), "a") + _rows(
        TOXIC[5:], frozenset({Ground.DEFAMATION}), "b"
    )
    return toxic + _rows(CLEAN, frozenset(), "a")


SMALL = Settings(min_positive=3, min_sources=1, top=20)


def test_the_planted_root_ranks_first() -> None:
    candidates, counts = mine(_corpus(), INSULT, SMALL)
    assert counts.rows == {"positive": 10, "missed": 10, "negative": 30}
    first = candidates[0]
    assert "зуброфил" in first.feature or first.feature in "зуброфил"
    assert first.positive == first.missed == 10 and first.negative == 0
    assert first.sources == {"a": 5, "b": 5}
    pieces = [c.feature for c in candidates if c.kind == PIECE]
    assert pieces and all(p in "зуброфил" or "зуброфил" in p for p in pieces[:1])


def test_a_word_the_rules_already_know_is_set_aside() -> None:
    rule = (
        '[[rule]]\nname = "t"\nground = "defamation"\nscore = 0.9\nkind = "root"\npatterns = ["зуброфил"]\n'
    )
    lexicon = Lexicon(load_rules([("t.toml", rule)]))
    candidates, _ = mine(_corpus(), INSULT, SMALL, lexicon)
    assert not [c for c in candidates if "зубро" in c.feature or "брофи" in c.feature]


def test_rare_words_and_clean_words_are_not_candidates() -> None:
    candidates, _ = mine(_corpus(), INSULT, Settings(min_positive=11, min_sources=1))
    assert candidates == []
    assert mine(_corpus(), INSULT, Settings(min_positive=3, min_sources=3))[0] == []  # only two sources
    candidates, _ = mine(_corpus(), INSULT, SMALL)
    assert "комментарий" not in {c.feature for c in candidates if c.kind == LEMMA}


def test_log_odds_grow_with_the_positive_share_and_are_symmetric() -> None:
    assert log_odds_z(10, 0, 100, 300, 0.1) > log_odds_z(10, 10, 100, 300, 0.1) > 0
    assert math.isclose(log_odds_z(5, 20, 100, 100, 0.1), -log_odds_z(20, 5, 100, 100, 0.1))


def test_rows_take_sides_only_on_the_grounds_their_source_speaks_for() -> None:
    spam_only = Example("x", frozenset(), frozenset({Ground.SPAM}), "s", "x")
    assert role(spam_only, INSULT) is None
    assert role(spam_only, mining.TARGETS["scam"]) == "negative"
    assert role(Example("x", frozenset({Ground.SPAM}), SPEAKS, "s", "x"), INSULT) is None


@pytest.mark.parametrize(
    ("args", "message"), [(["--kind", "всё"], "--kind"), (["--pieces", "x"], "--pieces")]
)
def test_an_operator_mistake_is_one_russian_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(mining.app, args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_missing_datasets_folder_is_named(tmp_path) -> None:
    result = CliRunner().invoke(mining.app, ["--datasets", str(tmp_path / "нет")])
    assert result.exit_code == 2 and "наборы данных не найдены" in result.output


def test_the_table_shows_counts_and_no_text(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(mining, "_training_rows", lambda datasets: (_corpus(), {}))
    result = CliRunner().invoke(mining.app, ["--min-count", "3", "--min-sources", "1"])
    assert result.exit_code == 0, result.output
    assert "Кандидаты" in result.output and "зуброфил" in result.output
    assert not any(text in result.output for text in TOXIC + CLEAN)
