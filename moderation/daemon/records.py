"""What the moderation core records and reads back: the shapes exchanged with storage.

Plain frozen dataclasses and enums with no I/O, so the core can describe intents (actions to take, cards to
show) and the store can persist them without either side importing the other's machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from moderation.config import CitizenTexts, EscalationPolicy
from moderation.daemon.ports import IncomingComment, ModeratorChoice, Restriction, ReviewCard
from moderation.types import Ground, Verdict


class ActionKind(StrEnum):
    """What the action runner does on a platform, or in the moderators' queue (CARD, REPORT, REFRESH).

    REPORT lists a page's automatic deletions in one message; REFRESH redraws a card (or its report) with the
    platform's state once a decision's actions have run; NOTICE tells the author why their comment went.
    """

    DELETE = "delete"
    RESTORE = "restore"
    RESTRICT = "restrict"
    LIFT = "lift"
    CARD = "card"
    REPORT = "report"
    REFRESH = "refresh"
    NOTICE = "notice"


#: Kinds the moderators' workbench performs (not a platform adapter).
WORKBENCH_KINDS: frozenset[ActionKind] = frozenset({ActionKind.REPORT, ActionKind.REFRESH, ActionKind.NOTICE})


class ActionStatus(StrEnum):
    """pending -> running -> done | failed | parked; cancelled when a moderator overrides it before it ran."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    PARKED = "parked"
    CANCELLED = "cancelled"


class DecidedBy(StrEnum):
    """Who produced a verdict: the rule lists, the statistical model, or a moderator."""

    RULES = "rules"
    MODEL = "model"
    MODERATOR = "moderator"


class CardStatus(StrEnum):
    """open: waiting (a review card for a decision, an automatic deletion for acknowledgement); decided:
    someone pressed; closed: an automatic deletion acknowledged or left long enough; superseded: the comment
    was edited since; reopened: its decision was taken back, and a new card for the comment replaced it."""

    OPEN = "open"
    DECIDED = "decided"
    CLOSED = "closed"
    SUPERSEDED = "superseded"
    REOPENED = "reopened"


@dataclass(frozen=True, slots=True)
class Escalation:
    """Restrict the author as `policy` says for a violation on `ground`.

    The author's earlier violations are counted by the store in the transaction that records the verdict,
    one author at a time: two violations decided at the same moment must not both count zero before them.
    """

    policy: EscalationPolicy
    ground: Ground
    texts: CitizenTexts = field(default_factory=CitizenTexts)  # what the restriction's comment says
    tz: tzinfo | None = None  # the time zone its end is written in


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one verdict leads to, persisted in one transaction before anything is done.

    `delete` and `card` become queued actions; `restriction` (or the one `escalation` comes to) becomes a
    restriction row plus a queued action; `violation` marks the comment as counting towards the author's
    escalation.
    """

    delete: bool = False
    restriction: Restriction | None = None
    card: bool = False
    auto_deleted: bool = False
    violation: bool = False
    escalation: Escalation | None = None
    notice: bool = False  # tell the author why (where the platform shows no reason, or as configured)


@dataclass(frozen=True, slots=True)
class QueuedAction:
    """A claimed action with everything needed to perform it; the runner needs no further reads."""

    id: int
    kind: ActionKind
    attempts: int
    idempotency_key: str
    comment: IncomingComment | None = None
    restriction: Restriction | None = None
    restriction_id: int | None = None
    card: ReviewCard | None = None


@dataclass(frozen=True, slots=True)
class CardInfo:
    """A review card as the decision handler needs it: what it is about and what was already done.

    `message_ref` is the card's own message, `report_ref` that of the report listing it (automatic deletions);
    a button is honoured only when it came from one of them. `decision` and `decided_at` describe the decision
    on a decided card; `deletion_done` says the comment's deletion (automatic or decided) has reached the
    platform; `prior_violations` counts the author's other violations on the page within the window.
    """

    card_id: int
    comment: IncomingComment
    verdict: Verdict
    auto_deleted: bool
    status: CardStatus
    active_restriction_ids: tuple[int, ...] = ()  # the author's restrictions on the page in force now
    own_restriction_ids: tuple[int, ...] = ()  # those of them set because of this comment
    message_ref: str | None = None
    report_ref: str | None = None
    report_id: int | None = None
    decision: ModeratorChoice | None = None
    decided_at: datetime | None = None
    deletion_done: bool = False
    prior_violations: int = 0


@dataclass(frozen=True, slots=True)
class DecisionPlan:
    """A moderator's choice turned into intents; recorded together with the decision or not at all."""

    choice: ModeratorChoice
    delete: bool = False
    restore: bool = False
    restriction: Restriction | None = None
    lift_restriction_ids: tuple[int, ...] = ()
    violation: bool | None = None  # True: counts towards escalation; False: no longer counts; None: unchanged
    notice: bool = False


@dataclass(frozen=True, slots=True)
class PriorDecision:
    """The decision that won the race for a card, to tell a late presser who was first."""

    moderator_id: str
    moderator_name: str | None
    choice: ModeratorChoice
    at: datetime


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """A report of automatic deletions as acknowledging it needs: its message and who acknowledged it."""

    report_id: int
    message_ref: str | None
    open_items: int
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


@dataclass(frozen=True, slots=True)
class ActionProblem:
    """A failed or parked action, with its reason, for the status command."""

    id: int
    kind: ActionKind
    status: ActionStatus
    attempts: int
    error: str
    comment_key: str | None


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """The health of the pipeline at a glance: moderators' backlog, stuck actions and reader positions."""

    open_cards: int  # review cards waiting for a moderator's decision
    oldest_open_card_at: datetime | None
    pending_actions: int
    parked_actions: int
    failed_actions: int
    problems: tuple[ActionProblem, ...] = ()
    cursors: dict[str, str] = field(default_factory=dict)
    unacknowledged_deletions: int = (
        0  # automatic deletions nobody has acknowledged yet (they wait for no one)
    )
