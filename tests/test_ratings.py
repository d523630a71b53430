""" "How did it go?" after a champion closes a chat (issue #18), over /api/chat and the console."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func, select

from bot.config import Settings
from bot.handoff import tickets
from bot.handoff.rating_table import TicketRating
from tests.chat import Parent
from tests.test_erasure_traces import bytes_hold, files_of
from tests.test_handoff import champion_of, ticket_of, waiting_parent

QUESTION = "How did it go talking to Sam?"
SCORES = ["1 Not helpful", "2 A little helpful", "3 Quite helpful", "4 Helpful", "5 Very helpful"]


async def rating_rows(app: Any) -> list[Any]:
    ratings = TicketRating.__table__

    def read(connection: Any) -> list[Any]:
        return list(connection.execute(select(ratings).order_by(ratings.c.id)))

    return await app.state.services.database.read(read)


async def talked_and_closed(app: Any, client: Any, parent: Parent | None = None) -> tuple:
    """A Leeds parent who talked to Sam, whose chat Sam has now closed."""
    if parent is None:
        parent, ticket = await waiting_parent(app, client)
    else:
        ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    assert (await sam.claim(ticket.id)).status_code == 303
    assert (await sam.reply(ticket.id, "Hello, I'm Sam. How can I help?")).status_code == 303
    await parent.say("Thank you, that's all I needed")
    assert (await sam.close(ticket.id)).status_code == 303
    return parent, ticket, sam


async def asked(parent: Parent) -> dict[str, Any]:
    """The rating question as the web chat received it (the chat's history)."""
    history = await parent.history()
    assert history[-2]["text"].startswith("The Parent Champion has closed this chat")
    question = history[-1]
    assert question["text"].startswith(QUESTION)
    # The page shows the newest message's buttons: the parent presses one.
    parent.replies = [{"text": question["text"], "buttons": question["buttons"]}]
    return question


async def test_a_parent_rates_their_chat_and_admins_see_it_for_the_week(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent, ticket, sam = await talked_and_closed(app, client)
    question = await asked(parent)
    assert [b["label"] for b in question["buttons"]] == SCORES

    await parent.press("5 Very helpful")
    assert "Anything you'd like to add? (optional)" in parent.text
    assert "Skip this question" in parent.buttons
    await parent.say("Sam explained the exclusion rules really clearly.")
    assert "Thank you for telling us" in parent.text

    [row] = await rating_rows(app)
    assert (row.ticket_id, row.score, row.channel) == (ticket.id, 5, "web")
    assert row.comment == "Sam explained the exclusion rules really clearly."

    # The admin's report: this week, one rating, average 5, with the comment.
    admin = await champion_of(app, [], role="admin", name="Ada Admin")
    page = await admin.client.get("/console/reports")
    assert page.status_code == 200
    assert "How did it go? Ratings from parents" in page.text
    assert "5.0" in page.text
    assert "Sam explained the exclusion rules really clearly." in page.text
    exported = await admin.client.get("/console/reports.csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    weekly = {(r[0], r[2]): r[3] for r in rows if r[1]}
    assert weekly[("ratings_given", "")] == "1"
    assert weekly[("ratings_average", "")] == "5.0"
    assert weekly[("ratings_by_score", "5")] == "1"
    assert "exclusion rules" not in exported.text  # the CSV is counts only

    # Sam sees it on "My ratings"; another champion sees none of it, nor the reports.
    mine = await sam.client.get("/console/ratings")
    assert mine.status_code == 200
    assert "Sam explained the exclusion rules really clearly." in mine.text
    alex = await champion_of(app, ["Leeds"], name="Alex")
    theirs = await alex.client.get("/console/ratings")
    assert theirs.status_code == 200
    assert "exclusion rules" not in theirs.text and "No ratings yet" in theirs.text
    assert (await alex.client.get("/console/reports")).status_code == 403


async def test_skipping_the_comment_still_keeps_the_score(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    await asked(parent)
    await parent.say("4")  # typed, not pressed
    await parent.press("Skip this question")
    assert "Thank you for telling us" in parent.text
    [row] = await rating_rows(app)
    assert (row.score, row.comment) == (4, None)


async def test_a_parent_who_types_a_question_instead_gets_their_answer(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    await asked(parent)
    await parent.say("what is an EHC plan?")
    assert "EHC" in parent.text and "How did it go" not in parent.text
    [row] = await rating_rows(app)
    assert row.score is None  # asked, never answered
    # The question lapsed: a late press of a score says so, and nothing is stored.
    await parent.send(payload="rating:score:4")
    assert "That question has closed now" in parent.text
    [row] = await rating_rows(app)
    assert row.score is None


async def test_global_words_and_a_crisis_still_work_while_asked(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    await asked(parent)
    await parent.say("help")
    assert "How did it go talking to Sam?" in parent.text  # help, then the question again
    await parent.say("menu")
    assert "What would you like help with?" in parent.text
    [row] = await rating_rows(app)
    assert row.score is None


async def test_a_crisis_while_asked_gets_the_crisis_reply(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    await asked(parent)
    await parent.say("I want to kill myself")
    assert parent.replies[0].get("kind") == "crisis"
    assert "How did it go" not in parent.text
    [row] = await rating_rows(app)
    assert row.score is None


async def test_a_score_pressed_twice_gets_a_clear_reply(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    question = await asked(parent)
    five = question["buttons"][4]["payload"]
    await parent.send(payload=five)
    await parent.send(payload=question["buttons"][0]["payload"])  # pressed again, late
    assert "That question has closed now" in parent.text
    [row] = await rating_rows(app)
    assert row.score == 5  # the second press changed nothing


async def test_without_consent_nothing_is_asked_or_stored(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.open_chat()
    await parent.press("Just general information")
    # A crisis reaches a champion whether or not the parent agreed to the notice.
    await parent.say("I want to kill myself")
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam. Are you safe right now?")
    assert (await sam.close(ticket.id, "safeguarding_referral")).status_code == 303
    history = await parent.history()
    assert history[-1]["text"].startswith("The Parent Champion has closed this chat")
    assert all("How did it go" not in m["text"] for m in history)
    assert await rating_rows(app) == []


async def test_nothing_is_asked_when_no_champion_talked_to_them(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    assert (await sam.close(ticket.id, "other")).status_code == 303
    closed = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert closed.first_response_at is None
    assert all("How did it go" not in m["text"] for m in await parent.history())
    assert await rating_rows(app) == []


async def test_my_data_holds_the_rating_and_delete_erases_it(
    app_and_client: tuple, settings: Settings
) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    await asked(parent)
    await parent.press("3 Quite helpful")
    await parent.say("It took a while, Quokka lantern 4711.")
    await parent.say("mydata")
    documents = {
        r["document"]["filename"]: r["document"] for r in parent.replies if "document" in r
    }
    data = (await parent.download(documents["my-champion-data.json"]["url"])).json()
    page = (await parent.download(documents["my-champion-data.html"]["url"])).text
    assert "How you said your chats with a Parent Champion went" in page
    assert "You rated it 3 out of 5." in page and "Quokka lantern 4711" in page
    assert data["your_ratings_of_parent_champions"][0]["score"] == 3
    assert data["your_ratings_of_parent_champions"][0]["comment"] == (
        "It took a while, Quokka lantern 4711."
    )

    sqlite = settings.database_url.startswith("sqlite")
    if sqlite:  # on disk before the erasure, or the check after it proves nothing
        assert bytes_hold(files_of(settings), "Quokka lantern")
    await parent.say("delete")
    await parent.press("Yes")
    assert "deleted" in parent.text
    ratings = TicketRating.__table__

    def count(connection: Any) -> int:
        return connection.execute(select(func.count()).select_from(ratings)).scalar_one()

    assert await app.state.services.database.read(count) == 0
    if sqlite:
        # Not left in the file's free pages or its write-ahead log either.
        assert bytes_hold(files_of(settings), "Quokka lantern") == []


async def test_a_question_in_the_comment_is_kept_and_answered(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, _ticket, _sam = await talked_and_closed(app, client)
    await asked(parent)
    await parent.press("4 Helpful")
    await parent.say("Sam was lovely. What is an EHC plan?")
    assert "Thank you for telling us" in parent.text
    # The question is answered too, after the thanks.
    assert parent.replies[-1].get("kind") == "answer" and "EHC" in parent.replies[-1]["text"]
    [row] = await rating_rows(app)
    assert (row.score, row.comment) == (4, "Sam was lovely. What is an EHC plan?")


async def test_a_parent_back_with_the_bot_is_not_pulled_out_of_what_they_are_doing(
    app_and_client: tuple,
) -> None:
    """A crisis ticket stays open when the parent goes back to the bot; closing it later
    must not move them from where they are to the rating question."""
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("I want to kill myself")
    assert parent.replies[0].get("kind") == "crisis"
    ticket = await ticket_of(app, parent)
    ada = await champion_of(app, [], role="admin", name="Ada")
    assert (await ada.claim(ticket.id)).status_code == 303
    assert (await ada.reply(ticket.id, "I'm Ada. I'm here with you.")).status_code == 303
    await parent.say("back")
    await parent.press("Yes")
    assert (await app.state.services.database.read(tickets.get_ticket, ticket.id)).status != (
        "closed"
    ), "a crisis ticket stays open after the parent goes back to the bot"
    await parent.say("EHC plans")
    choice = parent.replies[-1]["buttons"][0]["label"]
    assert (await ada.close(ticket.id)).status_code == 303
    assert all("How did it go" not in m["text"] for m in await parent.history())
    assert await rating_rows(app) == []
    # Still where they were: the menu they had open still answers.
    await parent.press(choice)
    assert "earlier step" not in parent.text and "How did it go" not in parent.text
