"""Drop-in times are UK wall-clock times to people and UTC in the database.

A champion types "10:00" for a date in British Summer Time; the parent's list, the
booking confirmation, the reminders and the calendar file must all mean 10am UK
time (09:00 UTC), on SQLite as on PostgreSQL, either side of both clock changes.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from icalendar import Calendar
from sqlalchemy import Connection, select

from bot.booking.notices import reminder_text
from bot.booking.reminders import sweep
from bot.knowledge.deadlines import reminder_time
from bot.store.db import Database
from bot.store.migrate import alembic_config
from bot.store.models import Booking, DropInSession, Message, Reminder, as_utc
from tests.chat import Parent
from tests.conftest import throwaway_postgres
from tests.dropins import UK, at_session_list, session_button
from tests.test_dropin_console import session_form
from tests.test_handoff import champion_of

sessions_table = DropInSession.__table__
bookings_table = Booking.__table__
reminders_table = Reminder.__table__
messages_table = Message.__table__
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def stored(app: Any, table: Any, *columns: str) -> Any:
    """Every row of `table`, as the database holds it (SQLite: no zone, meant as UTC)."""

    def read(connection: Any) -> list[dict[str, Any]]:
        rows = connection.execute(select(table).order_by(table.c.id))
        return [{name: getattr(row, name) for name in columns} for row in rows]

    return app.state.services.database.read(read)


async def add_in_console(app: Any, day: str, start: str, end: str) -> httpx.Response:
    sam = await champion_of(app, ["Leeds"], name="Sam")
    return await sam.post("/console/sessions", **session_form(date=day, start=start, end=end))


async def calendar_start(client: httpx.AsyncClient, parent: Parent) -> dt.datetime:
    """DTSTART of the .ics file the booking confirmation offers."""
    url = next(r["document"]["url"] for r in parent.replies if "document" in r)
    # Parent.download (the secret in a header) comes with issue 16's web chat secrets;
    # until then the session id goes in the query, as the page did.
    download = getattr(parent, "download", None)
    response = await (download(url) if download else client.get(f"{url}&session={parent.session}"))
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")[0].decoded("dtstart")


async def test_a_summer_session_typed_as_10am_is_10am_for_everyone(app_and_client: tuple) -> None:
    app, client = app_and_client
    before = dt.datetime.now(UTC) - dt.timedelta(seconds=5)
    # Thursday 10 June 2027 is in British Summer Time: 10:00 in Leeds is 09:00 UTC.
    added = await add_in_console(app, "2027-06-10", "10:00", "12:00")
    assert added.status_code == 303
    [row] = await stored(app, sessions_table, "starts_at", "ends_at", "created_at", "updated_at")
    assert as_utc(row["starts_at"]) == utc(2027, 6, 10, 9, 0)
    assert as_utc(row["ends_at"]) == utc(2027, 6, 10, 11, 0)
    for name in ("created_at", "updated_at"):
        assert before <= as_utc(row[name]) <= dt.datetime.now(UTC)

    # The champion sees what they typed when they open the session again.
    sam = await champion_of(app, ["Leeds"])
    page = await sam.client.get(added.headers["location"])
    assert 'value="10:00"' in page.text and 'value="12:00"' in page.text

    parent = Parent(client)
    await at_session_list(parent)
    assert "Thursday 10 June 2027, 10am to 12pm" in parent.text
    button = session_button(parent)
    assert button.startswith("Thu 10 Jun, 10am")
    await parent.press(button)
    assert "You're booked: **Coffee and chat**, Thursday 10 June 2027, 10am to 12pm" in parent.text
    start = await calendar_start(client, parent)
    assert start.astimezone(UTC) == utc(2027, 6, 10, 9, 0)
    assert start.astimezone(UK).hour == 10  # what the parent's phone shows

    [booking] = await stored(app, bookings_table, "created_at", "updated_at")
    for name in ("created_at", "updated_at"):
        assert before <= as_utc(booking[name]) <= dt.datetime.now(UTC)
    due = await stored(app, reminders_table, "kind", "due_on", "due_at")
    assert [(r["kind"], r["due_on"], as_utc(r["due_at"])) for r in due] == [
        ("dropin_24h", dt.date(2027, 6, 10), utc(2027, 6, 9, 9, 0)),  # 10am the day before
        ("dropin_2h", dt.date(2027, 6, 10), utc(2027, 6, 10, 7, 0)),  # 8am on the day
    ]

    # The reminder goes out at 10am UK time the day before, not at 11am.
    services = app.state.services

    def render(kind: str, variables: dict[str, Any]) -> Any:
        return reminder_text(services.runner, kind, variables)

    async def sweep_at(now: dt.datetime) -> int:
        async with services.database.transaction() as transaction:
            report, _reached = await transaction.run(sweep, render, now)
        return report.sent

    assert await sweep_at(utc(2027, 6, 9, 8, 59)) == 0
    assert await sweep_at(utc(2027, 6, 9, 9, 0)) == 1
    reminder = (await parent.history())[-1]["text"]
    assert "Reminder: **Coffee and chat** is on Thursday 10 June 2027, 10am to 12pm" in reminder
    [sent] = [r for r in await stored(app, reminders_table, "status", "sent_at") if r["sent_at"]]
    assert as_utc(sent["sent_at"]) == utc(2027, 6, 9, 9, 0)


# The last Sundays of March and October 2027: clocks go forward at 1am GMT on
# 28 March, and back at 2am BST on 31 October.
ACROSS_THE_CHANGES = [
    ("2027-03-27", utc(2027, 3, 27, 10, 0)),  # Saturday, GMT
    ("2027-03-28", utc(2027, 3, 28, 9, 0)),  # Sunday, BST from 1am
    ("2027-10-30", utc(2027, 10, 30, 9, 0)),  # Saturday, BST
    ("2027-10-31", utc(2027, 10, 31, 10, 0)),  # Sunday, GMT from 2am
]


async def test_10am_either_side_of_both_clock_changes(app_and_client: tuple) -> None:
    app, client = app_and_client
    for day, _utc in ACROSS_THE_CHANGES:
        assert (await add_in_console(app, day, "10:00", "11:30")).status_code == 303
    rows = await stored(app, sessions_table, "starts_at", "ends_at")
    assert [as_utc(r["starts_at"]) for r in rows] == [u for _d, u in ACROSS_THE_CHANGES]
    assert [as_utc(r["ends_at"]) - as_utc(r["starts_at"]) for r in rows] == [
        dt.timedelta(minutes=90)
    ] * 4

    parent = Parent(client)
    await at_session_list(parent)
    first_page = parent.text
    await parent.press("More sessions")  # three to a page
    for words in (
        "Saturday 27 March 2027, 10am to 11:30am",
        "Sunday 28 March 2027, 10am to 11:30am",
        "Saturday 30 October 2027, 10am to 11:30am",
        "Sunday 31 October 2027, 10am to 11:30am",
    ):
        assert words in first_page + parent.text
    await at_session_list(parent)
    # The day-before reminder of the first Sunday of summer is 24 real hours ahead:
    # 9am GMT on the Saturday.
    await parent.press(next(b for b in parent.buttons if b.startswith("Sun 28 Mar, 10am")))
    start = await calendar_start(client, parent)
    assert start.astimezone(UTC) == utc(2027, 3, 28, 9, 0)
    due = await stored(app, reminders_table, "kind", "due_at")
    assert [(r["kind"], as_utc(r["due_at"])) for r in due] == [
        ("dropin_24h", utc(2027, 3, 27, 9, 0)),
        ("dropin_2h", utc(2027, 3, 28, 7, 0)),
    ]


async def test_a_time_the_clocks_skip_or_repeat_is_refused_in_words(
    app_and_client: tuple,
) -> None:
    app, _client = app_and_client
    cases = {
        ("2027-03-28", "01:30", "03:00"): (
            "start: 01:30 does not exist on 28/03/2027 in the UK: the clocks go forward"
        ),
        ("2027-10-31", "01:30", "03:00"): (
            "start: 01:30 happens twice on 31/10/2027 in the UK: the clocks go back"
        ),
        ("2027-10-31", "00:30", "01:15"): "end: 01:15 happens twice on 31/10/2027",
    }
    for (day, start, end), message in cases.items():
        response = await add_in_console(app, day, start, end)
        assert response.status_code == 400, message
        assert message in html.unescape(response.text)
    assert await stored(app, sessions_table, "id") == []
    # Just outside the odd hour is fine, and lasts as long as the clocks say.
    assert (await add_in_console(app, "2027-10-31", "00:30", "02:30")).status_code == 303
    [row] = await stored(app, sessions_table, "starts_at", "ends_at")
    assert as_utc(row["starts_at"]) == utc(2027, 10, 30, 23, 30)  # 00:30 BST
    assert as_utc(row["ends_at"]) == utc(2027, 10, 31, 2, 30)  # 02:30 GMT: three hours on


async def test_a_summer_session_moved_in_the_console_or_imported_from_csv(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    added = await add_in_console(app, "2027-06-10", "10:00", "12:00")
    parent = Parent(client)
    await at_session_list(parent)
    await parent.press(session_button(parent))
    sam = await champion_of(app, ["Leeds"])
    moved = await sam.post(
        added.headers["location"].split("?")[0],
        **session_form(date="2027-06-10", start="14:00", end="15:00"),
    )
    assert moved.status_code == 303
    [row] = await stored(app, sessions_table, "starts_at", "ends_at")
    assert as_utc(row["starts_at"]) == utc(2027, 6, 10, 13, 0)
    pending = [
        as_utc(r["due_at"])
        for r in await stored(app, reminders_table, "status", "due_at")
        if r["status"] == "pending"
    ]
    assert pending == [utc(2027, 6, 9, 13, 0), utc(2027, 6, 10, 11, 0)]  # 2pm, noon UK

    admin = await champion_of(app, [], role="admin")
    header = "title,local_authority,venue,date,start,end,capacity"

    async def upload(*rows: str) -> httpx.Response:
        body = "\n".join((header, *rows)) + "\n"
        return await admin.client.post(
            "/console/sessions/import",
            data={"csrf_token": admin.csrf},
            files={"file": ("sessions.csv", body.encode(), "text/csv")},
        )

    refused = await upload(
        "Summer,Leeds,Library,2027-07-01,10:00,12:00,10",
        "Night owls,Leeds,Library,31/10/2027,01:30,03:00,10",
    )
    assert refused.status_code == 400
    assert "line 3: start: 01:30 happens twice on 31/10/2027" in html.unescape(refused.text)
    assert (await upload("Summer,Leeds,Library,2027-07-01,10:00,12:00,10")).status_code == 200
    rows = await stored(app, sessions_table, "starts_at")
    assert as_utc(rows[-1]["starts_at"]) == utc(2027, 7, 1, 9, 0)


async def test_a_summer_deadline_reminder_is_due_at_9am_uk_time(app_and_client: tuple) -> None:
    # In summer 9am in England is 8am UTC: a week before 10 July 2027 is 3 July, 08:00 UTC.
    summer = reminder_time(dt.date(2027, 7, 10), utc(2027, 6, 1, 12, 0))
    assert summer is not None and as_utc(summer) == utc(2027, 7, 3, 8, 0)
    # End to end (a decision letter can't be dated in the future): stored at 9am UK time.
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Other deadlines")
    await parent.press("An appeal")
    letter_day = dt.datetime.now(UK).date() - dt.timedelta(days=7)
    await parent.say(letter_day.strftime("%d/%m/%Y"))
    await parent.press("Skip this question")
    await parent.press("Yes")
    assert "I'll send you a reminder here on" in parent.text
    [reminder] = await stored(app, reminders_table, "due_on", "due_at")
    assert as_utc(reminder["due_at"]).astimezone(UK).time() == dt.time(9, 0)


# Migration 0011: rows written by the code before it, on each database.


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (the shared test database is already at head)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with throwaway_postgres("champion_migration") as url:
        yield url.replace("postgresql://", "postgresql+asyncpg://", 1)


def migrate(connection: Connection, revision: str, down: bool = False) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


# The tables as the code before 0011 wrote them: plain DateTime(timezone=True).
WHEN = sa.DateTime(timezone=True)
OLD_PARENTS = sa.table(
    "parents", sa.column("id"), sa.column("channel"), sa.column("chat_id"),
    sa.column("created_at", WHEN),
)  # fmt: skip
OLD_SESSIONS = sa.table(
    "dropin_sessions", sa.column("id"), sa.column("title"), sa.column("local_authority"),
    sa.column("venue"), sa.column("capacity"), sa.column("status"),
    sa.column("starts_at", WHEN), sa.column("ends_at", WHEN),
    sa.column("created_at", WHEN), sa.column("updated_at", WHEN),
)  # fmt: skip
OLD_BOOKINGS = sa.table(
    "bookings", sa.column("id"), sa.column("session_id"), sa.column("parent_id"),
    sa.column("status"), sa.column("created_at", WHEN), sa.column("updated_at", WHEN),
)  # fmt: skip
OLD_REMINDERS = sa.table(
    "reminders", sa.column("id"), sa.column("parent_id"), sa.column("kind"),
    sa.column("due_on", sa.Date), sa.column("due_at", WHEN), sa.column("booking_id"),
    sa.column("status"), sa.column("attempts"), sa.column("created_at", WHEN),
    sa.column("sent_at", WHEN),
)  # fmt: skip

CREATED = utc(2026, 12, 1, 12, 0, 0)
SENT = utc(2026, 12, 2, 9, 0, 0)
# Typed in the console as 10:00 to 12:00 on these dates, and where that really is.
OLD_ENTRIES = {
    dt.date(2027, 1, 14): utc(2027, 1, 14, 10, 0),  # winter: GMT
    dt.date(2027, 3, 28): utc(2027, 3, 28, 9, 0),  # the first day of BST
    dt.date(2027, 6, 10): utc(2027, 6, 10, 9, 0),  # summer
    dt.date(2027, 10, 31): utc(2027, 10, 31, 10, 0),  # the first day of GMT
}


def write_like_the_old_code(connection: Connection) -> None:
    """Rows exactly as the code before 0011 wrote them on this database."""
    connection.execute(
        sa.insert(OLD_PARENTS).values(id=1, channel="web", chat_id="old", created_at=CREATED)
    )
    for number, day in enumerate(OLD_ENTRIES, start=1):
        starts = dt.datetime.combine(day, dt.time(10), tzinfo=UK)  # entry.py did this
        connection.execute(
            sa.insert(OLD_SESSIONS).values(
                id=number, title="Coffee", local_authority="Leeds", venue="Library",
                capacity=10, status="scheduled", starts_at=starts,
                ends_at=starts.replace(hour=12), created_at=CREATED, updated_at=CREATED,
            )
        )  # fmt: skip
        connection.execute(
            sa.insert(OLD_BOOKINGS).values(
                id=number, session_id=number, parent_id=1, status="booked",
                created_at=CREATED, updated_at=CREATED,
            )
        )  # fmt: skip
        # bookings.schedule_reminders: the start as read back, minus the hours.
        read_back = as_utc(
            connection.execute(
                sa.select(OLD_SESSIONS.c.starts_at).where(OLD_SESSIONS.c.id == number)
            ).scalar_one()
        )
        for hours in (24, 2):
            connection.execute(
                sa.insert(OLD_REMINDERS).values(
                    parent_id=1, kind=f"dropin_{hours}h", due_on=read_back.date(),
                    due_at=read_back - dt.timedelta(hours=hours), booking_id=number,
                    status="sent" if number == 1 else "pending", attempts=0,
                    created_at=CREATED, sent_at=SENT if number == 1 else None,
                )
            )  # fmt: skip
    # deadlines.offer_reminder_action: 9am UK time a week before, through isoformat.
    nine = dt.datetime.combine(dt.date(2027, 7, 3), dt.time(9), tzinfo=UK).isoformat()
    connection.execute(
        sa.insert(OLD_REMINDERS).values(
            parent_id=1, kind="deadline", due_on=dt.date(2027, 7, 10),
            due_at=dt.datetime.fromisoformat(nine), status="pending", attempts=0,
            created_at=CREATED,
        )
    )  # fmt: skip


def read_times(connection: Connection) -> dict[str, Any]:
    sessions = connection.execute(
        sa.select(OLD_SESSIONS.c.starts_at, OLD_SESSIONS.c.ends_at, OLD_SESSIONS.c.created_at)
        .order_by(OLD_SESSIONS.c.id)
    ).all()  # fmt: skip
    reminders = connection.execute(
        sa.select(
            OLD_REMINDERS.c.kind, OLD_REMINDERS.c.due_on, OLD_REMINDERS.c.due_at,
            OLD_REMINDERS.c.created_at, OLD_REMINDERS.c.sent_at,
        ).order_by(OLD_REMINDERS.c.id)
    ).all()  # fmt: skip
    bookings = connection.execute(sa.select(OLD_BOOKINGS.c.created_at)).scalars().all()
    return {
        "starts": [as_utc(r.starts_at) for r in sessions],
        "ends": [as_utc(r.ends_at) for r in sessions],
        "due": [(r.kind, r.due_on, as_utc(r.due_at)) for r in reminders],
        "untouched": {
            *(as_utc(r.created_at) for r in sessions),
            *(as_utc(r.created_at) for r in reminders),
            *(as_utc(r.sent_at) for r in reminders if r.sent_at),
            *(as_utc(value) for value in bookings),
        },
    }


async def test_migration_0011_moves_only_the_uk_times_to_utc(fresh_database: str) -> None:
    database = Database(fresh_database)
    try:
        async with database.transaction() as transaction:
            await transaction.run(migrate, "0010")
            await transaction.run(write_like_the_old_code)
        before = await database.read(read_times)
        summer = before["starts"][2]
        if database.is_sqlite:  # the bug: 10am BST read back as 10am UTC
            assert summer == utc(2027, 6, 10, 10, 0)
        else:  # timestamptz kept the instant
            assert summer == utc(2027, 6, 10, 9, 0)

        async with database.transaction() as transaction:
            await transaction.run(migrate, "0011")
        after = await database.read(read_times)
        starts = list(OLD_ENTRIES.values())
        assert after["starts"] == starts
        assert after["ends"] == [s + dt.timedelta(hours=2) for s in starts]
        expected_due = [
            (f"dropin_{hours}h", day, start - dt.timedelta(hours=hours))
            for day, start in OLD_ENTRIES.items()
            for hours in (24, 2)
        ]
        expected_due.append(("deadline", dt.date(2027, 7, 10), utc(2027, 7, 3, 8, 0)))
        assert after["due"] == expected_due
        # The day-before reminder of 28 March, across the change: 9am GMT on the 27th.
        assert after["due"][2][2] == utc(2027, 3, 27, 9, 0)
        assert after["untouched"] == {CREATED, SENT}

        # Down again gives the old code back what it wrote; up again is the same.
        async with database.transaction() as transaction:
            await transaction.run(migrate, "0010", down=True)
        assert await database.read(read_times) == before
        async with database.transaction() as transaction:
            await transaction.run(migrate, "0011")
        assert await database.read(read_times) == after
    finally:
        await database.dispose()
