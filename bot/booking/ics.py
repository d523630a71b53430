"""A calendar file (.ics) for a booked drop-in, so it lands in the parent's phone calendar."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from bot.booking.sessions import SessionView

ICS_MEDIA_TYPE = "text/calendar"


def session_ics(session: SessionView, booking_id: int, now: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Champion//Drop-in sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking_id}@champion")
    event.add("dtstamp", now.astimezone(dt.UTC))
    # UTC times: every calendar shows them at the right local time, either side
    # of the clock change, with no time-zone table to get wrong.
    event.add("dtstart", session.starts_at.astimezone(dt.UTC))
    event.add("dtend", session.ends_at.astimezone(dt.UTC))
    event.add("summary", session.title)
    event.add("location", session.place if session.venue else session.online_link)
    description = "Drop-in session with a Parent Champion."
    if session.online_link:
        description += f" Join online: {session.online_link}"
    event.add("description", description)
    if session.online_link:
        event.add("url", session.online_link)
    calendar.add_component(event)
    return calendar.to_ical()
