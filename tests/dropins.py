"""Helpers for drop-in tests: sessions in the database, parents at the session list."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.booking.sessions import SessionDetails, add_session
from tests.chat import Parent

UK = ZoneInfo("Europe/London")


def in_days(days: int, hour: int = 10) -> dt.datetime:
    day = dt.date.today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UK)


async def add_dropin(
    app: Any,
    title: str = "Coffee morning",
    area: str = "Leeds",
    starts: dt.datetime | None = None,
    capacity: int = 10,
    venue: str = "Central Library",
    online_link: str = "",
) -> int:
    starts = starts or in_days(5)
    details = SessionDetails(
        title=title,
        local_authority=area,
        venue=venue,
        address="Calverley Street" if venue else "",
        online_link=online_link,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=capacity,
    )
    async with app.state.services.database.transaction() as transaction:
        return await transaction.run(add_session, details)


async def at_session_list(parent: Parent, council: str = "Leeds") -> None:
    await parent.at_main_menu()
    await parent.press("Drop-in sessions")
    await parent.say(council)


def session_button(parent: Parent, title_start: str = "") -> str:
    """The label of the first session button (they start with the day)."""
    for label in parent.buttons:
        if label[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}:
            return label
    raise AssertionError(f"no session buttons in {parent.buttons}")
