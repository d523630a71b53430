"""The deadline calculator on worked examples, and through the chat."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.knowledge.deadlines import (
    annual_review_decision,
    appeal_deadline,
    ehcp_timeline,
    next_working_day,
    phase_transfer_deadline,
)
from bot.store.conversations import reminders_of
from tests.chat import Parent

D = dt.date


@pytest.mark.parametrize(
    ("letter", "certificate", "deadline"),
    [
        (D(2025, 3, 14), None, D(2025, 5, 14)),  # plain 2 months, a Wednesday
        (D(2025, 12, 31), None, D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday -> Monday
        (D(2023, 12, 31), None, D(2024, 2, 29)),  # leap year: 29 February
        (D(2024, 12, 31), None, D(2025, 2, 28)),  # no 31 February: last day of the month
        (D(2025, 4, 30), None, D(2025, 6, 30)),  # month end to month end
        (D(2025, 10, 31), None, D(2026, 1, 2)),  # lands on 31 Dec: after 1 January
        (D(2025, 10, 25), None, D(2026, 1, 2)),  # lands on Christmas Day
        (D(2025, 6, 30), None, D(2025, 9, 1)),  # lands in August: after 31 August
        (D(2025, 6, 1), None, D(2025, 9, 1)),  # 1 August is also August
        (D(2025, 2, 21), None, D(2025, 4, 22)),  # 21 Apr 2025 is Easter Monday -> Tuesday
        (D(2025, 3, 14), D(2025, 5, 10), D(2025, 6, 10)),  # certificate later: 1 month after it
        (D(2025, 3, 14), D(2025, 3, 20), D(2025, 5, 14)),  # certificate earlier: 2 months wins
    ],
)
def test_appeal_deadline_worked_examples(
    letter: dt.date, certificate: dt.date | None, deadline: dt.date
) -> None:
    assert appeal_deadline(letter, certificate) == deadline


def test_next_working_day_skips_weekends_and_bank_holidays() -> None:
    assert next_working_day(D(2025, 5, 3)) == D(2025, 5, 6)  # Sat -> Tue after May Day
    assert next_working_day(D(2025, 12, 25)) == D(2025, 12, 29)
    assert next_working_day(D(2025, 7, 1)) == D(2025, 7, 1)


@pytest.mark.parametrize(
    ("request_date", "six", "sixteen", "twenty"),
    [
        (D(2025, 3, 14), D(2025, 4, 25), D(2025, 7, 4), D(2025, 8, 1)),
        (D(2024, 1, 31), D(2024, 3, 13), D(2024, 5, 22), D(2024, 6, 19)),  # across 29 Feb
        (D(2025, 12, 31), D(2026, 2, 11), D(2026, 4, 22), D(2026, 5, 20)),
    ],
)
def test_ehcp_timeline(
    request_date: dt.date, six: dt.date, sixteen: dt.date, twenty: dt.date
) -> None:
    timeline = ehcp_timeline(request_date)
    assert (timeline.decision_to_assess, timeline.decision_not_to_issue, timeline.final_plan) == (
        six,
        sixteen,
        twenty,
    )


def test_annual_review_decision_is_4_weeks_after_the_meeting() -> None:
    assert annual_review_decision(D(2025, 2, 10)) == D(2025, 3, 10)


@pytest.mark.parametrize(
    ("move", "today", "when", "deadline"),
    [
        # "before 15 February" (before 31 March for post-16): the last day is the 14th (30th)
        ("school", D(2026, 11, 22), "this", D(2027, 2, 14)),  # Year 6 now, secondary next Sept
        ("post16", D(2026, 11, 22), "this", D(2027, 3, 30)),
        ("school", D(2027, 3, 1), "this", D(2027, 2, 14)),  # already passed this year
        ("school", D(2026, 11, 22), "next", D(2028, 2, 14)),
        ("school", D(2026, 8, 31), "this", D(2026, 2, 14)),  # before September: this year
    ],
)
def test_phase_transfer_deadline(move: str, today: dt.date, when: str, deadline: dt.date) -> None:
    assert phase_transfer_deadline(move, today, when) == deadline


async def test_appeal_calculator_in_the_chat_with_a_reminder(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Other deadlines")
    await parent.press("An appeal")
    await parent.say("31/12/2099")  # far in the future, so never "passed" in this test
    assert "couldn't read that as a date" in parent.text  # more than 5 years ahead
    # A letter from 3 days ago: the appeal deadline, about 2 months on, is still ahead.
    await parent.say(f"{(dt.date.today() - dt.timedelta(days=3)):%d/%m/%Y}")
    await parent.press("Skip this question")
    assert "Your appeal should reach the tribunal by **" in parent.text
    assert "(this date has passed)" not in parent.text
    await parent.press("Yes")
    assert "I'll send you a reminder here on" in parent.text
    stored = await app.state.services.database.read(reminders_of, "web", parent.session)
    assert len(stored) == 1 and stored[0][0] == "deadline"
    assert stored[0][1] > dt.date.today()


async def test_a_past_date_says_it_has_passed_and_offers_no_reminder(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Other deadlines")
    await parent.press("After an annual review")
    await parent.say("3 March 2025")
    assert "by **Monday 31 March 2025** (this date has passed)" in parent.text
    assert "What would you like to do next?" in parent.text
