"""Public labelled Russian datasets and the project's own examples, mapped onto the clause 2.5 grounds.

The public sets are read in place from ``<project root>/../shared/datasets`` (or ``$DOZOR_DATASETS``); their
texts never enter the project tree. None of them is labelled with our grounds, so every source declares
which grounds its labels actually speak for (``Example.labelled``): a row is a positive for ``grounds``, a
negative for ``labelled - grounds`` and says nothing about the rest. Training and scoring of each ground use
only the rows that speak for it, so a toxic comment whose insult is unknown never becomes a "clean" example.

The train/holdout split is a hash of a stable normalisation of the text (of the toxic original, for detox
rewrites), so a text shared by two datasets, or a toxic comment and its polite rewrites, always falls on one
side. ``evaluation/dev.jsonl`` is never trained on: its texts are removed from the training rows.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from evaluation import social
from evaluation.examples import CLEAN_SPEAKS as _CLEAN_SPEAKS
from evaluation.examples import HOLDOUT_PERCENT as HOLDOUT_PERCENT
from evaluation.examples import NOT_COMMERCIAL as _NOT_COMMERCIAL
from evaluation.examples import SPAM_SPEAKS as _SPAM_SPEAKS
from evaluation.examples import Example as Example
from evaluation.examples import clean as clean
from evaluation.examples import example as _ex
from evaluation.examples import is_holdout as is_holdout
from evaluation.examples import is_obscene as is_obscene
from evaluation.examples import read_csv as _csv
from evaluation.examples import read_lines as _lines
from evaluation.examples import split_key as split_key
from evaluation.examples import toxic as toxic
from moderation.types import Ground

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OWN_TRAIN = PROJECT_ROOT / "evaluation" / "train_own.jsonl"
DEV_SET = PROJECT_ROOT / "evaluation" / "dev.jsonl"
CHECK_SET = PROJECT_ROOT / "evaluation" / "check.jsonl"  # written apart from the rules; never trained on
WORLD_SET = PROJECT_ROOT / "evaluation" / "check_world.jsonl"  # written blind to the rules; never trained on

#: Grounds a classifier may learn from these rows. Off-topic depends on the post and is judged by similarity
#: elsewhere. (The shipped classifier also leaves personal data out: see moderation.classifier_train.)
LEARNABLE: frozenset[Ground] = frozenset(g for g in Ground if g is not Ground.OFF_TOPIC)

_G = Ground


class DatasetsMissing(RuntimeError):
    """The shared datasets folder is absent: training and dataset-based evaluation cannot run here."""


@dataclass(slots=True)
class Corpus:
    """Every example found, and why any source was skipped."""

    examples: list[Example] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    dev_overlap_dropped: int = 0


def datasets_root() -> Path:
    return Path(os.environ.get("DOZOR_DATASETS") or PROJECT_ROOT.parent / "shared" / "datasets")


def load_2ch_pikabu(root: Path) -> Iterator[Example]:
    """Noisy binary toxicity: half weight; toxic means insult (or мат), non-toxic is a clean comment."""
    for row in _csv(root / "ru_toxic_2ch_pikabu" / "labeled.csv"):
        text = row["comment"]
        if float(row["toxic"]) >= 0.5:
            yield toxic(text, "ru_toxic_2ch_pikabu", weight=0.5)
        else:
            yield clean(text, "ru_toxic_2ch_pikabu", weight=0.5)


def load_detox(root: Path) -> Iterator[Example]:
    """Toxic originals and their polite rewrites: the rewrites are hard negatives on the same topics."""
    folder = root / "russe_detox_2022"
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        for row in _csv(folder / name, delimiter="\t"):
            original = row["toxic_comment"]
            key = split_key(original)
            yield toxic(original, "russe_detox_2022", key=key)
            for col in ("neutral_comment1", "neutral_comment2", "neutral_comment3"):
                rewrite = (row.get(col) or "").strip()
                if rewrite and split_key(rewrite) != key:
                    yield clean(rewrite, "russe_detox_2022_neutral", key=key)


def load_telegram_spam(root: Path) -> Iterator[Example]:
    for row in _csv(root / "telegram_spam_ru" / "telegram_spam_ru.csv"):
        spam = row["label"].strip() == "1"
        if spam:
            yield _ex(row["message"], {_G.SPAM}, _SPAM_SPEAKS, "telegram_spam_ru")
        else:
            yield clean(row["message"], "telegram_spam_ru", speaks=_SPAM_SPEAKS)


def load_tg_spam_samples(root: Path) -> Iterator[Example]:
    folder = root / "tg_spam_samples"
    for name in ("spam-samples.txt", "testdata_spam_ru.txt"):
        for text in _lines(folder / name):
            yield _ex(text, {_G.SPAM}, _SPAM_SPEAKS, "tg_spam_samples")
    for text in _lines(folder / "ham-samples.txt"):
        yield clean(text, "tg_spam_samples", speaks=_SPAM_SPEAKS)


_RUTOXICON_TYPES: dict[str, Ground] = {
    "general_insult": _G.DEFAMATION,
    "harassment": _G.DEFAMATION,
    "threat": _G.LAW_VIOLATION,
    "profanity": _G.OBSCENITY,
}
_TEXT_ITEM = re.compile(r"<text>(.*?)</text>", re.S)
_TOX_TYPE = re.compile(r"""<tox\b[^>]*?type\s*=\s*"([^"]*)\"""")
_TAG = re.compile(r"<[^>]+>")


def load_rutoxicon(root: Path) -> Iterator[Example]:
    """Typed toxic spans; toxic-only, so each row speaks only for the grounds its types name (plus мат)."""
    raw = (root / "rutoxicon" / "all_toxic_comments.xml").read_text(encoding="utf-8")
    for item in _TEXT_ITEM.findall(raw):
        text = html.unescape(_TAG.sub("", item)).strip()
        kinds = {k.strip() for k in _TOX_TYPE.findall(item)}
        grounds = {_G.PROVOCATION if k.startswith("hate_speech") else _RUTOXICON_TYPES[k] for k in kinds}
        if is_obscene(text):
            grounds.add(_G.OBSCENITY)
        if text and grounds:
            yield _ex(text, grounds, grounds | {_G.OBSCENITY} | _NOT_COMMERCIAL, "rutoxicon")


# Not "suicide": its inappropriate messages mostly discuss suicide rather than promote it, and taught the
# model that the word itself is unlawful.
_LAW_TOPICS = ("terrorism", "weapons", "offline_crime")
_PROVOCATION_TOPICS = ("racism", "religion")
_SNLP_HIGH, _SNLP_LOW = 0.9, 0.2


def snlp_example(text: str, inappropriate: float, topics: set[str], source: str) -> Example | None:
    """A sensitive topic alone is lawful; only a clearly inappropriate message on a law/ethnic topic counts.

    Drug talk is mostly people describing their own use, not selling: never a law_violation positive.
    A clearly appropriate message on any topic is a hard negative (a lawful question about crime is clean).
    """
    if inappropriate <= _SNLP_LOW:
        return clean(text, source, speaks=_CLEAN_SPEAKS)
    if inappropriate < _SNLP_HIGH:
        return None
    grounds = set()
    if topics & set(_LAW_TOPICS):
        grounds.add(_G.LAW_VIOLATION)
    if topics & set(_PROVOCATION_TOPICS):
        grounds.add(_G.PROVOCATION)
    if not grounds:
        return None
    return _ex(text, grounds, grounds | _NOT_COMMERCIAL, source, weight=0.5)


def load_snlp(root: Path) -> Iterator[Example]:
    folder = root / "snlp_inappropriate_sensitive"
    for row in _csv(folder / "v1_appropriateness_val.csv"):
        topics = {k for k, v in row.items() if k not in ("text", "inappropriate") and v == "1"}
        ex = snlp_example(row["text"], float(row["inappropriate"]), topics, "snlp_inappropriate_sensitive")
        if ex is not None:
            yield ex
    for row in _csv(folder / "v2_appropriateness_manual_labelled.csv"):
        score = 1.0 if row["inappropriate"].strip() == "1" else 0.0
        ex = snlp_example(row["text"], score, set(row["topic"].split(",")), "snlp_inappropriate_sensitive")
        if ex is not None:
            yield ex


def load_ru_abusive(root: Path) -> Iterator[Example]:
    """Hate-speech scale 0-3 on negative tweets: 2-3 abusive, 0 a clean complaint, 1 too weak to say."""
    folder = root / "ru_abusive_sariellee"
    for name, delimiter in (("out.csv", ","), ("out_south_park.csv", ";"), ("out_troll.csv", ",")):
        for row in _csv(folder / name, delimiter=delimiter):
            level = row.get("hate_speech", "").strip()
            if level in ("2", "3"):
                yield toxic(row["text"], "ru_abusive_sariellee", weight=0.5)
            elif level == "0":
                yield clean(row["text"], "ru_abusive_sariellee", weight=0.5)


def read_labelled_jsonl(lines: Iterable[str], source: str, weight: float = 3.0) -> Iterator[Example]:
    """The project's own rows {"text", "grounds": [...], ...}: fully labelled, in-domain, so weighted up."""
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        grounds = {Ground(g) for g in row.get("grounds") or ()} & LEARNABLE
        yield _ex(row["text"], grounds, LEARNABLE, source, weight=weight, post_text=row.get("post_text"))


#: How each source's labels become grounds, for the model card. Keep in step with the loaders above.
LABEL_MAPPING: dict[str, str] = {
    "ru_toxic_2ch_pikabu": "toxic=1: obscenity if a мат root is present (insult then unknown), "
    "else defamation; toxic=0: clean (negative for defamation, provocation, law_violation, obscenity, "
    "spam, advertising, engagement_request). Weight 0.5: noisy.",
    "russe_detox_2022": "toxic_comment as for 2ch/pikabu; neutral rewrites: clean hard negatives, split "
    "together with their toxic original.",
    "telegram_spam_ru": "spam=1: spam; spam=0: negative for spam (and for obscenity unless a мат root "
    "is present).",
    "tg_spam_samples": "spam-samples + testdata: spam; ham-samples: negative for spam.",
    "rutoxicon": "general_insult, harassment: defamation; hate_speech:*: provocation; threat: law_violation; "
    "profanity: obscenity. Toxic-only: positives for the named grounds, silent on the others.",
    "snlp_inappropriate_sensitive": "appropriateness v1 val + v2 manual: inappropriate>=0.9 with terrorism, "
    "weapons or offline_crime: law_violation; with racism or religion: provocation (weight 0.5); "
    "inappropriate<=0.2: clean hard negative whatever the topic; drug and suicide talk, politics and the "
    "middle band unused.",
    "ru_abusive_sariellee": "hate_speech 2-3: as toxic (obscenity or defamation); 0: clean complaint; "
    "1: unused. Weight 0.5.",
    **social.LABEL_MAPPING,
    "own": "evaluation/train_own.jsonl: the listed grounds are positives, every other learnable ground "
    "negative. Weight 3: in-domain.",
}

PUBLIC_SOURCES: dict[str, Callable[[Path], Iterator[Example]]] = {
    "ru_toxic_2ch_pikabu": load_2ch_pikabu,
    "russe_detox_2022": load_detox,
    "telegram_spam_ru": load_telegram_spam,
    "tg_spam_samples": load_tg_spam_samples,
    "rutoxicon": load_rutoxicon,
    "snlp_inappropriate_sensitive": load_snlp,
    "ru_abusive_sariellee": load_ru_abusive,
    social.OK_RU: social.load_ok_ru,
    social.SEXISM_VK: social.load_sexism_vk,
    social.SEXISM_FORUM: social.load_sexism_forum,
}


def load_corpus(root: Path | None = None, extra: Iterable[Path] = (), own: Path | None = OWN_TRAIN) -> Corpus:
    """Every source that is present; a missing one is skipped with its reason, a missing root is an error."""
    root = root or datasets_root()
    if not root.is_dir():
        raise DatasetsMissing(f"datasets folder not found: {root} (set DOZOR_DATASETS to point at it)")
    corpus = Corpus()
    for name, loader in PUBLIC_SOURCES.items():
        try:
            corpus.examples.extend(e for e in loader(root) if e.text)
        except FileNotFoundError as exc:
            corpus.skipped[name] = f"missing file {exc.filename}"
    for path, source in [(own, "own"), *((p, f"extra:{p.name}") for p in extra)]:
        if path is None or not path.is_file():
            corpus.skipped[source] = f"not found: {path}"
            continue
        with path.open(encoding="utf-8") as f:
            corpus.examples.extend(read_labelled_jsonl(f, source))
    return corpus


def evaluation_keys(*paths: Path) -> frozenset[str]:
    """Split keys of the evaluation sets (dev, check and world by default), which are never trained on."""
    keys: set[str] = set()
    for path in paths or (DEV_SET, CHECK_SET, WORLD_SET):
        if path.is_file():
            with path.open(encoding="utf-8") as f:
                keys.update(split_key(json.loads(line)["text"]) for line in f if line.strip())
    return frozenset(keys)


def training_split(corpus: Corpus, exclude: frozenset[str] = frozenset()) -> list[Example]:
    """The training side, with any text of the development set removed."""
    rows = [e for e in corpus.examples if not e.holdout]
    kept = [e for e in rows if e.key not in exclude and split_key(e.text) not in exclude]
    corpus.dev_overlap_dropped = len(rows) - len(kept)
    return kept


def holdout_split(corpus: Corpus) -> list[Example]:
    return [e for e in corpus.examples if e.holdout]


def load_training(root: Path | None = None, extra: Iterable[Path] = ()) -> list[Example]:
    return training_split(load_corpus(root, extra), evaluation_keys())


def load_holdout(root: Path | None = None) -> list[Example]:
    return holdout_split(load_corpus(root))


def holdout_by_source(root: Path | None = None) -> dict[str, list[Example]]:
    """Holdout rows grouped by source, for per-dataset reporting."""
    groups: dict[str, list[Example]] = {}
    for e in load_holdout(root):
        groups.setdefault(e.source, []).append(e)
    return groups


def data_hash(rows: Iterable[Example]) -> str:
    """Identifies training data: the same rows, labels and weights give the same hash, in any order."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: (r.key, r.source, r.text)):
        labels = ",".join(sorted(g.value for g in row.grounds)) + "|" + ",".join(sorted(row.labelled))
        digest.update(f"{row.source}\t{row.text}\t{labels}\t{row.weight}\n".encode())
    return digest.hexdigest()


def source_licence(source: str, root: Path | None = None) -> str:
    """The licence statement of a dataset's SOURCE.txt, so the model card names what the data allows."""
    if source == "own" or source.startswith("extra:"):
        return "the project's own text"
    folder = social.SEXISM_VK if source == social.SEXISM_FORUM else source
    path = (root or datasets_root()) / folder / "SOURCE.txt"
    if not path.is_file():
        return "unknown"
    found: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if found and line.startswith((" ", "\t")):  # the statement goes on on an indented line
            found.append(line.strip())
        elif found:
            break
        elif line.lower().startswith("licence"):
            found.append(line.split(":", 1)[1].strip())
    return " ".join(found).replace("|", "/") or "unknown"
