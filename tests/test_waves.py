"""Spam waves in the core: signatures of the normalised words, the bounded index with its scope, and the
verdict a match leads to within the policy (written texts only; no dataset sentences)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.config import DEFAULT_THRESHOLDS, Thresholds
from moderation.types import Action, Evidence, Ground, Platform, Verdict
from moderation.waves.index import Wave, WaveIndex, WaveKind, WaveMatch
from moderation.waves.signature import from_bytes, minhash, shingles, to_bytes
from moderation.waves.verdicts import amend, is_wave

T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
SPAM = (
    "Срочно нужны люди на удалённую работу, оплата каждый день от трёх тысяч рублей, опыт не нужен, "
    "обучение бесплатное, пишите в личные сообщения или звоните по номеру +7 913 555-12-34"
)
# the same offer: two words changed, emoji added, another phone number
SPAM_VARIANT = (
    "Срочно нужны люди на удалённую работу 🔥🔥, оплата каждый день от пяти тысяч рублей, опыт не нужен, "
    "обучение бесплатное, пишите в личные сообщения или звоните на номер 8 (999) 777-00-11 💰"
)
UNRELATED = (
    "Подскажите пожалуйста, когда на улице Комсомольской наконец отремонтируют ливнёвку, "
    "после каждого дождя весь двор стоит в воде и дети не могут пройти в школу"
)
PAGE_A = (Platform.VK, "111")
PAGE_B = (Platform.TELEGRAM, "-100222")


def wave(n: int, text: str, kind: WaveKind = WaveKind.DELETE, page: tuple[Platform, str] = PAGE_A,
         at: datetime = T0, grounds: tuple[Ground, ...] = (Ground.SPAM,)) -> Wave:  # fmt: skip
    return Wave(n, kind, grounds, page[0], page[1], f"vk:111:{n}", at, at, minhash(shingles(text)))


def index(capacity: int = 100) -> WaveIndex:
    return WaveIndex(0.8, capacity, timedelta(days=30))


def look(
    idx: WaveIndex, text: str, page: tuple[Platform, str] = PAGE_B, at: datetime = T0
) -> WaveMatch | None:
    return idx.match(minhash(shingles(text)), page[0], page[1], at)


def test_shingles_are_lemmas_with_numbers_and_emoji_folded() -> None:
    a, b = shingles(SPAM), shingles(SPAM_VARIANT)
    assert "<число>" in a and not any("🔥" in item for item in b)
    assert "работа" in a, "words by their lemma"
    assert len(a & b) / len(a | b) >= 0.8
    assert len(shingles("Спасибо!")) == 1


def test_signature_is_512_bytes_and_reads_back() -> None:
    signature = minhash(shingles(SPAM))
    data = to_bytes(signature)
    assert len(data) == 512 and from_bytes(data).jaccard(signature) == 1.0
    with pytest.raises(ValueError, match="512"):
        from_bytes(data[:100])


def test_a_deletion_matches_its_variant_on_every_page_but_not_an_unrelated_text() -> None:
    idx = index()
    idx.add(wave(1, SPAM))
    match = look(idx, SPAM_VARIANT, PAGE_B)
    assert match is not None and match.wave.id == 1 and match.similarity >= 0.8
    assert match.wave.hits == 1 and match.wave.last_hit_at == T0
    assert look(idx, UNRELATED) is None


def test_a_keep_holds_on_its_own_page_only() -> None:
    idx = index()
    idx.add(wave(1, SPAM, WaveKind.KEEP, PAGE_A))
    assert look(idx, SPAM_VARIANT, PAGE_B) is None
    assert look(idx, SPAM_VARIANT, PAGE_A) is not None


def test_moderators_beat_automatic_and_the_latest_decision_wins() -> None:
    idx = index()
    idx.add(wave(1, SPAM, WaveKind.AUTO, at=T0 + timedelta(days=2)))
    idx.add(wave(2, SPAM, WaveKind.DELETE, at=T0))
    match = look(idx, SPAM_VARIANT, PAGE_A, T0 + timedelta(days=3))
    assert match is not None and match.wave.id == 2
    idx.add(wave(3, SPAM, WaveKind.KEEP, PAGE_A, at=T0 + timedelta(days=1)))
    match = look(idx, SPAM_VARIANT, PAGE_A, T0 + timedelta(days=3))
    assert match is not None and match.wave.kind is WaveKind.KEEP


def test_the_least_recently_matched_is_forgotten_beyond_capacity() -> None:
    idx = index(capacity=2)
    idx.add(wave(1, SPAM))
    idx.add(wave(2, UNRELATED))
    assert look(idx, SPAM_VARIANT, at=T0 + timedelta(hours=1)) is not None  # 1 is now the most recent
    evicted = idx.add(
        wave(3, "Продаю гараж в кооперативе Северный, кирпичный, с ямой и светом, недорого, торг")
    )
    assert evicted == [2] and len(idx) == 2 and 1 in idx and 3 in idx
    assert look(idx, UNRELATED) is None


def test_signatures_expire_with_the_age_of_their_decision() -> None:
    idx = index()
    idx.add(wave(1, SPAM))
    assert look(idx, SPAM_VARIANT, at=T0 + timedelta(days=31)) is None, "too old to match"
    assert idx.expire(T0 + timedelta(days=31)) == [1] and len(idx) == 0


def _review(ground: Ground, score: float = 0.7) -> Verdict:
    evidence = (Evidence(f"lexicon:{ground.value}", ground, score),)
    return Verdict("c", Action.REVIEW, (ground,), {ground: score}, evidence)


def _match(kind: WaveKind, grounds: tuple[Ground, ...] = (Ground.SPAM,)) -> WaveMatch:
    return WaveMatch(wave(1, SPAM, kind, grounds=grounds, at=datetime(2026, 12, 5, 3, 0, tzinfo=UTC)), 0.9)


def test_a_deletion_wave_deletes_with_a_reason_a_moderator_reads() -> None:
    clean = Verdict("c", Action.KEEP, ())
    amended = amend(clean, _match(WaveKind.DELETE), DEFAULT_THRESHOLDS, UTC)
    assert amended.action is Action.DELETE and amended.grounds == (Ground.SPAM,) and is_wave(amended)
    [item] = amended.evidence
    assert item.detail == "похож на комментарий, удалённый модератором как спам 05.12.2026"
    advert = amend(clean, _match(WaveKind.DELETE, (Ground.ADVERTISING,)), DEFAULT_THRESHOLDS, UTC)
    assert advert.evidence[0].detail.startswith("похож на комментарий, удалённый модератором как реклама")


def test_the_configured_thresholds_still_decide() -> None:
    never = {**DEFAULT_THRESHOLDS, Ground.SPAM: Thresholds(delete=1.01, review=0.6)}
    amended = amend(Verdict("c", Action.KEEP, ()), _match(WaveKind.DELETE), never, UTC)
    assert amended.action is Action.REVIEW


def test_review_only_grounds_are_never_deleted_by_a_wave() -> None:
    amended = amend(
        _review(Ground.OFF_TOPIC, 0.9), _match(WaveKind.DELETE, (Ground.OFF_TOPIC,)), DEFAULT_THRESHOLDS
    )
    assert amended.action is Action.REVIEW and not is_wave(amended), "off_topic never starts a wave"


def test_an_automatic_wave_sends_to_moderators_only() -> None:
    amended = amend(Verdict("c", Action.KEEP, ()), _match(WaveKind.AUTO), DEFAULT_THRESHOLDS, UTC)
    assert amended.action is Action.REVIEW and amended.grounds == (Ground.SPAM,)
    assert "удалённый автоматически как спам" in amended.evidence[0].detail


def test_a_keep_wave_drops_the_rejected_grounds_and_only_those() -> None:
    kept = amend(_review(Ground.SPAM), _match(WaveKind.KEEP), DEFAULT_THRESHOLDS, UTC)
    assert kept.action is Action.KEEP and kept.grounds == ()
    assert kept.evidence[-1].detail == "похож на комментарий, оставленный модератором 05.12.2026"
    other = amend(_review(Ground.OBSCENITY), _match(WaveKind.KEEP), DEFAULT_THRESHOLDS, UTC)
    assert other.action is Action.REVIEW and other.grounds == (Ground.OBSCENITY,)
    # a kept text vouches for nothing but spam and advertising: a мат word added to it is judged as ever
    kept_obscene = _match(WaveKind.KEEP, (Ground.SPAM, Ground.OBSCENITY))
    obscene = amend(_review(Ground.OBSCENITY, 0.9), kept_obscene, DEFAULT_THRESHOLDS, UTC)
    assert obscene.action is Action.REVIEW and obscene.grounds == (Ground.OBSCENITY,)
