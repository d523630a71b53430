"""Dates as parents say them ("last friday", "3 weeks ago"), read against the
parent's own day in England, and shown back in words in the chat."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.answers import read_date
from bot.core.dates import uk_today
from bot.core.text import date_in_words
from tests.chat import Parent

SUNDAY = dt.date(2026, 12, 6)
NEW_YEAR = dt.date(2027, 1, 2)  # a Saturday
LEAP_MONTH_END = dt.date(2028, 3, 31)  # a Friday, in a leap year


@pytest.mark.parametrize(
    ("typed", "today", "understood"),
    [
        ("today", SUNDAY, dt.date(2026, 12, 6)),
        ("Today.", SUNDAY, dt.date(2026, 12, 6)),
        ("yesterday", SUNDAY, dt.date(2026, 12, 5)),
        ("YESTERDAY", NEW_YEAR, dt.date(2027, 1, 1)),
        ("the day before yesterday", NEW_YEAR, dt.date(2026, 12, 31)),
        ("last friday", SUNDAY, dt.date(2026, 12, 4)),
        ("Last Friday", NEW_YEAR, dt.date(2027, 1, 1)),
        ("it was last thursday", SUNDAY, dt.date(2026, 12, 3)),
        ("on monday", SUNDAY, dt.date(2026, 11, 30)),
        ("monday", NEW_YEAR, dt.date(2026, 12, 28)),
        ("on Saturday", NEW_YEAR, dt.date(2026, 12, 26)),  # said on a Saturday: a week ago
        ("tuesday just gone", SUNDAY, dt.date(2026, 12, 1)),
        ("friday last week", SUNDAY, dt.date(2026, 11, 27)),
        ("next tuesday", SUNDAY, dt.date(2026, 12, 8)),
        ("next tuesday", dt.date(2026, 12, 29), dt.date(2027, 1, 5)),  # itself a Tuesday
        ("this friday", SUNDAY, dt.date(2026, 12, 11)),
        ("2 days ago", SUNDAY, dt.date(2026, 12, 4)),
        ("2 days ago", NEW_YEAR, dt.date(2026, 12, 31)),
        ("two days ago", dt.date(2026, 3, 1), dt.date(2026, 2, 27)),
        ("3 weeks ago", SUNDAY, dt.date(2026, 11, 15)),
        ("3 wks ago", NEW_YEAR, dt.date(2026, 12, 12)),
        ("about 3 weeks ago", SUNDAY, dt.date(2026, 11, 15)),
        ("a fortnight ago", SUNDAY, dt.date(2026, 11, 22)),
        ("fortnight ago", NEW_YEAR, dt.date(2026, 12, 19)),
        ("a couple of weeks ago", SUNDAY, dt.date(2026, 11, 22)),
        ("a week ago", NEW_YEAR, dt.date(2026, 12, 26)),
        ("a month ago", LEAP_MONTH_END, dt.date(2028, 2, 29)),  # no 31 February
        ("a month ago", dt.date(2027, 3, 31), dt.date(2027, 2, 28)),
        ("6 months ago", NEW_YEAR, dt.date(2026, 7, 2)),
        ("a year ago", dt.date(2029, 2, 28), dt.date(2028, 2, 28)),
        ("in 2 weeks", dt.date(2026, 12, 25), dt.date(2027, 1, 8)),
        ("tomorrow", dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        # The formats already understood still are.
        ("14/03/2025", SUNDAY, dt.date(2025, 3, 14)),
        ("14 March 2025", SUNDAY, dt.date(2025, 3, 14)),
        ("14th March", SUNDAY, dt.date(2026, 3, 14)),
        ("on 27 Nov", SUNDAY, dt.date(2026, 11, 27)),
        ("the 3rd of november", SUNDAY, dt.date(2026, 11, 3)),
    ],
)
def test_a_typed_day_is_read_against_today(typed: str, today: dt.date, understood: dt.date) -> None:
    assert read_date(typed, today) == understood


@pytest.mark.parametrize(
    "typed",
    ["next month", "3 weeks", "a while ago", "ages ago", "someday", "last", "friday week ago"],
)
def test_words_that_name_no_one_day_are_not_guessed(typed: str) -> None:
    assert read_date(typed, SUNDAY) is None


@pytest.mark.parametrize(
    ("typed", "understood"),
    [
        ("14th December", dt.date(2026, 12, 14)),  # typed in January: last December
        ("on 30 Dec", dt.date(2026, 12, 30)),
        ("2 January", dt.date(2027, 1, 2)),  # today itself
        ("14 December 2027", dt.date(2027, 12, 14)),  # a year given is kept (and refused)
        ("14/12/27", dt.date(2027, 12, 14)),
    ],
)
def test_a_day_without_a_year_for_something_that_happened_is_the_last_one(
    typed: str, understood: dt.date
) -> None:
    assert read_date(typed, NEW_YEAR, past=True) == understood


def test_without_past_a_day_without_a_year_is_this_years() -> None:
    assert read_date("14th December", NEW_YEAR) == dt.date(2027, 12, 14)


def test_far_off_relative_dates_are_refused_as_typos_are() -> None:
    assert read_date("100 years ago", SUNDAY) is None


@pytest.mark.parametrize(
    ("now", "day"),
    [
        # Summer time: 23:30 UTC is already tomorrow in England.
        (dt.datetime(2026, 7, 14, 23, 30, tzinfo=dt.UTC), dt.date(2026, 7, 15)),
        # Winter (GMT): the same moment is the same day.
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), dt.date(2026, 12, 31)),
        # The night the clocks go forward (29 March 2026, 01:00 UTC) and back (25 October).
        (dt.datetime(2026, 3, 28, 23, 59, tzinfo=dt.UTC), dt.date(2026, 3, 28)),
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 30)),
        (dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25)),
        (dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25)),
    ],
)
def test_today_is_the_parents_day_in_england(now: dt.datetime, day: dt.date) -> None:
    assert uk_today(now) == day


def test_yesterday_just_after_midnight_in_summer_is_the_day_before_in_england() -> None:
    late = dt.datetime(2026, 7, 14, 23, 30, tzinfo=dt.UTC)  # 00:30 on 15 July in London
    assert read_date("yesterday", uk_today(late)) == dt.date(2026, 7, 14)


async def _at_the_ehcp_date_question(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Work out my deadlines")
    assert "What date did the council get your request" in parent.text


async def test_three_weeks_ago_in_the_chat_is_shown_back_as_a_date(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await _at_the_ehcp_date_question(parent)
    await parent.say("3 weeks ago")
    understood = uk_today() - dt.timedelta(weeks=3)
    assert f"From a request on {date_in_words(understood)}" in parent.text


async def test_a_day_still_to_come_for_a_past_event_is_asked_again(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await _at_the_ehcp_date_question(parent)
    await parent.say("next tuesday")
    assert "That date hasn't come yet" in parent.text
    assert "What date did the council get your request" in parent.text
    await parent.say("last friday")
    assert "From a request on Friday " in parent.text


async def test_a_letter_date_typed_without_a_year_is_never_a_day_to_come(client) -> None:  # type: ignore[no-untyped-def]
    tomorrow = uk_today() + dt.timedelta(days=1)
    if (tomorrow.month, tomorrow.day) == (2, 29):
        pytest.skip("29 February has no last year")
    parent = Parent(client)
    await _at_the_ehcp_date_question(parent)
    await parent.say(f"{tomorrow.day} {tomorrow:%B}")  # tomorrow's day and month: a year ago
    last_year = tomorrow.replace(year=tomorrow.year - 1)
    assert f"From a request on {date_in_words(last_year)}" in parent.text
