"""What people decided about comments, as labelled rows for the model to learn from: moderators' decisions
on cards, and restorations on a citizen's appeal in the web console (a person's word that the comment should
have stayed). The latest word on a comment wins; decisions taken back teach nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.console import Appeal
from models.store_decisions import UPHELD
from models.tables import CommentRow, DecisionRow, ReviewCardRow, VerdictRow
from moderation.daemon.ports import ModeratorChoice
from moderation.daemon.records import CardStatus
from moderation.types import Action


def people_decisions(session: Session) -> list[dict[str, Any]]:
    """Rows {"text", "grounds", "action"} oldest first, one per comment (its latest decision or appeal)."""
    latest: dict[int, tuple[datetime, int, dict[str, Any]]] = {}

    def keep_latest(comment_id: int, at: datetime, order: int, row: dict[str, Any]) -> None:
        if comment_id not in latest or (at, order) >= latest[comment_id][:2]:
            latest[comment_id] = (at, order, row)

    decided = (
        select(CommentRow.id, CommentRow.text, DecisionRow, VerdictRow.grounds)
        .join(ReviewCardRow, col(ReviewCardRow.id) == col(DecisionRow.card_id))
        .join(CommentRow, col(CommentRow.id) == col(ReviewCardRow.comment_id))
        .join(VerdictRow, col(VerdictRow.id) == col(ReviewCardRow.verdict_id))
        .where(col(ReviewCardRow.status) != CardStatus.REOPENED.value)
    )
    for comment_id, text, decision, grounds in session.exec(decided).all():
        assert comment_id is not None
        deleting = ModeratorChoice(decision.choice) in UPHELD
        row = {
            "text": text,
            "grounds": list(grounds) if deleting else [],
            "action": (Action.DELETE if deleting else Action.KEEP).value,
        }
        keep_latest(comment_id, decision.at, 0, row)
    appealed = select(CommentRow.id, CommentRow.text, Appeal.at).join(
        Appeal, col(Appeal.comment_id) == col(CommentRow.id)
    )
    for comment_id, text, at in session.exec(appealed).all():
        assert comment_id is not None
        keep_latest(comment_id, at, 1, {"text": text, "grounds": [], "action": Action.KEEP.value})
    ordered = sorted(latest.items(), key=lambda item: (item[1][0], item[1][1], item[0]))
    return [row for _, (_, _, row) in ordered]
