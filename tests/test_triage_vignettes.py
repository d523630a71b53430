"""Thirty families' situations, taken through "Tell us what's happening" over /api/chat.

Each vignette gives the answers a parent would give (a button label, their own
words, or None to skip) and the referral category and urgency that should be
stored at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.store.conversations import referrals_of
from tests.chat import Parent


@dataclass
class Vignette:
    story: str
    category: str
    urgency: str = "routine"
    age: str | None = None
    setting: str | None = None
    plan: str | None = None
    concerns: list[str] = field(default_factory=list)
    days_out: str | None = None
    duration: str | None = None
    tried: list[str] = field(default_factory=list)
    deadline: str | None = None
    council: str | None = None
    council_pick: str | None = None  # when the council name is ambiguous


VIGNETTES = [
    Vignette(
        "Year 5 boy sent home most lunchtimes",
        "exclusion",
        "urgent",
        age="Year 5",
        setting="Mainstream school",
        plan="No",
        concerns=["Exclusion or being sent home"],
        duration="1 to 6 months",
        council="Leeds",
    ),
    Vignette(
        "Permanent exclusion, typed in own words",
        "exclusion",
        "urgent",
        age="14",
        setting="Mainstream school",
        concerns=["he has been permanently excluded from school"],
        council="Birmingham",
    ),
    Vignette(
        "Two hours a day for a term",
        "exclusion",
        "urgent",
        age="7",
        plan="Being assessed",
        concerns=["Part-time timetable"],
        duration="1 to 6 months",
        tried=["Talked to the teacher or SENCO"],
    ),
    Vignette(
        "Only allowed in mornings, typed",
        "exclusion",
        "urgent",
        concerns=["she's only allowed in for the mornings on a reduced timetable"],
    ),
    Vignette(
        "Anxious 13-year-old, out 30 days",
        "attendance",
        "urgent",
        age="13",
        setting="Not in school now",
        concerns=["Anxiety or not going in"],
        days_out="30",
        council="Kent",
    ),
    Vignette(
        "Out of school 10 days",
        "attendance",
        "routine",
        setting="Not in school now",
        days_out="10",
        duration="Less than a month",
    ),
    Vignette(
        "EBSA typed, 6 weeks out",
        "attendance",
        "urgent",
        concerns=["she has panic attacks and can't face going to school"],
        days_out="about 30",
    ),
    Vignette(
        "Attendance fines, days skipped",
        "attendance",
        "routine",
        concerns=["Anxiety or not going in"],
        days_out=None,
    ),
    Vignette(
        "Refused EHC needs assessment, appeal deadline soon",
        "disputes",
        "urgent",
        plan="We've asked for one",
        concerns=["EHC plans", "Appeals or complaints"],
        deadline="Yes",
        council="Hampshire",
    ),
    Vignette(
        "Wants to complain about the school",
        "disputes",
        "routine",
        concerns=["I want to make a formal complaint about the head teacher"],
        deadline="No",
    ),
    Vignette(
        "Mediation certificate question",
        "disputes",
        "routine",
        concerns=["Appeals or complaints"],
        deadline=None,
        # A Surrey town: Surrey County Council until 31 March 2027, West Surrey after.
        council="Guildford",
    ),
    Vignette(
        "Asking for an EHCP for the first time",
        "ehcp",
        "routine",
        age="6",
        setting="Mainstream school",
        plan="No",
        concerns=["EHC plans"],
        deadline="No",
        tried=["Talked to the teacher or SENCO", "Nothing yet"],
        council="Norfolk",
    ),
    Vignette(
        "Plan 25 weeks late, decision due next week",
        "ehcp",
        "urgent",
        plan="Being assessed",
        concerns=["it's been 25 weeks and still no ehcp"],
        deadline="Yes",
    ),
    Vignette(
        "No school place, EHC plan",
        "attendance",
        "routine",
        setting="Not in school now",
        plan="Yes",
        concerns=["EHC plans"],
        days_out="5",
        deadline="No",
    ),
    Vignette(
        "1:1 in plan not happening",
        "ehcp",
        "routine",
        plan="Yes",
        concerns=["the support in his ehcp isn't being provided"],
        deadline="No",
    ),
    Vignette(
        "Annual review overdue, typed",
        "ehcp",
        "routine",
        plan="Yes",
        concerns=["his annual review hasn't happened for over a year"],
        deadline=None,
    ),
    Vignette(
        "Draft plan arrived",
        "ehcp",
        "urgent",
        plan="Being assessed",
        concerns=["EHC plans"],
        deadline="yes",
    ),
    Vignette(
        "Ear defenders refused",
        "equality",
        "routine",
        age="8",
        setting="Mainstream school",
        concerns=["school won't let him wear ear defenders in assembly"],
    ),
    Vignette(
        "Left off the school trip",
        "equality",
        "routine",
        concerns=["Adjustments or unfair treatment"],
        council="Bristol",
    ),
    Vignette(
        "School ignoring dyslexia, no plan",
        "sen_support",
        "routine",
        age="10",
        setting="Mainstream school",
        plan="No",
        concerns=["Support in school"],
    ),
    Vignette(
        "Waiting two years for autism assessment",
        "sen_support",
        "routine",
        concerns=["we've been on the autism assessment waiting list for two years"],
    ),
    Vignette(
        "SENCO not helping, typed",
        "sen_support",
        "routine",
        concerns=["the senco won't put any support in place"],
        duration="Over a year",
    ),
    Vignette("Everything skipped", "sen_support", "routine"),
    Vignette(
        "CAMHS waiting list",
        "wellbeing",
        "routine",
        age="15",
        concerns=["camhs have a year long waiting list and he is very low"],
    ),
    Vignette(
        "Exhausted parent",
        "wellbeing",
        "routine",
        concerns=["Mental health or wellbeing"],
        tried=["Nothing yet"],
    ),
    Vignette(
        "Starting secondary with a plan",
        "transition",
        "routine",
        age="Year 6",
        plan="Yes",
        concerns=["Moving school or transport"],
        council="York",
    ),
    Vignette(
        "Transport refused",
        "transition",
        "routine",
        concerns=["the council refused his school transport"],
        council="Tyneside",
        council_pick="South Tyneside",
    ),
    Vignette(
        "College at 16",
        "transition",
        "routine",
        age="16",
        setting="Special school",
        concerns=["Moving school or transport"],
    ),
    Vignette(
        "Exclusion plus EHCP worries",
        "exclusion",
        "urgent",
        plan="We've asked for one",
        concerns=["EHC plans", "Exclusion or being sent home"],
        deadline="No",
    ),
    Vignette(
        "Home educated, wants support",
        "sen_support",
        "routine",
        setting="Home educated",
        concerns=["Support in school"],
        council="Cornwall",
    ),
]


async def answer(parent: Parent, value: str | None) -> None:
    if value is None:
        await parent.press("Skip this question")
    elif value in parent.buttons:
        await parent.press(value)
    else:
        await parent.say(value)


async def take_through_triage(parent: Parent, v: Vignette) -> None:
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    await answer(parent, v.age)
    await answer(parent, v.setting)
    await answer(parent, v.plan)
    for concern in v.concerns:
        await answer(parent, concern)
        assert "So far:" in parent.text, (v.story, concern, parent.text)
    await parent.press("Done" if v.concerns else "Skip this question")
    if "school days has your child missed" in parent.text:
        await answer(parent, v.days_out)
    await answer(parent, v.duration)
    for tried in v.tried:
        await answer(parent, tried)
    await parent.press("Done" if v.tried else "Skip this question")
    if "deadline in the next 2 weeks" in parent.text:
        await answer(parent, v.deadline)
    await answer(parent, v.council)
    if v.council_pick:
        assert "Which of these is your council?" in parent.text
        await parent.press(v.council_pick)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v.story for v in VIGNETTES])
async def test_vignette_ends_in_the_expected_referral(
    app_and_client: tuple, vignette: Vignette
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await take_through_triage(parent, vignette)

    assert "Here's what I've understood" in parent.text
    assert "Talk to a Parent Champion" in parent.buttons
    database = app.state.services.database
    stored = await database.read(referrals_of, "web", parent.session)
    assert [(r.category, r.urgency) for r in stored] == [(vignette.category, vignette.urgency)]
    if vignette.urgency == "urgent":
        assert "This sounds urgent" in parent.text
    council = vignette.council_pick or vignette.council
    if council and not vignette.council_pick:
        assert stored[0].answers["local_authority"] in parent.text
    if vignette.council_pick:
        assert stored[0].answers["local_authority"] == vignette.council_pick


def test_there_are_thirty_vignettes_covering_every_category() -> None:
    assert len(VIGNETTES) == 30
    assert {v.category for v in VIGNETTES} == {
        "exclusion",
        "attendance",
        "disputes",
        "ehcp",
        "equality",
        "sen_support",
        "wellbeing",
        "transition",
    }
