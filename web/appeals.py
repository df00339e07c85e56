"""Restoring a comment on a citizen's appeal, through the same queued actions the daemon's runner performs.

One transaction records the appeal with its reason, queues the restore (or cancels a deletion not yet done),
lifts every restriction the comment caused (cancelling one not yet applied) and stops the comment counting
towards its author's escalation; the audit log gets the same story. The platform sees the change when the
daemon's action runner next looks at the queue (about a second).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.console import Appeal
from models.store_actions import cancel_pending
from models.store_comments import enqueue
from models.store_support import audit
from models.tables import CommentRow, RestrictionRow
from moderation.daemon.records import ActionKind

MAX_REASON = 2000


class AppealError(Exception):
    """The appeal cannot be recorded; the message is Russian, for the person who asked."""


def restore_on_appeal(session: Session, comment_id: int, reason: str, user: str, now: datetime) -> Appeal:
    """Record the appeal and queue what undoes the deletion and the restrictions it caused."""
    reason = reason.strip()
    if not reason:
        raise AppealError("укажите причину восстановления: она остаётся в журнале")
    if len(reason) > MAX_REASON:
        raise AppealError(f"причина длиннее {MAX_REASON} символов")
    comment = session.get(CommentRow, comment_id)
    if comment is None or comment.id is None:
        raise AppealError("комментарий не найден")
    count = len(session.exec(select(Appeal.id).where(Appeal.comment_id == comment_id)).all())
    prefix = f"appeal:{comment.id}:{count + 1}"
    if cancel_pending(session, comment.id, None, ActionKind.DELETE) == 0:
        enqueue(session, f"{prefix}:restore", ActionKind.RESTORE, now, comment_id=comment.id)
    lifted: list[int] = []
    caused = select(RestrictionRow).where(
        RestrictionRow.comment_id == comment.id, col(RestrictionRow.lifted_at).is_(None)
    )
    for restriction in session.exec(caused).all():
        assert restriction.id is not None
        if cancel_pending(session, None, restriction.id, ActionKind.RESTRICT) > 0:
            restriction.lifted_at = now  # never applied on the platform: nothing to undo there
            session.add(restriction)
        else:
            enqueue(
                session,
                f"{prefix}:lift:{restriction.id}",
                ActionKind.LIFT,
                now,
                restriction_id=restriction.id,
            )
        lifted.append(restriction.id)
    comment.violation_at = None
    session.add(comment)
    appeal = Appeal(comment_id=comment.id, reason=reason, user_name=user, at=now, lifted_restrictions=lifted)
    session.add(appeal)
    session.flush()
    details = {"comment": comment.key, "appeal": appeal.id, "lifted_restrictions": lifted, "text": reason}
    audit(session, now, f"console:{user}", "console_appeal_restore", details)
    return appeal
