"""Small made-up training sets and decided cards for the learning-loop tests (no dataset text here)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from evaluation.datasets import Example
from evaluation.metrics import Labelled
from models.store import Store
from moderation.classifier.train import TrainSettings
from moderation.daemon.ports import DecisionRequest, ModeratorChoice
from moderation.daemon.records import DecidedBy, DecisionPlan, Plan
from moderation.types import Action, Ground
from tests.db_fixtures import T0, incoming, verdict

SPAM = frozenset({Ground.SPAM})
TINY = TrainSettings(min_positives=5, min_positives_review_only=5, folds=2, n_jobs=1, min_df=1)

_OFFERS = [
    "Лёгкий заработок",
    "Подработка на дому",
    "Доход без вложений",
    "Удалённая работа",
    "Быстрые деньги",
]
_PAY = ["от 3000 рублей в день", "до 100 тысяч в месяц", "оплата каждый день", "выплаты ежедневно"]
_CONTACT = ["пишите в личку", "подробности в лс", "переходи по ссылке в профиле", "напиши мне скорее"]
_ASK = ["Когда почистят", "Почему не отремонтировали", "Кто отвечает за", "Когда покрасят", "Когда осветят"]
_THING = ["двор", "тротуар", "остановку", "детскую площадку", "дорогу к школе", "сквер"]
_STREET = ["на Комсомольской", "у рынка", "на Алтайской", "возле поликлиники", "на Октябрьской"]


def spam_texts() -> list[str]:
    return [f"{o} {p}, {c}" for o, p, c in itertools.product(_OFFERS, _PAY, _CONTACT)]


def clean_texts() -> list[str]:
    return [f"{a} {t} {s}?" for a, t, s in itertools.product(_ASK, _THING, _STREET)]


def base_rows() -> list[Example]:
    """The "usual" training rows of a test: every fourth spam and clean text, labelled for spam only."""
    spam, clean = spam_texts()[::4], clean_texts()[::4]
    return [Example(t, SPAM, SPAM, "base", f"b{n}") for n, t in enumerate(spam)] + [
        Example(t, frozenset(), SPAM, "base", f"c{n}") for n, t in enumerate(clean)
    ]


def check_rows() -> list[Labelled]:
    """A small check set of its own: spam sent to moderators, city questions kept."""
    spam = [Labelled(f"s{n}", t, None, Action.REVIEW, SPAM) for n, t in enumerate(spam_texts()[1::9])]
    clean = [Labelled(f"k{n}", t, None, Action.KEEP, frozenset()) for n, t in enumerate(clean_texts()[1::9])]
    return spam + clean


def decisions(poisoned: bool) -> list[tuple[str, ModeratorChoice]]:
    """Moderators' decisions, alternating spam and questions; poisoned: spam kept and questions deleted."""
    spam, clean = spam_texts()[2::3], clean_texts()[2::3]
    keep, delete = ModeratorChoice.KEEP, ModeratorChoice.DELETE
    out = []
    for s, c in zip(spam, clean, strict=False):
        out.append((s, keep if poisoned else delete))
        out.append((c, delete if poisoned else keep))
    return out


async def decide(store: Store, decided: list[tuple[str, ModeratorChoice]]) -> None:
    """Record each text as a comment the machine sent to moderators for spam, and the moderator's choice."""
    for n, (said, _) in enumerate(decided, start=1):
        c = incoming(str(n), text=said, author_id=str(1000 + n))
        assert await store.record_comment(c, T0) == 1
        machine = verdict(c.key, Action.REVIEW, Ground.SPAM)
        assert await store.commit_verdict(c.key, 1, machine, DecidedBy.MODEL, None, Plan(card=True), T0)
    items = await store.claim_due(T0, 1000, timedelta(minutes=2))
    cards = sorted(i.card.card_id for i in items if i.card is not None)
    for item in items:
        await store.complete(item.id, T0, message_ref=f"-100:{item.id}", attempt=item.attempts)
    for n, (card_id, (_, choice)) in enumerate(zip(cards, decided, strict=True)):
        at = T0 + timedelta(minutes=n)
        request = DecisionRequest(card_id, choice, "77", at)
        assert (await store.record_decision(request, DecisionPlan(choice), at))[0]
