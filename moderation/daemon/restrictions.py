"""Restrictions of the authors of deleted comments (clause 2.5: «ограничиваются ... в порядке, определенном
правилами использования соответствующей социальной сети»), and the texts the author reads about it.

By default the serious grounds restrict from the first deletion on and every ground escalates on repeats
(moderation.config.EscalationPolicy); what the author is told cites the clause in plain Russian
(moderation.config.CitizenTexts).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from moderation.clauses import clause_of
from moderation.config import CitizenTexts, EscalationPolicy
from moderation.daemon.ports import IncomingComment, Restriction
from moderation.types import Ground

DEFAULT_TEXTS = CitizenTexts()
NOTICE_LIMIT = 300  # VK keeps a ban comment short, and so does the store
NAME_MARK = "\x00name\x00"  # where a notice names its author: each platform puts its own mention there


def restriction_for(
    policy: EscalationPolicy,
    prior_violations: int,
    comment: IncomingComment,
    ground: Ground,
    now: datetime,
    texts: CitizenTexts = DEFAULT_TEXTS,
    tz: tzinfo | None = None,
) -> Restriction | None:
    """The restriction the policy sets for this comment's author, or None when deletion alone suffices."""
    days = policy.days_for(prior_violations, ground)
    if days == 0:
        return None
    return restriction_of_days(comment, ground, days, now, texts, tz)


def restriction_of_days(
    comment: IncomingComment,
    ground: Ground,
    days: int,
    now: datetime,
    texts: CitizenTexts = DEFAULT_TEXTS,
    tz: tzinfo | None = None,
) -> Restriction:
    """A restriction of the comment's author on its page for `days` days from `now`."""
    until = now + timedelta(days=days)
    return Restriction(
        platform=comment.platform,
        page_id=comment.page_id,
        author_id=comment.author_id,
        until=until,
        ground=ground,
        comment=citizen_text(texts.ban_comment, ground, until, comment.author_name, tz, restricted=True)[
            :NOTICE_LIMIT
        ],
        author_is_chat=comment.author_is_chat,
    )


def until_words(until: datetime | None, tz: tzinfo | None) -> str:
    """«до 12.12.2026 14:00» in the configured time zone, or «бессрочно»."""
    if until is None:
        return "бессрочно"
    local = until.astimezone(tz) if tz is not None else until
    return f"до {local:%d.%m.%Y %H:%M}"


def citizen_text(
    template: str,
    ground: Ground,
    until: datetime | None,
    name: str | None,
    tz: tzinfo | None,
    restricted: bool = False,
) -> str:
    """A configured text with its placeholders filled: clause, the regulation's words, end, name."""
    clause = clause_of(ground)
    return template.format(
        clause=clause.ref,
        ground=clause.words,
        until=until_words(until, tz) if restricted else "",
        name=name or "Уважаемый автор",
    ).strip()
