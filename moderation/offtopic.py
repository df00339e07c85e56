"""Off-topic: how far a comment is from the post it answers. Never deletes on its own (REVIEW_ONLY)."""

from __future__ import annotations

from moderation.text import Doc
from moderation.types import Evidence, Ground, Span

# Words that tie any comment to the life of the city: a comment using them is on the page's topic even when
# the post is about something else (a question about potholes under a post about a concert is a citizen's
# appeal, not off-topic).
CIVIC = frozenset(
    "город городской администрация мэр глава чиновник депутат власть дорога улица двор дом подъезд остановка "
    "автобус маршрут транспорт школа сад детсад садик больница поликлиника врач отопление батарея вода свет "
    "электричество газ мусор снег уборка ремонт яма тротуар парк сквер площадь жкх ук управляющий тариф "
    "квартира жилец житель район округ благоустройство освещение фонарь светофор пешеход собака приют "
    "праздник мероприятие концерт спорт бюджет налог пенсия пенсионер ветеран работа зарплата дети ребенок "
    "обращение жалоба ответ вопрос помощь спасибо благодарность поздравлять поздравление рубцовск"
    .split()
)  # fmt: skip
_CONTENT_MIN = 5  # shorter comments ("когда?", "спасибо") are never judged off-topic
_SCORE = 0.72


def _content(doc: Doc) -> set[str]:
    return {t.lemma for t in doc.words if len(t.lemma) > 3 and t.lemma.isalpha()}


def off_topic(comment: Doc, post: Doc | None) -> Evidence | None:
    """Evidence when a substantial comment shares no content word with its post and none of the city's life."""
    if post is None or not post.text.strip():
        return None
    words = _content(comment)
    if len(words) < _CONTENT_MIN or words & CIVIC:
        return None
    post_words = _content(post)
    if not post_words or words & post_words:
        return None
    span = Span(0, len(comment.text))
    return Evidence("offtopic.no_overlap", Ground.OFF_TOPIC, _SCORE, (span,), "комментарий не связан с постом")
