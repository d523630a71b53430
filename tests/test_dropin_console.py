"""Champions manage drop-in sessions in the console; admins import them from CSV."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from sqlalchemy import select

from bot.booking import bookings
from bot.booking.sessions import upcoming
from bot.store.models import Reminder
from tests.chat import Parent
from tests.dropins import UK, at_session_list, session_button
from tests.test_handoff import champion_of

NEXT_WEEK = dt.date.today() + dt.timedelta(days=7)


def session_form(**changes: str) -> dict[str, str]:
    return {
        "title": "Coffee and chat",
        "local_authority": "Leeds",
        "venue": "Hope Community Centre",
        "address": "1 Hope Street",
        "online_link": "",
        "date": NEXT_WEEK.isoformat(),
        "start": "10:00",
        "end": "12:00",
        "capacity": "8",
        "notes": "",
        **changes,
    }


async def sessions_in_db(app: Any) -> list[Any]:
    return await app.state.services.database.read(upcoming, dt.datetime.now(dt.UTC), None)


async def test_a_champion_adds_a_session_and_a_parent_books_it(app_and_client: tuple) -> None:
    app, client = app_and_client
    sam = await champion_of(app, ["Leeds"], name="Sam")
    added = await sam.post("/console/sessions", **session_form())
    assert added.status_code == 303
    page = await sam.client.get(added.headers["location"])
    assert "Session added." in page.text and "Booked (0 of 8)" in page.text
    [session] = await sessions_in_db(app)
    assert session.starts_at.astimezone(UK).hour == 10 and session.host == "Sam"

    parent = Parent(client)
    await at_session_list(parent)
    await parent.press(session_button(parent))
    assert "You're booked: **Coffee and chat**" in parent.text
    page = await sam.client.get(f"/console/sessions/{session.id}")
    assert "Booked (1 of 8)" in page.text


async def test_bad_session_forms_say_what_to_fix_and_keep_the_words(app_and_client: tuple) -> None:
    app, _client = app_and_client
    sam = await champion_of(app, ["Leeds"])
    cases = {
        "the session must end after it starts": session_form(start="12:00", end="10:00"),
        "capacity: 'ten' is not a whole number": session_form(capacity="ten"),
        "start: '25:00' is not a time": session_form(start="25:00"),
        "give a venue, an online link, or both": session_form(venue=""),
        "you don't cover Kent": session_form(local_authority="Kent"),
        "date: '31/02/2027' is not a date": session_form(date="31/02/2027"),
    }
    for message, form in cases.items():
        response = await sam.post("/console/sessions", **form)
        assert response.status_code == 400, message
        assert message in html.unescape(response.text)
        assert 'value="Coffee and chat"' in response.text  # nothing typed is lost
    assert await sessions_in_db(app) == []


async def test_cancelling_tells_everyone_booked_and_other_areas_are_refused(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    sam = await champion_of(app, ["Leeds"])
    await sam.post("/console/sessions", **session_form(capacity="1"))
    [session] = await sessions_in_db(app)
    booked, waiting = Parent(client), Parent(client)
    await at_session_list(booked)
    await booked.press(session_button(booked))
    await at_session_list(waiting)
    await waiting.press(session_button(waiting))
    await waiting.press("Yes")

    kent = await champion_of(app, ["Kent"])
    assert (await kent.client.get(f"/console/sessions/{session.id}")).status_code == 403
    assert (await kent.post(f"/console/sessions/{session.id}/cancel")).status_code == 403

    assert (await sam.post(f"/console/sessions/{session.id}/cancel")).status_code == 303
    for parent in (booked, waiting):
        last = (await parent.history())[-1]["text"]
        assert "**Coffee and chat**" in last and "has been cancelled" in last
    people = await app.state.services.database.read(bookings.attendees, session.id)
    assert people == []
    statuses = await app.state.services.database.read(
        lambda c: {r[0] for r in c.execute(select(Reminder.__table__.c.status))}
    )
    assert statuses == {"cancelled"}


async def test_attendance_messages_and_a_time_change_move_the_reminders(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    sam = await champion_of(app, ["Leeds"])
    await sam.post("/console/sessions", **session_form())
    [session] = await sessions_in_db(app)
    parent = Parent(client)
    await at_session_list(parent)
    await parent.press(session_button(parent))
    [attendee] = await app.state.services.database.read(bookings.attendees, session.id)

    await sam.post(f"/console/sessions/{session.id}/attendance", present=str(attendee.booking_id))
    [attendee] = await app.state.services.database.read(bookings.attendees, session.id)
    assert attendee.attended is True

    await sam.post(
        f"/console/sessions/{session.id}/message", text="We've moved to room 2, by the café."
    )
    assert "We've moved to room 2" in (await parent.history())[-1]["text"]
    empty = await sam.post(f"/console/sessions/{session.id}/message", text=" ")
    assert empty.status_code == 400 and "Write a message first" in empty.text

    moved = await sam.post(
        f"/console/sessions/{session.id}", **session_form(start="14:00", end="16:00")
    )
    assert moved.status_code == 303
    due = await app.state.services.database.read(
        lambda c: [
            r.due_at
            for r in c.execute(
                select(Reminder.__table__.c.due_at).where(Reminder.__table__.c.status == "pending")
            )
        ]
    )
    local = sorted(d if d.tzinfo else d.replace(tzinfo=dt.UTC) for d in due)
    assert [d.astimezone(UK).hour for d in local] == [14, 12]  # 24 h and 2 h before 2pm


GOOD_CSV = f"""title,local_authority,venue,address,online_link,date,start,end,capacity,notes,host_email
Coffee morning,Leeds,Library,Calverley St,,{NEXT_WEEK.isoformat()},10:00,12:00,10,,
Online evening,Kent,,,https://meet.example.org/x,{NEXT_WEEK:%d/%m/%Y},19:00,20:30,25,Bring questions,
"""

BAD_CSV = f"""title,local_authority,venue,address,online_link,date,start,end,capacity,notes,host_email
Coffee morning,Leeds,Library,Calverley St,,{NEXT_WEEK.isoformat()},10:00,12:00,10,,
Broken one,Atlantis,Library,,,{NEXT_WEEK.isoformat()},10:00,12:00,10,,
Another,Leeds,Library,,,{NEXT_WEEK.isoformat()},10:00,09:00,10,,
No host,Leeds,Library,,,{NEXT_WEEK.isoformat()},10:00,11:00,ten,,nobody@example.org
"""


async def test_admins_import_a_csv_all_or_nothing(app_and_client: tuple) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin")

    async def upload(text: str | bytes) -> Any:
        body = text.encode() if isinstance(text, str) else text
        return await admin.client.post(
            "/console/sessions/import",
            data={"csrf_token": admin.csrf},
            files={"file": ("sessions.csv", body, "text/csv")},
        )

    bad = await upload(BAD_CSV)
    assert bad.status_code == 400
    problems = html.unescape(bad.text)
    assert "line 3: local_authority: 'Atlantis' is not a council we know" in problems
    assert "line 4: the session must end after it starts" in problems
    assert "line 5: capacity: 'ten' is not a whole number" in problems
    assert await sessions_in_db(app) == []  # the good first row was not imported either
    assert "not UTF-8" in (await upload(b"\xff\xfe\x00bad")).text
    assert "the header has no column" in (await upload("name,when\nx,y\n")).text

    good = await upload(GOOD_CSV)
    assert good.status_code == 200 and "Imported 2 sessions" in good.text
    titles = sorted(s.title for s in await sessions_in_db(app))
    assert titles == ["Coffee morning", "Online evening"]
    champion = await champion_of(app, ["Leeds"])
    assert (await champion.client.get("/console/sessions/import")).status_code == 403
