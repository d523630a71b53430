"""The first-response target: opening-hours minutes, the ticket's first reply, reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert

from bot.handoff import tickets
from bot.handoff.config import HandoffConfig, OpeningHours
from bot.handoff.hours import open_minutes_between
from bot.handoff.service_level import standing
from bot.reports import build_report
from bot.store.models import Ticket
from tests.test_handoff import champion_of, waiting_parent

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = OpeningHours(
    monday="09:00-17:00",
    tuesday="09:00-17:00",
    wednesday="09:00-17:00",
    thursday="09:00-17:00",
    friday="09:00-16:00",
)
TWO_HOURS = HandoffConfig(hours=WEEKDAYS, first_response_minutes=120)


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def test_the_clock_runs_only_in_opening_hours() -> None:
    # Friday 15:00 to Monday 10:00: an hour on Friday (closing at 4) and an hour on Monday.
    assert open_minutes_between(WEEKDAYS, london(2026, 12, 4, 15), london(2026, 12, 7, 10)) == 120
    # Christmas 2026: Friday 25th and the Boxing Day holiday on Monday 28th are closed.
    assert open_minutes_between(WEEKDAYS, london(2026, 12, 24, 16), london(2026, 12, 29, 10)) == 120
    # Summer time: the same hours, whatever the UTC offset.
    assert open_minutes_between(WEEKDAYS, london(2026, 7, 1, 8), london(2026, 7, 1, 18)) == 480
    assert open_minutes_between(WEEKDAYS, london(2026, 12, 7, 10), london(2026, 12, 7, 9)) == 0


def test_a_waiting_ticket_is_within_then_near_then_past_its_target() -> None:
    opened = london(2026, 12, 7, 9)  # a Monday
    assert standing(TWO_HOURS, opened, None, london(2026, 12, 7, 10)) == "within"
    assert standing(TWO_HOURS, opened, None, london(2026, 12, 7, 10, 40)) == "near"
    assert standing(TWO_HOURS, opened, None, london(2026, 12, 7, 11, 30)) == "past"
    # Sent on Friday at 3.30pm: not late over the weekend, only on Monday morning.
    friday = london(2026, 12, 4, 15, 30)
    assert standing(TWO_HOURS, friday, None, london(2026, 12, 6, 20)) == "within"
    assert standing(TWO_HOURS, friday, None, london(2026, 12, 7, 11)) == "past"
    assert standing(TWO_HOURS, opened, london(2026, 12, 7, 13), london(2026, 12, 8)) == "answered"


async def test_only_a_champions_reply_stops_the_clock(app_and_client: tuple) -> None:
    app, client = app_and_client
    database = app.state.services.database
    parent, ticket = await waiting_parent(app, client)
    await parent.say("He has been sent home again")  # the bot acknowledges: not a response
    waiting = await database.read(tickets.get_ticket, ticket.id)
    assert waiting.first_response_at is None
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)  # claiming says "Sam has joined": not a response either
    assert (await database.read(tickets.get_ticket, ticket.id)).first_response_at is None
    await sam.reply(ticket.id, "Hello, I'm Sam. When did this start?")
    first = (await database.read(tickets.get_ticket, ticket.id)).first_response_at
    assert first is not None
    await sam.reply(ticket.id, "And has the school written to you?")
    assert (await database.read(tickets.get_ticket, ticket.id)).first_response_at == first


async def test_reports_show_the_share_answered_within_target(app_and_client: tuple) -> None:
    app, _client = app_and_client
    database = app.state.services.database
    monday = london(2026, 11, 30, 9)
    # Three requests that week: answered in 30 minutes, answered after a day, and one
    # still waiting, which counts as neither.
    rows = [
        (monday, monday + dt.timedelta(minutes=30)),
        (monday + dt.timedelta(hours=1), monday + dt.timedelta(days=1, hours=1)),
        (monday + dt.timedelta(hours=2), None),
    ]

    async def add(ticket_rows: list[tuple[dt.datetime, dt.datetime | None]]) -> None:
        def write(connection: Connection) -> None:
            for created, first in ticket_rows:
                connection.execute(
                    insert(Ticket.__table__).values(
                        channel="web",
                        status="closed" if first else "waiting",
                        created_at=created,
                        updated_at=created,
                        first_response_at=first,
                        parent_id=None,
                    )
                )

        async with database.transaction() as transaction:
            await transaction.run(write)

    await add(rows)
    report = await database.read(build_report, london(2026, 12, 3, 12), TWO_HOURS)
    week = dt.date(2026, 11, 30)
    assert (report.answered[week], report.answered_in_target[week]) == (2, 1)

    admin = await champion_of(app, [], role="admin")
    page = await admin.client.get("/console/reports")
    assert "First replies within the target of 120 minutes" in page.text
    exported = list(
        csv.DictReader(io.StringIO((await admin.client.get("/console/reports.csv")).text))
    )
    assert any(r["measure"] == "answered_within_120_open_minutes" for r in exported)
