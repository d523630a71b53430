"""The calculator's newer dates (issue #15) on worked examples, and through the chat:
amended plans, post-16 moves at another time, exclusion review panels, school
transport reviews and the Ombudsman."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.text import date_in_words
from bot.knowledge.deadlines import (
    add_working_days,
    amended_plan_dates,
    exclusion_review_earliest,
    ombudsman_deadline,
    phase_transfer_deadline,
    post16_move_deadline,
    transport_review_deadline,
)
from bot.store.conversations import reminders_of
from tests.chat import Parent

D = dt.date


@pytest.mark.parametrize(
    ("notice", "comments", "final_plan"),
    [
        (D(2026, 1, 5), D(2026, 1, 19), D(2026, 3, 2)),  # the letter's day is day 1 of 15
        (D(2028, 2, 15), D(2028, 2, 29), D(2028, 4, 11)),  # leap year: 29 February
        (D(2027, 2, 15), D(2027, 3, 1), D(2027, 4, 12)),  # no 29 February in 2027
        (D(2026, 12, 20), D(2027, 1, 3), D(2027, 2, 14)),  # over Christmas and New Year
    ],
)
def test_amended_plan_dates(notice: dt.date, comments: dt.date, final_plan: dt.date) -> None:
    dates = amended_plan_dates(notice)
    assert (dates.comments, dates.final_plan) == (comments, final_plan)


@pytest.mark.parametrize(
    ("move", "deadline"),
    [
        (D(2027, 1, 4), D(2026, 8, 4)),  # a January start: the plan is due in August
        (D(2027, 7, 31), D(2027, 2, 28)),  # no 31 February: the last day of February
        (D(2028, 7, 31), D(2028, 2, 29)),  # leap year
        (D(2028, 7, 29), D(2028, 2, 29)),
        (D(2028, 3, 30), D(2027, 10, 30)),
    ],
)
def test_post16_move_at_another_time(move: dt.date, deadline: dt.date) -> None:
    assert post16_move_deadline(move) == deadline


def test_phase_transfer_shows_the_last_day_before_the_legal_date() -> None:
    """Regulation 18(1) says *before* 15 February (31 March): the last day is the day before."""
    assert phase_transfer_deadline("school", D(2027, 10, 1), "this") == D(2028, 2, 14)
    assert phase_transfer_deadline("post16", D(2027, 10, 1), "this") == D(2028, 3, 30)


@pytest.mark.parametrize(
    ("notice", "earliest"),
    [
        (D(2026, 3, 2), D(2026, 3, 23)),  # three plain weeks
        (D(2026, 3, 7), D(2026, 3, 27)),  # told on a Saturday: Monday is day 1
        (D(2027, 3, 18), D(2027, 4, 12)),  # Good Friday and Easter Monday skipped
        (D(2026, 12, 18), D(2027, 1, 13)),  # Christmas, Boxing Day (Mon 28th) and 1 January
        (D(2026, 8, 20), D(2026, 9, 11)),  # August bank holiday (31 August) skipped
        (D(2028, 2, 17), D(2028, 3, 9)),  # across 29 February 2028, a Tuesday
    ],
)
def test_exclusion_review_earliest_date(notice: dt.date, earliest: dt.date) -> None:
    assert exclusion_review_earliest(notice) == earliest


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (D(2026, 3, 2), D(2026, 3, 30)),
        (D(2026, 3, 7), D(2026, 4, 7)),  # a Saturday, then Good Friday and Easter Monday
        (D(2028, 2, 10), D(2028, 3, 9)),  # leap year
        (D(2027, 12, 17), D(2028, 1, 19)),  # 27, 28 December and 3 January 2028 observed
        (D(2025, 7, 25), D(2025, 8, 22)),  # August: no bank holiday until the 25th
    ],
)
def test_transport_review_deadline(received: dt.date, deadline: dt.date) -> None:
    assert transport_review_deadline(received) == deadline


def test_working_days_do_not_count_the_starting_day() -> None:
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)  # Thu -> Tue after Boxing Day
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


@pytest.mark.parametrize(
    ("aware", "deadline"),
    [
        (D(2026, 3, 10), D(2027, 3, 9)),  # 12 months beginning with that day
        (D(2027, 1, 1), D(2027, 12, 31)),
        (D(2026, 12, 25), D(2027, 12, 24)),  # not moved: a time limit, not a filing date
        (D(2028, 3, 1), D(2029, 2, 28)),
        (D(2028, 2, 29), D(2029, 2, 27)),  # no 29 February 2029: the earlier, safer day
        (D(2027, 2, 28), D(2028, 2, 27)),  # into a leap year
    ],
)
def test_ombudsman_deadline(aware: dt.date, deadline: dt.date) -> None:
    assert ombudsman_deadline(aware) == deadline


# -- through /api/chat ---------------------------------------------------------------


async def _deadlines_menu(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Other deadlines")
    assert "Which deadline would you like to work out?" in parent.text


async def test_exclusion_review_panel_in_the_chat_with_a_reminder(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await _deadlines_menu(parent)
    await parent.press("Exclusion review panel")
    told = dt.date.today() - dt.timedelta(days=2)
    await parent.say(f"{told:%d/%m/%Y}")
    earliest = exclusion_review_earliest(told)
    assert f"The earliest those 15 days can end is **{date_in_words(earliest)}**" in parent.text
    assert "We don't know your school's term dates" in parent.text
    assert "School Discipline Regulations 2012, Schedule 1" in parent.text
    await parent.press("Yes")
    assert "I'll send you a reminder here on" in parent.text
    stored = await app.state.services.database.read(reminders_of, "web", parent.session)
    assert len(stored) == 1 and stored[0][0] == "deadline"


async def test_an_old_exclusion_date_says_there_may_still_be_time(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await _deadlines_menu(parent)
    await parent.press("Exclusion review panel")
    await parent.say("2 March 2026")
    assert "could have ended on **Monday 23 March 2026**" in parent.text
    assert "School holidays may mean you still have time" in parent.text
    assert "What would you like to do next?" in parent.text  # no reminder for a past date


async def test_post16_move_at_another_time_in_the_chat(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await _deadlines_menu(parent)
    await parent.press("Moving school")
    await parent.press("Between colleges at another time")
    assert "What date is the move" in parent.text
    move = dt.date.today() + dt.timedelta(days=400)
    await parent.say(f"{move:%d/%m/%Y}")
    last = post16_move_deadline(move)
    assert f"The last day for that is **{date_in_words(last)}**" in parent.text
    assert "regulation 18(2)" in parent.text
    await parent.press("No")
    assert "What would you like to do next?" in parent.text


async def test_phase_transfer_in_the_chat_shows_14_february(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await _deadlines_menu(parent)
    await parent.press("Moving school")
    await parent.press("Primary to secondary")
    await parent.press("The coming September")
    today = dt.date.today()
    year = today.year if today.month < 9 else today.year + 1
    assert f"**{date_in_words(D(year, 2, 14))}**" in parent.text
    assert "before 15 February" in parent.text


async def test_ombudsman_and_transport_in_the_chat(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await _deadlines_menu(parent)
    await parent.press("Complaint to the Ombudsman")
    await parent.say("10/03/2025")
    assert "That is by **Monday 9 March 2026** (this date has passed)" in parent.text
    assert "section 26B" in parent.text
    await parent.press("Another deadline")
    await parent.press("School transport review")
    await parent.say("07/03/2026")
    assert "in writing by **Tuesday 7 April 2026** (this date has passed)" in parent.text
