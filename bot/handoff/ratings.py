""" "How did it go?": a parent's 1-5 rating of talking to a Parent Champion (issue #18).

When a champion closes a chat they answered, the parent's conversation is moved to the
`rating` flow's question (flows/rating.yml) and the question is sent to them; the flow's
actions store the score, then the optional comment. Only parents who agreed to the
privacy notice are asked: a question whose answer we would throw away would mislead
them, so without consent nothing is asked and nothing is stored.

Who sees what: admins see every rating, week by week, with the comments; a champion
sees only the ratings of chats they held. Rows go with the parent (bot/privacy/erase.py)
and are in their "my data" export.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.core.dates import week_start
from bot.core.text import whole_number
from bot.handoff.rating_table import TicketRating
from bot.handoff.tickets import first_name, get_ticket, send_to_parent
from bot.store.db import Database
from bot.store.models import Conversation, Parent, StaffUser, as_utc, utcnow

if TYPE_CHECKING:  # only a type here: importing the runner loads the answer index and
    # scikit-learn, which `bot check` (it registers this module's actions) must not wait for
    from bot.core.runner import FlowRunner

log = logging.getLogger(__name__)
ratings = TicketRating.__table__
conversations = Conversation.__table__
parents = Parent.__table__
staff_users = StaffUser.__table__

RATING_FLOW = "rating"
QUESTION_NODE = "score"
# Conversation variables the question and its actions use.
TICKET_VARIABLE = "rating_ticket"
CHAMPION_VARIABLE = "rating_champion"
SCORE_VARIABLE = "rating_score"
COMMENT_VARIABLE = "rating_comment"
SCORES = range(1, 6)
# Where a parent's conversation is while a Parent Champion has the chat: the hand-off
# flow, or the e-mail set-up offered during it. Anywhere else, they are not asked.
HANDOFF_FLOWS = frozenset({"champion", "notify"})
MAX_COMMENT_CHARS = 2000


# -- asking ---------------------------------------------------------------------


def start_asking(connection: Connection, ticket_id: int) -> dict[str, Any] | None:
    """After a close: if a champion talked to the parent and the parent agreed to the
    privacy notice, note that they were asked and move their conversation to the
    question. Returns the variables to word the question with, or None (ask nothing).

    Run after the close has committed (see `ask_how_it_went`)."""
    ticket = get_ticket(connection, ticket_id)
    if ticket is None or ticket.parent_id is None or ticket.first_response_at is None:
        return None  # nobody talked to them: there is nothing to rate
    # The same lock the parent's own messages take (bot/store/conversations.py), so a
    # message arriving now is stepped before or after this, never half-way.
    connection.execute(
        select(parents.c.id).where(parents.c.id == ticket.parent_id).with_for_update()
    )
    row = connection.execute(
        select(
            conversations.c.flow,
            conversations.c.node,
            conversations.c.variables,
            conversations.c.history,
            conversations.c.version,
            conversations.c.resting,
        ).where(conversations.c.parent_id == ticket.parent_id)
    ).first()
    variables = dict(row.variables or {}) if row is not None else {}
    if row is None or variables.get("consent") != "yes":
        return None
    if row.resting or row.flow not in HANDOFF_FLOWS:
        # They stopped, or went back to the bot and are doing something else (a crisis
        # ticket stays open then): moving them to the question would lose their place.
        return None
    champion = first_name(ticket.claimed_by_name)
    variables |= {TICKET_VARIABLE: ticket.id, CHAMPION_VARIABLE: champion}
    variables.pop(SCORE_VARIABLE, None)
    variables.pop(COMMENT_VARIABLE, None)
    history = [*list(row.history or []), f"{row.flow}:{row.node}"][-20:]
    moved = connection.execute(
        update(conversations)
        .where(
            conversations.c.parent_id == ticket.parent_id,
            conversations.c.version == row.version,
        )
        # updated_at is left alone: the retention sweep counts the parent's silence.
        .values(
            flow=RATING_FLOW,
            node=QUESTION_NODE,
            variables=variables,
            history=history,
            resting=False,
            version=row.version + 1,
        )
    )
    if moved.rowcount != 1:
        return None
    connection.execute(
        insert(ratings).values(
            ticket_id=ticket.id,
            parent_id=ticket.parent_id,
            staff_user_id=ticket.claimed_by,
            channel=ticket.channel,
            asked_at=utcnow(),
            created_at=utcnow(),
        )
    )
    return {CHAMPION_VARIABLE: champion}


async def ask_how_it_went(database: Database, runner: FlowRunner, ticket_id: int) -> None:
    """After a champion closed a ticket: "How did it go talking to Sam?", if they talked
    to the parent and the parent agreed to the privacy notice.

    Its own transaction, after the close's: it locks the parent first, as the parent's
    own messages do, so it cannot deadlock with one arriving now. The close has gone
    through whatever happens here, so a failure is logged, not shown as an error."""
    if runner.render_node(RATING_FLOW, QUESTION_NODE) == []:
        return  # the question was taken out of the content: ask nothing
    try:
        async with database.transaction() as transaction:
            asking = await transaction.run(start_asking, ticket_id)
            if asking is None:
                return
            for question in runner.render_node(RATING_FLOW, QUESTION_NODE, asking):
                await transaction.run(send_to_parent, ticket_id, None, question)
    except Exception as exc:
        log.warning("rating question not sent after a close (%s)", type(exc).__name__)


# -- the flow's actions -----------------------------------------------------------


def _score(connection: Connection, parent_id: int, ticket_id: int, score: int) -> None:
    connection.execute(
        update(ratings)
        .where(ratings.c.ticket_id == ticket_id, ratings.c.parent_id == parent_id)
        .values(score=score, answered_at=utcnow())
    )


def _comment(connection: Connection, parent_id: int, ticket_id: int, comment: str) -> None:
    connection.execute(
        update(ratings)
        .where(
            ratings.c.ticket_id == ticket_id,
            ratings.c.parent_id == parent_id,
            ratings.c.score.is_not(None),
        )
        .values(comment=comment)
    )


def _asked(context: ActionContext) -> int | None:
    """The ticket being rated, when this parent may have their answer stored."""
    if context.parent_id is None or context.variables.get("consent") != "yes":
        return None  # the flow is personal; this holds even if content changed
    ticket = context.variables.get(TICKET_VARIABLE)
    return ticket if isinstance(ticket, int) else None


async def record_rating(context: ActionContext) -> ActionResult:
    ticket_id = _asked(context)
    score = whole_number(str(context.variables.get(SCORE_VARIABLE) or ""))
    if ticket_id is not None and context.parent_id is not None and score in SCORES:
        await context.store(_score, context.parent_id, ticket_id, score)
    return ActionResult()


async def record_rating_comment(context: ActionContext) -> ActionResult:
    ticket_id = _asked(context)
    comment = str(context.variables.get(COMMENT_VARIABLE) or "").strip()[:MAX_COMMENT_CHARS]
    if ticket_id is not None and context.parent_id is not None and comment:
        await context.store(_comment, context.parent_id, ticket_id, comment)
    # Kept once, in the rating: not again among the conversation's answers.
    return ActionResult(
        variables={COMMENT_VARIABLE: None, SCORE_VARIABLE: None, TICKET_VARIABLE: None}
    )


def register(registry: ActionRegistry) -> None:
    registry.register("record_rating")(record_rating)
    registry.register("record_rating_comment")(record_rating_comment)


# -- reading them back -------------------------------------------------------------


@dataclass(slots=True)
class WeeklyRatings:
    """Scores by the week they were given (Monday): how many of each."""

    scores: dict[dt.date, Counter[int]] = field(default_factory=dict)

    def count(self, week: dt.date) -> int:
        return sum(self.scores.get(week, Counter()).values())

    def average(self, week: dt.date) -> float | None:
        given = self.scores.get(week)
        total = sum(given.values()) if given else 0
        if not given or not total:
            return None
        return sum(score * n for score, n in given.items()) / total

    def of(self, week: dt.date, score: int) -> int:
        return self.scores.get(week, Counter())[score]


@dataclass(frozen=True, slots=True)
class GivenRating:
    ticket_id: int
    score: int
    comment: str | None
    answered_at: dt.datetime
    champion: str | None  # the first name of the champion who held the chat


def _answered(since: dt.datetime, staff_user_id: int | None) -> list[Any]:
    conditions = [ratings.c.score.is_not(None), ratings.c.answered_at >= since]
    if staff_user_id is not None:
        conditions.append(ratings.c.staff_user_id == staff_user_id)
    return conditions


def weekly(
    connection: Connection, since: dt.datetime, staff_user_id: int | None = None
) -> WeeklyRatings:
    """Every rating given since `since` (only one champion's, if named)."""
    found = WeeklyRatings()
    query = select(ratings.c.score, ratings.c.answered_at).where(*_answered(since, staff_user_id))
    for score, answered_at in connection.execute(query):
        found.scores.setdefault(week_start(answered_at), Counter())[score] += 1
    return found


def given(
    connection: Connection,
    since: dt.datetime,
    staff_user_id: int | None = None,
    with_comment: bool = False,
    limit: int = 100,
) -> list[GivenRating]:
    """The newest ratings (only one champion's, if named), with their comments: for
    admins and for the champion concerned, never anyone else."""
    conditions = _answered(since, staff_user_id)
    if with_comment:
        conditions.append(ratings.c.comment.is_not(None))
    query = (
        select(
            ratings.c.ticket_id,
            ratings.c.score,
            ratings.c.comment,
            ratings.c.answered_at,
            staff_users.c.name,
        )
        .select_from(ratings.outerjoin(staff_users, staff_users.c.id == ratings.c.staff_user_id))
        .where(*conditions)
        .order_by(ratings.c.answered_at.desc(), ratings.c.id.desc())
        .limit(limit)
    )
    return [
        GivenRating(r.ticket_id, r.score, r.comment, r.answered_at, first_name(r.name))
        for r in connection.execute(query)
    ]


# -- privacy -----------------------------------------------------------------------


def for_export(connection: Connection, parent_id: int) -> list[dict[str, Any]]:
    """The parent's own ratings for "my data" (not who they rated: that is the champion's)."""
    query = (
        select(ratings.c.score, ratings.c.comment, ratings.c.asked_at, ratings.c.answered_at)
        .where(ratings.c.parent_id == parent_id)
        .order_by(ratings.c.id)
    )
    return [
        {
            "score": row.score,
            "comment": row.comment,
            "asked_at": as_utc(row.asked_at).isoformat() if row.asked_at else None,
            "answered_at": as_utc(row.answered_at).isoformat() if row.answered_at else None,
        }
        for row in connection.execute(query)
    ]


def erase(connection: Connection, parent_ids: list[int]) -> None:
    """Ratings go with the parent (the foreign key cascades too; this keeps it explicit)."""
    connection.execute(delete(ratings).where(ratings.c.parent_id.in_(parent_ids)))
