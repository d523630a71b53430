"""A crisis anywhere in a message, however it is written, and the question still answered."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest

from bot.handoff import tickets
from bot.handoff.events import alert_topics
from bot.reading.sentences import split_sentences
from bot.store.conversations import urgent_conversations
from tests.chat import Parent
from tests.console import ask_for_a_champion
from tests.test_crisis_in_conversation import STATES, assert_crisis_message

SCHOOL = (
    "Hi, sorry this is long. My son is in Year 7 and has an EHCP for autism. "
    "The school keep ringing me to collect him at lunchtime and they have cut his hours. "
    "We asked for an annual review in March and nothing has happened. "
)
LONG_CRISIS = (
    SCHOOL
    + "last night he said he wishes he could go to sleep and not wake up. "
    + ("The SENCO says there is no money for the support in section F.")
)


def test_sentences_are_found_without_punctuation_and_in_run_ons() -> None:
    text = "we waited 25 weeks for the plan and tbh my son said he wants to die 😢 what do i do"
    pieces = [s.text for s in split_sentences(text)]
    assert "what do i do" in pieces
    assert any(p.startswith("tbh my son said he wants to die") for p in pieces)
    assert any(p == "we waited 25 weeks for the plan" for p in pieces)


async def mid_triage(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")


async def mid_letter(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press(parent.buttons[0])


@pytest.mark.parametrize(
    "where", ["mid triage", "mid letter", "after stop", "main menu", "first message"]
)
async def test_one_crisis_sentence_in_a_long_message_is_a_crisis(
    app_and_client: tuple, where: str
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    states = {**STATES, "mid triage": mid_triage, "mid letter": mid_letter}
    await states[where](parent)
    await parent.say(LONG_CRISIS)
    assert_crisis_message(parent.replies)
    queue = await app.state.services.database.read(tickets.queue, None)
    assert [(t.chat_id, t.urgency) for t in queue] == [(parent.session, "crisis")]


async def test_a_crisis_while_a_champion_has_the_chat_raises_the_ticket_and_alerts(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    services = app.state.services
    parent = Parent(client)
    await ask_for_a_champion(parent)
    before = await services.database.read(tickets.queue, None)
    assert [t.urgency for t in before] == ["routine"]
    with services.events.subscribe(*alert_topics()) as alerts:
        await parent.say(LONG_CRISIS)
        assert await alerts.wait(1)
        assert alerts.heard() == ["alert:crisis:web"]
    assert "116 123" in parent.replies[0]["text"]
    after = await services.database.read(tickets.queue, None)
    assert [(t.id, t.urgency) for t in after] == [(before[0].id, "crisis")]


async def test_crisis_and_a_question_get_the_numbers_first_then_the_answer(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(
        "She says she wants to kill herself. The school have excluded her for a week, "
        "can they exclude her for something caused by her autism?"
    )
    replies = parent.replies
    assert replies[0].get("kind") == "crisis"
    assert "999" in replies[0]["text"] and "116 123" in replies[0]["text"]
    later = " ".join(r["text"] for r in replies[1:]).lower()
    assert "exclu" in later, later[:300]


async def test_everyday_distress_gets_a_kind_line_support_and_the_answer(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("I'm exhausted. How do I ask the council for an EHC needs assessment?")
    assert "999" not in parent.text
    # The fact comes first; the kind line and "Support for you" follow it.
    assert "assessment" in parent.replies[0]["text"].lower(), parent.replies[0]["text"][:200]
    last = parent.replies[-1]
    assert last["text"].startswith("That sounds exhausting"), last["text"][:200]
    assert "Support for you" in [b["label"] for b in last["buttons"]]
    assert await app.state.services.database.read(urgent_conversations) == []
    assert await app.state.services.database.read(tickets.queue, None) == []
    await parent.press("Support for you")
    assert "0808 808 3555" in parent.text


async def test_cant_do_this_anymore_gets_a_check_in_and_a_follow_up(app_and_client: tuple) -> None:
    app, client = app_and_client
    database = app.state.services.database
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("I can't do this anymore")
    assert "Are you safe?" in parent.text and "116 123" in parent.text
    assert parent.buttons[:2] == ["I'm safe, just exhausted", "I need help now"]
    queue = await database.read(tickets.queue, None)
    assert [(t.urgency, t.category) for t in queue] == [("routine", "wellbeing")]
    # The bot keeps helping: the follow-up does not take the chat away.
    await parent.press("I'm safe, just exhausted")
    assert "check in with you" in parent.text
    await parent.say("I can't do this anymore")
    await parent.press("I need help now")
    assert_crisis_message(parent.replies)
    queue = await database.read(tickets.queue, None)
    assert [(t.urgency, t.category) for t in queue] == [("crisis", "crisis")]


async def test_the_crisis_reply_does_not_wait_for_a_locked_database(
    app_and_client: tuple, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("this test locks the SQLite file; tests/test_crisis_stall.py stalls PostgreSQL")
    app, client = app_and_client
    services = app.state.services
    parent = Parent(client)
    await parent.at_main_menu()
    # Another process takes the write lock and holds it.
    path = database_url.split("///", 1)[1]
    other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        await parent.say("my son is having a seizure and it won't stop")
        took = time.perf_counter() - started
        assert_numbers_only = parent.replies[0]
        assert "999" in assert_numbers_only["text"]
        assert took < 2.0, took
        # An ordinary message gets a polite "try again", not a hang.
        started = time.perf_counter()
        ordinary = await parent.post(text="how do I ask for an EHC needs assessment")
        assert ordinary.status_code == 503
        assert "try again in a minute" in ordinary.json()["replies"][0]["text"]
        assert time.perf_counter() - started < 6  # never a hang
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Once the database answers, the urgent ticket is saved.
    await asyncio.wait_for(services.dispatcher.wait_for_saves(), 30)
    queue = await services.database.read(tickets.queue, None)
    assert [(t.chat_id, t.urgency) for t in queue] == [(parent.session, "crisis")]


# Issue 13, fewer false alarms: ordinary questions in parents' words are not a crisis
# (none of these is in the training data), and crises written the same way still are.
ORDINARY = [
    "my son hasnt been at school since easter, who should be educating him",
    "shes not been to school since november who teaches her now",
    "does his ehcp stop when he turns 25 or can it go on",
    "the tribunal bundle is killing me",
    "im so tired i could sleep for a week",
    "he loves playing zombies at break",
    "my son has epilepsy and needs a care plan for the school trip",
    "this council is driving me to an early grave lol",
    "can the school keep her epipen in the office instead of her bag",
    "he's obsessed with a game where you fight monsters in a dungeon",
    # A question about a school's policy or training names the crisis, it is not one.
    "does the school have a suicide prevention policy",
    "the school's self-harm policy says they must tell parents, is that right",
    "does the school do online grooming awareness lessons",
    # Lost paperwork, a TA taken to cover, leaving class and sitting down to a letter:
    # each matched a missing-child or restraint rule before.
    "the council lost my son's ehcp paperwork twice, who do i complain to",
    "the annual review paperwork for my son went missing twice and nobody rings back",
    "his ta has been taken away to cover other classes most afternoons, is that allowed",
    "by the time i sat down to deal with the council letter it was 10 weeks old, can i still appeal",
    "he has run out of class when overwhelmed and now they say he cant go on the residential",
    # A child's diagnosis or age in a plain question: the classifier called both a crisis
    # until it was trained on whole messages written blind (nlu_data/crisis_messages/).
    "My daughter hasn't been diagnosed with anything yet. Can I still ask for an EHC needs "
    "assessment?",
    "Can they stop my son's plan just because he has turned 19?",
]
STILL_CRISIS = [
    "my son is suicidal, what should the school's suicide prevention policy say",
    "she's self-harming again and the school says their self-harm policy was followed",
    "my son hasnt been seen since this morning and hes not answering his phone",
    "she hasn't eaten or had a drink since sunday",
    "I keep wishing I could just disappear for good",
    "i think im going to crash the car on purpose on the way home",
    "they locked her in a room on her own at school all afternoon",
    "my boyfriend hit me again last night in front of the kids",
    "we lost our son at the park and cant find him",
    "my son went missing from school an hour ago",
    "she has been taken by her dad and he wont bring her back",
    "he ran out of school and no one knows where he is",
    "the staff sat on him and he couldnt breathe",
    # The wordings next to the ordinary ones above, which the narrowed rules still catch.
    "he ran out of class and out the gates",
    "my daughter Greta has been taken by her dad",
    "one of my twins is missing",
    "what do i do about my son gone missing",
    "staff sat him face down on the floor",
    "he was sat down on the floor by two staff and was crying in pain",
]


@pytest.fixture(scope="module")
def reader() -> object:
    from bot.config import Settings
    from bot.services import start_reader

    return start_reader(Settings())


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_are_not_a_crisis(reader, text: str) -> None:
    assert not reader.read(text).crisis
    assert not reader.read(SCHOOL + text).crisis


@pytest.mark.parametrize("text", STILL_CRISIS)
def test_crises_written_like_the_ordinary_questions_are_still_caught(reader, text: str) -> None:
    assert reader.read(text).crisis
    assert reader.read(SCHOOL + text + ". Who do I contact about his review?").crisis


# A clause cut from a long run-on is scored alone only from five words: the openings
# below ("my son is 9") scored up to 0.95 alone and made these ordinary questions a
# crisis. Crises in a short clause of a run-on are still caught (their sentence and
# the rules read them).
LONG_ORDINARY = [
    "my son is 9 and autistic and the nearest school that can meet his needs is 4 miles "
    "away, he cant walk that far and the council say he isnt eligible, can they refuse "
    "transport",
    "my daughter is 6 and in year 1 and the school keep phoning me to come in and do her "
    "insulin myself at lunch because nobody is trained, is that allowed",
]
SHORT_CLAUSE_CRISIS = [
    "we had the annual review yesterday and it went ok, the school were fine with the "
    "changes and the senco was lovely, and now she is missing",
    "the school rang about the ehcp draft and the meeting next week and the taxi, hes in "
    "year 9, and he took 20 pills",
    "my son is 9 and the council still havent sent the draft after 20 weeks and i chased "
    "again today, and he said he wants to die",
]


@pytest.mark.parametrize("text", LONG_ORDINARY)
def test_a_childs_age_in_a_long_question_is_not_a_crisis(reader, text: str) -> None:
    assert not reader.read(text).crisis


@pytest.mark.parametrize("text", SHORT_CLAUSE_CRISIS)
def test_a_crisis_in_a_short_clause_of_a_run_on_is_caught(reader, text: str) -> None:
    assert reader.read(text).crisis


# A crisis told as settled history is a check-in (borderline), not a crisis ticket;
# anything about now keeps it a crisis (bot/safety/history.py).
SETTLED_HISTORY = [
    "Back in 2020 I left an abusive partner and we're safe now. How do I move his EHCP "
    "to a new council?",
    "Some background: my daughter took an overdose three years ago. She's been well for a long "
    "time and she's happy now. Can she get extra time in her exams?",
]
HISTORY_BUT_NOW = [
    "Two years ago my son took an overdose and he's been well since. Tonight he told me he "
    "wants to die.",
    "She used to self harm when she was 12 and she came through it, but I found fresh cuts "
    "on her arm",
    "My daughter went missing last year and was found safe. She hasn't come home from school "
    "and it's 9pm",
    "When he was 5 he stopped eating and had a feeding team, he was fine. He hasn't eaten for "
    "four days now",
    "he used to run off when he was little but he's fine now. he's gone, we can't find him "
    "anywhere",
    "my son was groomed two years ago, the man is in prison, but another man has been "
    "messaging him asking for photos",
    "A while back my son took an overdose. He has been well. I've just found him with an "
    "empty packet of my tablets",
]


@pytest.mark.parametrize("text", SETTLED_HISTORY)
def test_settled_history_gets_a_check_in_not_a_crisis(reader, text: str) -> None:
    screening = reader.read(text).screening
    assert not screening.crisis
    assert screening.level == "borderline"  # still "Are you safe?" with Samaritans
    assert "settled-history" in screening.reasons


@pytest.mark.parametrize("text", HISTORY_BUT_NOW)
def test_history_with_a_crisis_now_is_still_a_crisis(reader, text: str) -> None:
    assert reader.read(text).crisis
