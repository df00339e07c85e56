"""Restore on appeal, on SQLite and PostgreSQL: the restore and the lifting of the restriction it caused
are queued for the daemon's runner; a deletion not yet done is cancelled instead; the reason is required and
recorded; the audit log keeps the story without the reason's text."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.console import Appeal
from models.tables import ActionRow, AuditEntry, CommentRow
from moderation.daemon.records import ActionKind, ActionStatus
from tests.web_support import T0, seed_all
from web.appeals import AppealError, restore_on_appeal


def _actions(session: Session, kind: ActionKind) -> list[ActionRow]:
    return list(
        session.exec(select(ActionRow).where(ActionRow.kind == kind.value).order_by(col(ActionRow.id)))
    )


def test_appeal_queues_restore_and_lifts_the_restriction(engine: Engine) -> None:
    seeded = seed_all(engine)
    with Session(engine) as session:
        with pytest.raises(AppealError, match="укажите причину"):
            restore_on_appeal(session, seeded.deleted_id, "   ", "press", T0)
        appeal = restore_on_appeal(session, seeded.deleted_id, "Обращение гражданина, вх. № 12", "press", T0)
        session.commit()
        restores, lifts = _actions(session, ActionKind.RESTORE), _actions(session, ActionKind.LIFT)
        assert [a.status for a in restores] == [ActionStatus.PENDING.value] and restores[
            0
        ].comment_id == seeded.deleted_id
        assert len(lifts) == 1 and appeal.lifted_restrictions == [lifts[0].restriction_id]
        comment = session.get(CommentRow, seeded.deleted_id)
        assert comment is not None and comment.violation_at is None  # no longer counts towards escalation
        stored = session.exec(select(Appeal)).one()
        assert stored.reason == "Обращение гражданина, вх. № 12" and stored.user_name == "press"
        entry = session.exec(select(AuditEntry).where(AuditEntry.event == "console_appeal_restore")).one()
        assert entry.actor == "console:press" and "вх. № 12" not in str(entry.details)


def test_appeal_before_the_deletion_ran_cancels_it(engine: Engine) -> None:
    seeded = seed_all(engine)
    with Session(engine) as session:
        delete = _actions(session, ActionKind.DELETE)[0]
        delete.status = ActionStatus.PENDING.value  # as if the runner had not got to it yet
        session.add(delete)
        session.commit()
        restore_on_appeal(session, seeded.deleted_id, "Ошибка правила", "press", T0)
        session.commit()
        assert _actions(session, ActionKind.DELETE)[0].status == ActionStatus.CANCELLED.value
        assert _actions(session, ActionKind.RESTORE) == []
