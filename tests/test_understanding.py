"""Parents' own words lead to the right answer: topics, 'Did you mean', out of scope."""

from __future__ import annotations

import httpx
import pytest

from tests.chat import Parent

# Statements about a situation: (what a parent types, the topic overview they get).
STATEMENTS = [
    ("the LA refused to assess my daughter", "When the council says no"),
    ("council turned down the EHC plan after assessing", "When the council says no"),
    ("its been 24 weeks and still no plan", "EHC plan timescales"),
    ("the council are really late with the ehcp", "EHC plan timescales"),
    ("the 1:1 in his plan isn't happening", "When the help in the plan isn't happening"),
    ("school aren't doing what's in the EHCP", "When the help in the plan isn't happening"),
    ("annual review was 3 months ago and nothing changed", "Annual reviews of an EHC plan"),
    ("they want to cease her plan at the review", "Annual reviews of an EHC plan"),
    ("I want to complain about the head teacher", "Making a complaint"),
    ("school won't let him wear ear defenders", "Reasonable adjustments at school"),
    (
        "they won't take him on the trip because he's autistic",
        "Discrimination arising from disability",
    ),
    ("he's been suspended for 3 days", "Suspensions and permanent exclusions"),
    ("my son got permanently excluded today", "Suspensions and permanent exclusions"),
    ("he's only allowed in school for 2 hours a day", "Part-time (reduced) timetables"),
    ("she's on a reduced timetable with no end", "Part-time (reduced) timetables"),
    ("my daughter is too anxious to go to school", "When anxiety stops your child going to school"),
    ("we got a letter about fines for attendance", "When anxiety stops your child going to school"),
    ("2 year wait for an autism assessment", "Waiting for a diagnosis"),
    ("the senco won't do anything", "SEN support in school"),
    ("council refused him school transport", "Home-to-school transport"),
    ("the taxi to his special school keeps not turning up", "Home-to-school transport"),
    (
        "he starts secondary school next september",
        "Moving school with an EHC plan (phase transfer)",
    ),
    ("the camhs waiting list is a year long", "Your child's mental health"),
    ("I'm exhausted and need a break", "Support for you as a parent carer"),
]

# Questions: (what a parent types, words any right answer to it contains).
QUESTIONS = [
    ("how do i get an ehcp for my son", ["ask the council", "assessment"]),
    ("we got the draft plan, what do we check", ["section f", "specific", "15 days"]),
    ("how do I appeal to the send tribunal", ["appeal"]),
    ("how do i get an adhd diagnosis for him", ["gp", "referral", "right to choose"]),
    ("what happens to the ehcp when she goes to college", ["college", "post-16", "25"]),
    ("can I ask the council to assess him myself", ["yourself", "you can ask"]),
    ("school won't apply for a statement, can I?", ["yourself", "you can ask"]),
    ("how do i get the school I want named in the plan", ["name", "named"]),
    ("what's the deadline to appeal the council's decision", ["2 months"]),
    ("do I really have to go to mediation first", ["mediation"]),
    ("how do i get a mediation certificate", ["certificate"]),
    ("how do I complain to the ombudsman about the council", ["ombudsman"]),
    ("can she have extra time in her exams", ["exam", "access arrangements"]),
    ("is it discrimination to ban her from prom", ["discriminat", "unlawful"]),
    ("what should school be doing without an EHCP", ["sen support", "best endeavours"]),
    ("are there short breaks for families like ours", ["short break"]),
]


@pytest.mark.parametrize(("typed", "title"), STATEMENTS)
async def test_a_statement_gets_its_topic_overview(
    client: httpx.AsyncClient, typed: str, title: str
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(typed)
    # Everyday distress ("I'm exhausted") gets the answer, then one kind line.
    replies = [r for r in parent.replies if not r["text"].startswith("That sounds exhausting")]
    assert replies[0]["text"].startswith(f"**{title}**"), parent.text[:120]
    assert "Source: " in parent.text
    await parent.press("Read more")
    assert parent.text.rstrip().endswith("This is general information, not legal advice.")


@pytest.mark.parametrize(("typed", "words"), QUESTIONS)
async def test_a_question_gets_a_fact_that_answers_it(
    client: httpx.AsyncClient, typed: str, words: list[str]
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(typed)
    first = parent.replies[0]
    assert first.get("kind") == "answer", first["text"][:120]
    assert any(w in first["text"].lower() for w in words), first["text"][:160]
    assert "Source: " in first["text"]
    await parent.press("Read more")
    assert parent.text.rstrip().endswith("This is general information, not legal advice.")


async def test_a_vague_message_asks_what_they_mean_with_a_person_option(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("the plan")
    reply = parent.replies[0]
    assert reply["text"] in (
        "I want to get this right for you. Are you asking about one of these?",
        "I'm not quite sure I understood. Did you mean one of these?",
    )
    labels = [b["label"] for b in reply["buttons"]]
    assert len(labels) == 4 and labels[-1] == "Talk to a person"
    # The main menu stays in reach too.
    assert "EHC plans" in parent.buttons
    suggestion = reply["buttons"][0]
    await parent.send(payload=suggestion["payload"])
    assert parent.replies[0]["text"]  # the chosen topic answers


async def test_out_of_scope_gets_a_kind_word_about_what_champion_does(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("what's the weather like tomorrow in Leeds")
    assert "I can help with your child's special educational needs" in parent.text
    assert "Main menu" in parent.buttons


async def test_a_greeting_mid_conversation_shows_the_menu(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.say("hiya")
    assert "What would you like help with?" in parent.text


async def test_an_unknown_intent_button_is_stale(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.send(payload="intent:made_up")
    assert "earlier step" in parent.replies[0]["text"]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("what is an accessibility plan", ["accessibility plan"]),
        ("what counts as disabled", ["disab"]),
        ("the council wants to stop his plan, can they", ["cease", "end", "stop"]),
    ],
)
async def test_an_answer_offers_more_and_a_person(
    client: httpx.AsyncClient, typed: str, words: list[str]
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(typed)
    reply = parent.replies[0]
    assert any(w in reply["text"].lower() for w in words), reply["text"][:160]
    assert "Source: " in reply["text"]  # where the fact comes from, in one short line
    labels = [b["label"] for b in reply["buttons"]]
    assert labels[0] == "Read more"
    assert labels[-1] == "Talk to a person"
    assert len(labels) >= 3  # at least one related answer
    await parent.press("Read more")
    assert parent.text.rstrip().endswith("This is general information, not legal advice.")
    history = await parent.history()
    assert history[-2]["direction"] == "in" and history[-2]["text"]  # what was pressed is kept
