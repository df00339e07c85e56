"""The daemon's comment handler returns only once a comment is durably recorded.

A database that is down or locked raises (the worker keeps the comment and retries: intake stops rather than
drops); a failure of the moderation core on one comment does not hold intake up once the comment is recorded
(it stays undecided and is decided at the next start).
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from dozor.app import Daemon
from dozor.config import Settings
from dozor.platforms import PlatformSet
from models.store import Store
from moderation.config import Mode
from moderation.daemon.pipeline import Pipeline
from moderation.types import Comment, Verdict
from tests.db_fixtures import incoming
from tests.pipeline_fakes import FakeReview, classify


def daemon_over(store: Store, poison: str = "") -> Daemon:
    def judge(comment: Comment) -> Verdict:
        if poison and poison in comment.text:
            raise RecursionError("maximum recursion depth exceeded")
        return classify(comment)

    return Daemon(Settings(), store, Pipeline(judge, store, {}, FakeReview(), Mode.ENFORCE), PlatformSet())


async def test_core_failure_on_one_comment_does_not_hold_intake_up(sqlite_store: Store) -> None:
    daemon = daemon_over(sqlite_store, poison="[[[[")
    await daemon.handle(incoming("1", text="[[[[ странный комментарий"))  # returns: recorded, undecided
    await daemon.handle(incoming("2", text="Когда починят фонарь во дворе?"))
    assert await sqlite_store.is_recorded(incoming("1").key)
    assert [c.comment_id for c in await sqlite_store.undecided_comments()] == ["1"]  # decided at next start


class DownStore(Store):
    """The database refuses connections."""

    async def record_comment(self, *args: object, **kwargs: object) -> int | None:
        raise OperationalError("INSERT ...", {}, ConnectionRefusedError("connection refused"))


async def test_database_outage_raises_so_the_worker_keeps_the_comment(sqlite_store: Store) -> None:
    down = DownStore(sqlite_store._engine)
    with pytest.raises(OperationalError):
        await daemon_over(down).handle(incoming("3", text="Спасибо за уборку снега"))
    assert not await sqlite_store.is_recorded(incoming("3").key)
