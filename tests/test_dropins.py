"""Parents find, book and cancel drop-in sessions over /api/chat."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from bot.booking import bookings
from bot.store.models import Reminder
from tests.chat import Parent
from tests.dropins import UK, add_dropin, at_session_list, in_days, session_button


async def reminders_of_session(app: Any) -> list[tuple[str, str]]:
    table = Reminder.__table__

    def read(connection: Any) -> list[tuple[str, str]]:
        rows = connection.execute(select(table.c.kind, table.c.status).order_by(table.c.id))
        return [(r.kind, r.status) for r in rows]

    return await app.state.services.database.read(read)


async def test_book_with_one_tap_get_a_calendar_file_then_cancel(app_and_client: tuple) -> None:
    app, client = app_and_client
    starts = in_days(5, hour=10)
    await add_dropin(app, "Coffee morning", "Kent", starts=in_days(2))  # another area
    await add_dropin(app, "Coffee morning", "Leeds", starts=starts)
    parent = Parent(client)
    await at_session_list(parent, "Leeds")
    assert "Here are the next drop-in sessions, nearest first" in parent.text
    first = session_button(parent)
    assert "Central Library" in first and f"{starts:%a} {starts.day} {starts:%b}" in first
    await parent.press(first)
    assert "You're booked: **Coffee morning**" in parent.text
    assert f"{starts:%A} {starts.day} {starts:%B %Y}, 10am to 12pm" in parent.text
    document = next(r["document"] for r in parent.replies if "document" in r)
    response = await parent.download(document["url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(UK) == starts
    assert str(event["summary"]) == "Coffee morning"
    # Nobody else can fetch it.
    other = await client.get(document["url"], headers={"Authorization": "Bearer " + "x" * 43})
    assert other.status_code == 401
    assert await reminders_of_session(app) == [("dropin_24h", "pending"), ("dropin_2h", "pending")]

    await parent.press("My bookings")
    assert "Your bookings:" in parent.text and "Coffee morning" in parent.text
    await parent.press("Cancel 1")
    assert "I've cancelled your place at **Coffee morning**" in parent.text
    assert await reminders_of_session(app) == [
        ("dropin_24h", "cancelled"),
        ("dropin_2h", "cancelled"),
    ]
    await parent.press("My bookings")
    assert "You have no drop-in bookings coming up" in parent.text


async def test_own_area_first_then_nearby_then_online_then_others(app_and_client: tuple) -> None:
    app, client = app_and_client
    link = "https://meet.example.org/x"
    await add_dropin(app, "Kent talk", "Kent", starts=in_days(1))
    await add_dropin(
        app, "Cornwall online", "Cornwall", starts=in_days(2), venue="", online_link=link
    )
    await add_dropin(app, "Wakefield cafe", "Wakefield", starts=in_days(5))  # same region as Leeds
    for day in (3, 4, 6):
        await add_dropin(app, f"Leeds {day}", "Leeds", starts=in_days(day))
    parent = Parent(client)
    await at_session_list(parent)
    assert (
        parent.text.index("Leeds 3") < parent.text.index("Leeds 4") < parent.text.index("Leeds 6")
    )
    assert "Wakefield" not in parent.text and "More sessions" in parent.buttons
    await parent.press("More sessions")
    assert parent.text.index("Wakefield cafe") < parent.text.index("Cornwall online")
    assert parent.text.index("Cornwall online") < parent.text.index("Kent talk")
    assert "More sessions" not in parent.buttons


async def test_typing_about_a_drop_in_gets_there_too(app_and_client: tuple) -> None:
    app, client = app_and_client
    await add_dropin(app, "Coffee morning", "Leeds")
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("can I book a drop in session please")
    assert "Which council area do you live in?" in parent.text
    await parent.say("leeds")
    assert "Coffee morning" in parent.text


async def test_one_place_per_parent_and_no_booking_a_cancelled_session(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    session_id = await add_dropin(app)
    parent = Parent(client)
    await at_session_list(parent)
    button = session_button(parent)
    stale_payload = parent.payload_of(button)
    await parent.press(button)
    assert "You're booked" in parent.text
    await at_session_list(parent)
    await parent.press(session_button(parent))
    assert "You already have a place at **Coffee morning**" in parent.text

    other = Parent(client)
    await at_session_list(other)
    button = session_button(other)
    async with app.state.services.database.transaction() as transaction:
        await transaction.run(bookings.cancel_session, session_id)
    await other.press(button)  # the list they saw is now out of date
    assert "that session can't be booked any more" in other.text
    assert stale_payload  # the first parent's old button is stale too
    await parent.send(payload=stale_payload)
    assert "You're booked" not in parent.text


async def test_a_full_session_offers_the_waitlist_and_a_cancellation_promotes(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    await add_dropin(app, capacity=1)
    first, second = Parent(client), Parent(client)
    await at_session_list(first)
    await first.press(session_button(first))
    await at_session_list(second)
    await second.press(session_button(second))
    assert "is full. Would you like to join the waitlist?" in second.text
    await second.press("Yes")
    assert "You're on the waitlist for **Coffee morning**" in second.text
    await second.press("My bookings")
    assert "(you're on the waitlist)" in second.text

    await first.press("My bookings")
    await first.press("Cancel 1")
    history = await second.history()
    assert "a place has come up at **Coffee morning**" in history[-1]["text"]
    await second.say("menu")
    await second.press("Drop-in sessions")
    await second.press("My bookings")
    assert "(you're on the waitlist)" not in second.text and "Coffee morning" in second.text
    assert [k for k, s in await reminders_of_session(app) if s == "pending"] == [
        "dropin_24h",
        "dropin_2h",
    ]


async def test_fifty_parents_tap_at_once_for_ten_places(app_and_client: tuple) -> None:
    # On PostgreSQL the fifty bookings really run in parallel, on ten connections.
    app, client = app_and_client
    session_id = await add_dropin(app, capacity=10)
    parents = [Parent(client) for _ in range(50)]
    await asyncio.gather(*(at_session_list(p) for p in parents))
    await asyncio.gather(*(p.press(session_button(p)) for p in parents))
    outcomes = [
        ("booked" if "You're booked" in p.text else "full" if "is full" in p.text else p.text)
        for p in parents
    ]
    assert outcomes.count("booked") == 10 and outcomes.count("full") == 40
    taken = await app.state.services.database.read(bookings.attendees, session_id)
    assert len([a for a in taken if a.status == "booked"]) == 10


def test_calendar_times_are_right_either_side_of_the_clock_change() -> None:
    from bot.booking.ics import session_ics
    from bot.booking.sessions import SessionView

    def view(starts: dt.datetime) -> SessionView:
        return SessionView(
            1,
            "Drop-in",
            None,
            None,
            "Leeds",
            "Library",
            "",
            "",
            starts,
            starts + dt.timedelta(hours=2),
            10,
            "",
            "scheduled",
            0,
            0,
        )

    # 2026's clocks go back at 2am on Sunday 25 October (the last Sunday).
    saturday = dt.datetime(2026, 10, 24, 10, 0, tzinfo=UK)  # BST: 09:00 UTC
    sunday = dt.datetime(2026, 10, 25, 10, 0, tzinfo=UK)  # GMT: 10:00 UTC
    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    for starts, utc_hour in ((saturday, 9), (sunday, 10)):
        event = Calendar.from_ical(session_ics(view(starts), 7, now)).walk("VEVENT")[0]
        start = event.decoded("dtstart")
        assert start.astimezone(dt.UTC).hour == utc_hour
        assert start.astimezone(UK).hour == 10  # what the parent's phone shows
        assert event.decoded("dtend").astimezone(UK).hour == 12
