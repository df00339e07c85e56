"""Public roles: a name within a few words of "президент", "писатель", "пресс-секретарь" names a public
person, whose name is not a citizen's personal data."""

from __future__ import annotations

import re
from functools import lru_cache

from moderation.pii.common import morph

#: How many words either side of a name may say what public role its bearer has.
_ROLE_WINDOW_WORDS = 3
_ROLE_REACH = 80
_WORD = re.compile(r"[А-ЯЁа-яёA-Za-z]+(?:-[А-ЯЁа-яёA-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?\n]")
#: Lemmas of words naming a public role: "президент Путин", "писателя Чарльза Диккенса",
#: "Песков, пресс-секретарь".
ROLE_LEMMAS = frozenset(
    """президент премьер министр губернатор мэр глава депутат сенатор пресс-секретарь генсек
    царь царица император императрица король королева князь канцлер вождь политик лидер генерал маршал
    писатель писательница поэт поэтесса певец певица актёр актриса режиссёр композитор художник
    художница музыкант рэпер телеведущий футболист хоккеист спортсмен чемпион тренер блогер блогерша
    журналист журналистка учёный космонавт бизнесмен миллиардер миллионер олигарх основатель персонаж
    герой героиня руководитель начальник начальница заместитель замглавы директор директриса председатель
    чиновник прокурор судья уполномоченный советник ректор главврач""".replace("ё", "е").split()
)
#: A forebear remembered ("мой прадед Кузнецов Пётр Алексеевич погиб подо Ржевом"): the name of one who
#: died long ago, in a memorial comment, is not a living citizen's personal data.
_FOREBEARS = frozenset(
    ["дед", "дедушка", "прадед", "прадедушка", "прапрадед", "бабушка", "прабабушка", "прапрабабушка"]
)
_MEMORIAL = re.compile(
    r"погиб|воевал|фронт|войн[аеуы]|ветеран|вечная память|светлая память|бессмертн|похоронен|умер|покойн"
    r"|года рождения|\b19[0-4]\d\b",
    re.IGNORECASE,
)
#: Stop words that end the context of a name: "журналист и соседка Петрова Анна" names two people.
_CONTEXT_BREAKS = frozenset({"и", "а", "но", "или", "да"})
#: First names of other languages, transliterated: no Rubtsovsk resident's name is likely among them.


@lru_cache(maxsize=65536)
def _role_forms(word: str) -> tuple[bool, bool]:
    """Whether a word names a public role, and whether it can then stand in the nominative (cached)."""
    role = nominative = False
    for parse in morph().parse(word.lower()):
        lemma = str(parse.normal_form).replace("ё", "е")
        if lemma in ROLE_LEMMAS or any(piece in ROLE_LEMMAS for piece in lemma.split("-")):
            role = True
            nominative = nominative or "nomn" in parse.tag
    return role, nominative


def is_role(word: str) -> bool:
    return _role_forms(word)[0]


def role_near(text: str, start: int, end: int) -> bool:
    """A public role within a few words of the name, in the same sentence.

    Before the name any case will do ("президенту Путину", "пресс-секретарь президента Дмитрий Песков");
    after it only an apposition in the nominative ("Илон Маск, миллиардер"), so that "Петрова Анна
    пожаловалась журналистам" is still a private person.
    """
    for word in reversed(_words_before(text, start)):
        if word.lower() in _CONTEXT_BREAKS:
            break
        if is_role(word):
            return True
    after = text[end : end + _ROLE_REACH]
    stop = _SENTENCE_END.search(after)
    if stop is not None:
        after = after[: stop.start()]
    for word in _WORD.findall(after)[:_ROLE_WINDOW_WORDS]:
        if word.lower() in _CONTEXT_BREAKS:
            break
        if _role_forms(word)[1]:
            return True
    return False


def remembered_forebear(text: str, start: int) -> bool:
    """A grandparent or earlier named just before the name, in a comment that remembers the dead."""
    words = _words_before(text, start)
    forebear = any(str(morph().parse(w.lower())[0].normal_form) in _FOREBEARS for w in words)
    return forebear and _MEMORIAL.search(text) is not None


def _words_before(text: str, start: int) -> list[str]:
    """The few words just before a name, in its sentence."""
    before = text[max(0, start - _ROLE_REACH) : start]
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    return _WORD.findall(before)[-_ROLE_WINDOW_WORDS:]
