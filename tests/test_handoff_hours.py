"""Champions' opening hours: in words for parents, bank holidays, and the clock change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.handoff import tickets
from bot.handoff.config import OpeningHours, config_problems
from bot.handoff.hours import is_open, next_opening, opening_in_words
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import ask_for_a_champion
from tests.server import set_champion_hours

UK = ZoneInfo("Europe/London")
OFFICE = OpeningHours(
    monday="09:00-17:00",
    tuesday="09:00-17:00",
    wednesday="09:00-12:00, 13:00-17:00",
    thursday="09:00-17:00",
    friday="09:00-16:00",
)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UK)


@pytest.mark.parametrize(
    ("now", "online"),
    [
        (at(2026, 11, 23, 9, 0), True),  # Monday, opening minute
        (at(2026, 11, 23, 17, 0), False),  # closing minute
        (at(2026, 11, 25, 12, 30), False),  # Wednesday lunch
        (at(2026, 11, 22, 11, 0), False),  # Sunday
        (at(2026, 12, 25, 10, 0), False),  # Christmas Day, a Friday
        (at(2027, 3, 29, 10, 0), False),  # Easter Monday 2027
    ],
)
def test_who_is_online(now: dt.datetime, online: bool) -> None:
    assert is_open(OFFICE, now) is online


def test_when_champions_are_next_online_in_words() -> None:
    saturday = at(2026, 11, 21, 20, 0)
    opening = next_opening(OFFICE, saturday)
    assert opening == at(2026, 11, 23, 9, 0)
    assert opening_in_words(opening, saturday) == "on Monday 23 November at 9am"
    late_monday = at(2026, 11, 23, 18, 30)
    assert opening_in_words(next_opening(OFFICE, late_monday), late_monday) == "tomorrow at 9am"
    lunch = at(2026, 11, 25, 12, 15)
    assert opening_in_words(next_opening(OFFICE, lunch), lunch) == "today at 1pm"
    # Christmas Eve evening 2026 (Thursday): Christmas Day and Boxing Day (moved to
    # Monday 28th) are bank holidays, so the next opening is Tuesday 29 December.
    christmas_eve = at(2026, 12, 24, 18, 0)
    assert next_opening(OFFICE, christmas_eve) == at(2026, 12, 29, 9, 0)


def test_opening_is_in_uk_time_across_the_clock_change() -> None:
    # Sunday 25 October 2026 the clocks go back; 9am on Monday is 09:00 GMT.
    sunday = dt.datetime(2026, 10, 25, 12, 0, tzinfo=dt.UTC)
    opening = next_opening(OFFICE, sunday)
    assert opening is not None and opening.astimezone(dt.UTC).hour == 9
    summer = dt.datetime(2026, 10, 23, 7, 30, tzinfo=dt.UTC)  # 08:30 BST, Friday
    assert not is_open(OFFICE, summer)
    assert is_open(OFFICE, summer + dt.timedelta(minutes=30))  # 09:00 BST


def test_broken_hours_are_reported_by_check() -> None:
    problems = config_problems({"hours": {"monday": "9 till 5", "timezone": "Mars/Base"}})
    assert any("monday" in p and "write hours like 09:00-17:00" in p for p in problems)
    assert any("unknown time zone" in p for p in problems)
    assert config_problems({"hours": {"friday": "17:00-09:00"}}) == [
        "data.hours.friday: '17:00-09:00' ends before it starts"
    ]


async def test_out_of_hours_parents_are_told_when_and_offered_a_drop_in(
    settings: Settings, content_dirs: tuple[Path, Path]
) -> None:
    flows, _knowledge = content_dirs
    set_champion_hours(flows, {"bank_holidays": "closed"})  # never open
    async with running_app(settings) as (app, client):
        parent = Parent(client)
        await ask_for_a_champion(parent)
        assert "Parent Champions are not online right now" in parent.text
        assert "as soon as they can" in parent.text  # no opening in the next three weeks
        assert parent.buttons == ["Drop-in sessions", "Back to the bot"]
        queue = await app.state.services.database.read(tickets.queue, None)
        assert [t.chat_id for t in queue] == [parent.session]  # still in the queue
        await parent.press("Drop-in sessions")  # the bot answers this button itself
        assert "drop-in" in parent.text.lower()
        queue = await app.state.services.database.read(tickets.queue, None)
        assert queue[0].status == "waiting" and not queue[0].relaying
