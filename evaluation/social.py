"""Loaders of real social-network comments: ok.ru toxic comments, VK comments labelled for sexism.

Read in place from the datasets folder like every other public source; their texts never enter the project.
Neither set is labelled with the clause 2.5 grounds, so each row speaks only for the grounds its label names.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from evaluation.examples import (
    CLEAN_SPEAKS,
    NOT_COMMERCIAL,
    Example,
    clean,
    example,
    is_obscene,
    read_csv,
    read_lines,
    split_key,
    toxic,
)
from moderation.types import Ground

OK_RU = "ok_ru_toxic_sample"
SEXISM_VK = "ru_sexism_vk"
SEXISM_FORUM = "ru_sexism_vk_forum"  # the corpus's forum part, scored apart from the real VK comments

# Both parts are labelled for sexism, not for our grounds: the rows weigh half, like other noisy sources.
_SEXISM_WEIGHT = 0.5
# A reply to one person: VK's mention markup «[id123|Имя]» or a second-person singular pronoun.
_ADDRESSED = re.compile(
    r"\[(?:id|club)\d+\||(?<![а-яё])(?:ты|тебя|тебе|тобой|твой|твоя|твое|твоё|твои)(?![а-яё])"
)


def load_ok_ru(root: Path) -> Iterator[Example]:
    """Toxic only (insult, threat and мат merged by the source): мат makes obscenity, otherwise an insult.

    About 900 lines are also on the toxic side of russe_detox_2022 (read first): those, and lines repeated
    within the file, are skipped so that no comment weighs twice.
    """
    seen = _detox_toxic_keys(root)
    for text in read_lines(root / OK_RU / "ok_toxic_only.txt"):
        key = split_key(text)
        if key and key not in seen:
            seen.add(key)
            yield toxic(text, OK_RU, key=key)


def _detox_toxic_keys(root: Path) -> set[str]:
    keys: set[str] = set()
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        path = root / "russe_detox_2022" / name
        if path.is_file():
            keys.update(split_key(row["toxic_comment"]) for row in read_csv(path, delimiter="\t"))
    return keys


def sexism_example(text: str, label: str, source: str) -> Example | None:
    """One row of the sexism corpus as grounds.

    - racist: provocation (ethnic hatred);
    - sexist: an insult to women as a group provokes conflict (provocation); one aimed at the person replied
      to is an insult to that person (defamation);
    - non_sexist: a clean comment (мат in it still counts as obscenity);
    - sexist_in_co(ntext): sexist only together with a post the corpus does not include, so unused.
    A sexist row speaks for the ground it names and for мат, not for the other one (a generalisation about
    women is not known to be free of a personal insult, and the other way round).
    """
    label = label.strip()
    if label == "non_sexist":
        return clean(text, source, speaks=CLEAN_SPEAKS, weight=_SEXISM_WEIGHT)
    if label == "racist":
        grounds = {Ground.PROVOCATION}
    elif label == "sexist":
        grounds = {Ground.DEFAMATION if _ADDRESSED.search(text.lower()) else Ground.PROVOCATION}
    else:
        return None
    if is_obscene(text):
        grounds.add(Ground.OBSCENITY)
    speaks = grounds | {Ground.OBSCENITY} | NOT_COMMERCIAL
    return example(text, grounds, speaks, source, weight=_SEXISM_WEIGHT)


def _media_rows(path: Path) -> Iterator[tuple[str, str]]:
    """(label, text) of a media file; media_3.csv leaves commas in the text unquoted, so the text is every
    field after the label, joined back, without the file's trailing empty columns."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            if len(row) >= 4:
                yield row[2], ",".join(row[3:]).rstrip(",")


def load_sexism_vk(root: Path) -> Iterator[Example]:
    """Real comments under posts of VK media pages."""
    for name in ("media_1.csv", "media_2.csv", "media_3.csv"):
        for label, text in _media_rows(root / SEXISM_VK / name):
            row = sexism_example(text, label, SEXISM_VK)
            if row is not None and row.text:
                yield row


def load_sexism_forum(root: Path) -> Iterator[Example]:
    """Posts of a misogynist forum, same labels; long posts, so kept apart from the VK comments."""
    for name in ("ant_1.csv", "ant_2.csv"):
        for record in read_csv(root / SEXISM_VK / name):
            row = sexism_example(record["Text"], record["Label"], SEXISM_FORUM)
            if row is not None and row.text:
                yield row


LABEL_MAPPING: dict[str, str] = {
    OK_RU: "all toxic (insult, threat, obscenity merged): obscenity if a мат root is present, else "
    "defamation; lines also in russe_detox_2022's toxic side skipped.",
    SEXISM_VK: "VK media comments. racist: provocation; sexist: defamation when addressed to the person "
    "replied to (VK mention or ты/тебя/твой), else provocation (an insult to women as a group); "
    "non_sexist: clean; sexist_in_co: unused (needs the post). Obscenity added when a мат root is present. "
    "Weight 0.5.",
    SEXISM_FORUM: "forum part of ru_sexism_vk, same mapping as the VK comments. Weight 0.5.",
}
