"""Clause 2.1 (at least N posts a week) and clause 2.3 (the mix of forms: photo, video, polls, hashtags)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from models.values import CheckName, CheckResult, Post, PostKind, Problem, Status
from monitor.checks.deps import CheckDeps, Week, week_of
from monitor.ports import PageRef
from monitor.wording import posts_word

HASHTAG = re.compile(r"(?<![\w#])#[\w\d_]+", re.UNICODE)
HASHTAGS = "hashtags"


def post_mix(posts: Sequence[Post]) -> dict[str, int]:
    """How many posts used each form; a post with a photo and a hashtag counts in both."""
    mix: Counter[str] = Counter()
    for post in posts:
        kinds = post.kinds or frozenset({PostKind.TEXT})
        mix.update(kind.value for kind in kinds)
        if HASHTAG.search(post.text):
            mix[HASHTAGS] += 1
    return dict(mix)


def mix_hint(count: int, mix: dict[str, int]) -> str | None:
    """A gentle suggestion when a page posts only plain text (clause 2.3 recommends varied forms)."""
    visual = sum(mix.get(k.value, 0) for k in (PostKind.PHOTO, PostKind.VIDEO, PostKind.POLL))
    if count >= 3 and visual == 0:
        return "Все публикации недели без фото, видео и опросов: п. 2.3 рекомендует разнообразить формы."
    return None


async def check_posting_rate(deps: CheckDeps, page: PageRef, now: datetime) -> CheckResult:
    """Posts in the ISO week of `now` (or the week just ended, when `now` is its end) against the target.

    A finished week below target fails. Mid-week the check warns only when the page is behind an even pace by
    at least one whole post, so Monday morning is not an alarm.
    """
    week = week_of(now, deps.config.tz)
    if now == week.start:  # exactly at a boundary the week that just ended is the one to judge
        week = week.previous()
    until = min(now, week.end)
    posts = list(await deps.source.posts(page, week.start, until))
    return evaluate_week(page.key, posts, deps.config.posts_per_week, week, now)


def evaluate_week(page_key: str, posts: list[Post], target: int, week: Week, now: datetime) -> CheckResult:
    """The verdict on a week's posts; pure so the digest can reuse it for any week."""
    count = len(posts)
    mix = post_mix(posts)
    elapsed = week.elapsed(now)
    data: dict[str, object] = {"week": week.label, "count": count, "target": target, "mix": mix}
    if hint := mix_hint(count, mix):
        data["mix_hint"] = hint
    status, summary, problems = _judge(count, target, elapsed)
    if 0 < elapsed < 1:
        data["projected"] = round(count / elapsed, 1) if elapsed > 0.05 else None
    return CheckResult(page_key, CheckName.POSTING, status, summary, now, tuple(problems), data)


def _judge(count: int, target: int, elapsed: float) -> tuple[Status, str, list[Problem]]:
    if count >= target:
        return Status.OK, f"{posts_word(count)} за неделю при норме {target}", []
    missing = target - count
    if elapsed >= 1:
        fix = f"Публиковать не менее {target} материалов в неделю (п. 2.1): за неделю не хватило {missing}."
        problem = Problem("posts", "behind", fix, expected=str(target), found=str(count))
        return Status.FAIL, f"{posts_word(count)} за неделю при норме {target}", [problem]
    due_by_now = math.floor(target * elapsed)
    if count < due_by_now:
        fix = f"До конца недели нужно ещё {posts_word(missing)}, иначе норма п. 2.1 не будет выполнена."
        problem = Problem("posts", "behind", fix, expected=f"{due_by_now} к этому дню", found=str(count))
        return (
            Status.WARNING,
            f"Отставание: {posts_word(count)}, к этому дню ожидалось {due_by_now}",
            [problem],
        )
    return Status.OK, f"{posts_word(count)}, идёт по графику (норма {target} в неделю)", []
