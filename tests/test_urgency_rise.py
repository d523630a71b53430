"""Urgency that follows the conversation: a parent's message to a champion that meets
an urgency rule (excluded today, no school place, a deadline within 14 days) raises
the ticket to urgent, with the reason on the ticket page."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.handoff import tickets
from bot.handoff.urgency_rise import DEADLINE_SOON, EXCLUDED_TODAY, NO_SCHOOL_PLACE, rise_in
from tests.test_handoff import champion_of, waiting_parent

MONDAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "rise"),
    [
        ("They excluded him today for hitting a teacher", EXCLUDED_TODAY),
        ("sorry one more thing. they sent him home this morning, what now?", EXCLUDED_TODAY),
        ("school rang, hes been suspended today", EXCLUDED_TODAY),
        ("My son has no school place for September", NO_SCHOOL_PLACE),
        ("she's been taken off the school roll", NO_SCHOOL_PLACE),
        ("the appeal deadline is 15 December", DEADLINE_SOON),
        ("The deadline for comments is 21/12", DEADLINE_SOON),
        ("I have to reply by Friday and I'm scared", DEADLINE_SOON),
        ("our tribunal hearing is in 10 days", DEADLINE_SOON),
        # Near misses: the same words, without the second half of the rule.
        ("he was excluded last year", None),
        ("we had a lovely day today", None),
        ("the appeal deadline was 15 March", None),
        ("the tribunal hearing is on 3 January", None),  # 27 days away
        ("we went to the appeal in 2024", None),
        ("he has a place at the school now", None),
    ],
)
def test_the_rules_and_their_near_misses(text: str, rise: object) -> None:
    assert rise_in(text, MONDAY) == rise


def test_29_february_never_breaks_the_relay() -> None:
    # Autumn of a leap year: "29 February" next year has no such day; nothing is raised.
    assert rise_in("The tribunal deadline is 29 February.", dt.date(2028, 9, 1)) is None
    assert rise_in("deadline 29/02", dt.date(2028, 2, 20)) == DEADLINE_SOON


async def test_a_message_to_the_champion_raises_the_ticket_with_its_reason(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    database = app.state.services.database
    parent, ticket = await waiting_parent(app, client)
    assert ticket.urgency == "routine"
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await parent.say("He was excluded last year too, for a day")
    assert (await database.read(tickets.get_ticket, ticket.id)).urgency == "routine"

    await parent.say("And now they've excluded him again today. I don't know what to do")
    raised = await database.read(tickets.get_ticket, ticket.id)
    assert raised.urgency == "urgent"
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    assert "Raised to urgent" in page and "excluded or sent home today" in page
    queue = (await sam.client.get("/console")).text
    assert "Urgent" in queue
    # The message still reached the champion.
    assert "excluded him again today" in await sam.transcript(ticket.id)
