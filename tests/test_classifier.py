"""The classifier: features, training, the code-free model format, the shipped model, the dataset loaders."""

from __future__ import annotations

import io
import math
import pickle
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from evaluation import datasets as ds
from moderation.classifier.arrays import ModelFormatError, dumps, load
from moderation.classifier.model import Classifier, char_terms, char_words, default_model_path, word_terms
from moderation.classifier.train import TrainSettings, train
from moderation.text.analysis import analyze
from moderation.types import Ground

SPAM_TRAIN = [
    "Заработок в интернете от 5000 рублей в день, пишите в личные сообщения",
    "Ищу партнёров для удалённой работы, доход от 100 тысяч, подробности в лс",
    "Срочно нужны люди на подработку, оплата каждый день, пиши мне в личку",
    "Пассивный доход без вложений! Переходи по ссылке в профиле",
    "Набираю команду для заработка на криптовалюте, обучение бесплатно, пишите",
    "Удалённая работа для всех, от 3 часов в день, доход гарантирован, в лс",
    "Лёгкий заработок с телефона, 2000 рублей за час, напиши мне",
    "Предлагаю сотрудничество, стабильный доход на дому, пишите в личку",
]
CLEAN_TRAIN = [
    "Когда почистят снег во дворе на улице Комсомольской?",
    "Подскажите, где можно записаться на приём к главе города?",
    "Спасибо за ремонт дороги, стало гораздо лучше",
    "Почему до сих пор не вывезли мусор с контейнерной площадки?",
    "Во сколько начнётся праздничный концерт на площади?",
    "Когда включат отопление в домах на Алтайской улице?",
    "Скажите пожалуйста, автобус номер пять будет ходить по новому расписанию?",
    "Благодарю коммунальные службы за быструю работу",
]
OBVIOUS_SPAM = [
    "Требуются сотрудники на удалённую работу, доход от 3000 рублей в день, пишите в личные сообщения!",
    "Заработок в интернете без вложений, 100 000 в месяц, подробности в лс",
]
POLITE_QUESTIONS = [
    "Здравствуйте! Подскажите, пожалуйста, когда будут убирать снег на улице Ленина?",
    "Добрый день, когда почистят тротуары от снега возле школы номер 9?",
]


@dataclass(frozen=True)
class Row:
    grounds: frozenset[Ground]
    labelled: frozenset[Ground]
    weight: float = 1.0


SPAM_ONLY = frozenset({Ground.SPAM})


@pytest.fixture(scope="module")
def tiny() -> tuple[Classifier, dict[Ground, str]]:
    docs = [analyze(t) for t in SPAM_TRAIN + CLEAN_TRAIN]
    rows = [Row(SPAM_ONLY, SPAM_ONLY)] * len(SPAM_TRAIN) + [Row(frozenset(), SPAM_ONLY)] * len(CLEAN_TRAIN)
    settings = TrainSettings(min_positives=5, min_positives_review_only=5, folds=2, n_jobs=1, min_df=1)
    return train(docs, rows, settings, grounds=(Ground.SPAM, Ground.DEFAMATION))


def test_tiny_model_separates_spam_from_a_clean_question(tiny: tuple[Classifier, dict[Ground, str]]) -> None:
    classifier, _ = tiny
    spam, question = classifier.scores_batch(
        [analyze("Работа на дому, доход от 4000 рублей в день, пишите в личку"), analyze(POLITE_QUESTIONS[0])]
    )
    assert spam[Ground.SPAM] > 0.5 > question[Ground.SPAM]
    assert spam[Ground.SPAM] - question[Ground.SPAM] > 0.3


def test_a_ground_without_examples_gets_no_model(tiny: tuple[Classifier, dict[Ground, str]]) -> None:
    classifier, status = tiny
    assert classifier.grounds == (Ground.SPAM,)
    assert status[Ground.DEFAMATION].startswith("без модели")
    assert Ground.DEFAMATION not in classifier.scores(analyze("любой текст"))


def test_save_and_load_give_identical_scores(tiny: tuple[Classifier, dict[Ground, str]]) -> None:
    classifier, _ = tiny
    docs = [analyze(t) for t in [*OBVIOUS_SPAM, *POLITE_QUESTIONS, "", "😀", "x" * 3000]]
    blob = dumps(classifier.with_meta({"trained_at": "2026-01-01T00:00:00+00:00", "note": "тест"}))
    for loaded in (load(blob), load(io.BytesIO(blob))):
        assert loaded.scores_batch(docs) == classifier.scores_batch(docs)
        assert loaded.grounds == classifier.grounds
    assert load(blob).meta["note"] == "тест"


def test_features_equal_a_plain_tf_idf_reference(tiny: tuple[Classifier, dict[Ground, str]]) -> None:
    """The vectorised transform must compute exactly the documented TF-IDF, or training and scoring drift."""
    space = tiny[0].space
    texts = ["Заработок, заработок и ещё раз заработок в интернете", "", "снег снег", "з а р а б о т о к",
             "ЗАРАБОТОК!!! 😀 zarabotok 5000р", "работ" * 400, "а б в г д е"]  # fmt: skip
    docs = [analyze(t) for t in texts]
    matrix = space.transform(docs).toarray()
    word_columns = {t: i for i, t in enumerate(space.words)}
    char_columns = {t: len(space.words) + i for i, t in enumerate(space.chars)}
    for row, doc in enumerate(docs):
        expected = np.zeros(space.size)
        chars = [g for w in char_words(doc.norm) for g in char_terms(w)]
        for terms, columns in ((word_terms(doc.lemmas), word_columns), (chars, char_columns)):
            counts = Counter(t for t in terms if t in columns)
            block = np.zeros(space.size)
            for term, n in counts.items():
                block[columns[term]] = (1 + math.log(n)) * space.idf[columns[term]]
            norm = np.linalg.norm(block)
            expected += block / norm if norm else block
        np.testing.assert_allclose(matrix[row], expected, rtol=1e-12, atol=1e-12)


def test_loading_never_calls_pickle(tiny: tuple[Classifier, dict[Ground, str]], monkeypatch) -> None:
    blob = dumps(tiny[0])

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model loader must not unpickle")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    assert load(blob).grounds == (Ground.SPAM,)


PWNED: list[str] = []


def _pwn() -> str:
    PWNED.append("code ran")
    return "pwned"


class Payload:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _pwn, ()


def _archive(**arrays: object) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(lambda: pickle.dumps(Payload()), id="bare-pickle"),
        pytest.param(
            lambda: _archive(
                meta=np.array([Payload()], dtype=object),
                idf=np.zeros(1),
                coef=np.zeros((1, 0), dtype=np.float32),
                intercept=np.zeros(0),
                platt=np.zeros((0, 2)),
            ),
            id="object-array-in-npz",
        ),
        pytest.param(lambda: _archive(evil=np.array([Payload()], dtype=object)), id="unknown-array"),
        pytest.param(lambda: b"not a model at all", id="garbage"),
        pytest.param(lambda: _archive(meta=np.frombuffer(b"{}", dtype=np.uint8)), id="missing-arrays"),
    ],
)
def test_a_hostile_model_file_is_refused_without_running_code(blob) -> None:
    PWNED.clear()
    with pytest.raises(ModelFormatError):
        load(blob())
    assert PWNED == []


def test_a_tampered_vocabulary_is_refused(tiny: tuple[Classifier, dict[Ground, str]]) -> None:
    with np.load(io.BytesIO(dumps(tiny[0])), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["coef"] = arrays["coef"][:-1]
    with pytest.raises(ModelFormatError):
        load(_archive(**arrays))


@pytest.mark.parametrize(
    ("precision", "shipped"), [(0.3, False), (0.8, True)], ids=["mostly-wrong", "mostly-right"]
)
def test_a_ground_ships_only_if_its_review_flags_are_mostly_right(
    tiny, precision: float, shipped: bool
) -> None:
    from dozor.commands.train import DROPPED, SHIPPED, GroundFigures, holdout_gate

    classifier, _ = tiny
    status = {Ground.SPAM: "trained"}
    figures = {Ground.SPAM: GroundFigures(20, 100, {"review": (0.6, precision, 0.5, 0.5)}, 0.5)}
    kept = holdout_gate(classifier, figures, status)
    assert classifier.only(kept).grounds == ((Ground.SPAM,) if shipped else ())
    assert status[Ground.SPAM].startswith(SHIPPED if shipped else DROPPED)


# --- the shipped model -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    path = default_model_path()
    assert path.is_file(), f"the shipped model is missing at {path}: run `dozor train`"
    started = time.perf_counter()
    classifier = load(path.read_bytes())
    assert time.perf_counter() - started < 1.0
    return classifier


def test_shipped_model_is_small_and_knows_the_main_grounds(shipped: Classifier) -> None:
    assert default_model_path().stat().st_size < 25_000_000
    assert {Ground.SPAM, Ground.DEFAMATION, Ground.OBSCENITY} <= set(shipped.grounds)
    assert Ground.OFF_TOPIC not in shipped.grounds
    assert shipped.meta["training_data_sha256"]


@pytest.mark.parametrize("text", OBVIOUS_SPAM, ids=["remote-job", "no-investment"])
def test_shipped_model_scores_obvious_spam_high(shipped: Classifier, text: str) -> None:
    assert shipped.scores(analyze(text))[Ground.SPAM] >= 0.85


@pytest.mark.parametrize("text", POLITE_QUESTIONS, ids=["lenina", "school-9"])
def test_shipped_model_scores_a_polite_snow_question_low(shipped: Classifier, text: str) -> None:
    scores = shipped.scores(analyze(text))
    assert max(scores.values()) < 0.35, scores


def test_shipped_model_is_fast_in_batches(shipped: Classifier) -> None:
    """A regression guard far below the measured figure (see MODEL_CARD.md): 5,000/s is the budget.

    CPU time of this thread, best of three, so other tests' threads and other processes do not count.
    """
    docs = [analyze(t) for t in OBVIOUS_SPAM + POLITE_QUESTIONS + CLEAN_TRAIN + SPAM_TRAIN] * 40
    shipped.scores_batch(docs)
    rates = []
    for _ in range(3):
        started = time.thread_time()
        shipped.scores_batch(docs)
        rates.append(len(docs) / max(time.thread_time() - started, 1e-9))
    assert max(rates) > 2_500


# --- dataset loaders ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> ds.Corpus:
    root = ds.datasets_root()
    if not root.is_dir():
        pytest.skip(f"public datasets not found at {root} (set DOZOR_DATASETS): loader tests need them")
    return ds.load_corpus(root)


def test_missing_datasets_folder_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DOZOR_DATASETS", str(tmp_path / "absent"))
    with pytest.raises(ds.DatasetsMissing, match="DOZOR_DATASETS"):
        ds.load_training()


def test_a_missing_source_is_skipped_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "tg_spam_samples").mkdir()
    (tmp_path / "tg_spam_samples" / "spam-samples.txt").write_text("Заработок в лс\n", encoding="utf-8")
    (tmp_path / "tg_spam_samples" / "testdata_spam_ru.txt").write_text("", encoding="utf-8")
    (tmp_path / "tg_spam_samples" / "ham-samples.txt").write_text("привет\n", encoding="utf-8")
    corpus = ds.load_corpus(tmp_path, own=None)
    assert [e.grounds for e in corpus.examples] == [SPAM_ONLY, frozenset()]
    assert "missing file" in corpus.skipped["telegram_spam_ru"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("Дебилы, бл...", "дебилы бл"), ("Ёлка  стоит!", "елка стоит"), ("Снег\nНЕ убран?", "снег не убран")],
)
def test_split_ignores_case_yo_and_punctuation(a: str, b: str) -> None:
    assert ds.split_key(a) == ds.split_key(b)
    assert ds.is_holdout(ds.split_key(a)) == ds.is_holdout(ds.split_key(b))


@pytest.mark.parametrize(
    ("word", "obscene"),
    [
        ("нахуй", True), ("охуеть", True), ("пиздец", True), ("заебал", True), ("долбоеб", True),
        ("блять", True), ("ёб твою", True), ("выёбываться", True), ("наебывают", True), ("взъебёт", True),
        ("пизжу", True), ("пздц", True), ("требы", False), ("спиздить", True),
        ("колебаться", False), ("страхуй", False), ("застрахую", False), ("себе", False),
        ("небо", False), ("хулиган", False), ("похуже", False), ("оскорблять", False), ("употреблять", False),
        ("бляха-муха", False), ("колебание", False), ("хлебать", False),
    ],
)  # fmt: skip
def test_obscene_root_labelling_aid(word: str, obscene: bool) -> None:
    assert ds.is_obscene(word) is obscene


def test_own_rows_are_fully_labelled_and_off_topic_is_not_learned() -> None:
    lines = [
        '{"id": "1", "text": "Голосуйте за мой рисунок!", "grounds": ["engagement_request"]}',
        '{"id": "2", "text": "Какой сериал посмотреть?", "action": "review", "grounds": ["off_topic"]}',
        '{"id": "3", "text": "Мой номер 8 913 000-00-00", "grounds": ["personal_data"]}',
    ]
    first, second, third = ds.read_labelled_jsonl(lines, "own")
    assert first.grounds == {Ground.ENGAGEMENT_REQUEST} and first.labelled == ds.LEARNABLE
    assert second.grounds == frozenset() and Ground.OFF_TOPIC not in second.labelled
    assert third.grounds == {Ground.PERSONAL_DATA}


def test_the_shipped_classifier_leaves_personal_data_to_the_detectors() -> None:
    from moderation.classifier.train import LEARNABLE_DEFAULT

    assert Ground.PERSONAL_DATA not in LEARNABLE_DEFAULT and Ground.OFF_TOPIC not in LEARNABLE_DEFAULT


@pytest.mark.parametrize(
    ("inappropriate", "topics", "expected"),
    [
        (1.0, {"terrorism"}, {Ground.LAW_VIOLATION}),
        (1.0, {"drugs"}, None),  # drug talk is not drug selling
        (1.0, {"politics"}, None),  # sharp politics is not a ground
        (0.0, {"offline_crime"}, set()),  # a lawful question about crime is clean
        (0.5, {"racism"}, None),
    ],
)
def test_sensitive_topics_become_grounds_only_when_clearly_inappropriate(
    inappropriate, topics, expected
) -> None:
    example = ds.snlp_example("текст", inappropriate, topics, "snlp")
    assert (None if example is None else set(example.grounds)) == expected


def test_every_public_source_loads(corpus: ds.Corpus) -> None:
    sources = {e.source.removesuffix("_neutral") for e in corpus.examples}
    assert set(ds.PUBLIC_SOURCES) <= sources
    assert not {k: v for k, v in corpus.skipped.items() if k in ds.PUBLIC_SOURCES}


def test_detox_rewrites_fall_on_the_side_of_their_original(corpus: ds.Corpus) -> None:
    by_key: dict[str, set[bool]] = {}
    for e in corpus.examples:
        if e.source.startswith("russe_detox_2022"):
            by_key.setdefault(e.key, set()).add(e.holdout)
    assert all(len(sides) == 1 for sides in by_key.values())
    share = sum(e.holdout for e in corpus.examples) / len(corpus.examples)
    assert 0.17 < share < 0.23


def test_training_never_sees_the_development_set(corpus: ds.Corpus) -> None:
    dev = ds.evaluation_keys()
    if not dev:
        pytest.skip("evaluation/dev.jsonl not present")
    training = ds.training_split(corpus, dev)
    assert not {e.key for e in training} & dev
