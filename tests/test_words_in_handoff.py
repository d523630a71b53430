"""Every global word works while a Parent Champion has the chat (issue #17).

help and human: a note that a champion is already here, passed on as typed.
menu and back: "Leave your chat with Sam and go back to Champion?"; Yes ends the
hand-off, and the champion sees that the parent went back to the bot.
stop: as ever, and the champion sees that the parent stopped.
mydata and delete: as ever, with their confirmations, not passed on.
"""

from __future__ import annotations

from typing import Any

from bot.handoff import tickets
from bot.handoff.words import word_of
from tests.chat import Parent
from tests.console import Champion
from tests.test_handoff import champion_of, waiting_parent


async def with_sam(app: Any, client: Any) -> tuple[Parent, int, Champion]:
    """A parent whose chat Sam has claimed and answered."""
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    assert (await sam.claim(ticket.id)).status_code == 303
    assert (await sam.reply(ticket.id, "Hello, I'm Sam.")).status_code == 303
    return parent, ticket.id, sam


async def read_ticket(app: Any, ticket_id: int) -> tickets.TicketView:
    found = await app.state.services.database.read(tickets.get_ticket, ticket_id)
    assert found is not None
    return found


def test_the_words_are_read_typed_or_pressed() -> None:
    assert word_of(None, "Menu") == "menu"
    assert word_of(None, "/help") == "help"
    assert word_of(None, "My data") == "mydata"
    assert word_of(None, "my data.") == "mydata"
    assert word_of("global:delete", None) == "delete"
    assert word_of(None, "help me with the plan") is None
    assert word_of("global:agree", None) is None
    assert word_of("main:start:0", None) is None


async def test_each_message_is_acknowledged_by_first_name(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, sam = await with_sam(app, client)
    replies = await parent.say("He was sent home again today")
    assert [(r["text"], r.get("kind")) for r in replies] == [("Sent to Sam.", "receipt")]
    assert "sent home again today" in await sam.transcript(ticket_id)


async def test_before_anyone_joins_later_messages_are_acknowledged_too(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent, _ticket = await waiting_parent(app, client)
    await parent.say("First message")
    assert "I've passed that on" in parent.text
    await parent.say("Second message")
    assert parent.text == "Sent. A Parent Champion will read it when they join."
    await parent.say("help")
    assert parent.text.startswith("You've already asked for a Parent Champion")


async def test_help_and_human_say_a_champion_is_here_and_are_passed_on(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent, ticket_id, sam = await with_sam(app, client)
    for word in ("help", "HUMAN"):
        await parent.say(word)
        assert parent.text.startswith("Sam is already here to help")
        assert parent.buttons == ["Back to the bot"]
    ticket = await read_ticket(app, ticket_id)
    assert ticket.relaying and ticket.status == "claimed"
    assert "HUMAN" in await sam.transcript(ticket_id)


async def test_menu_asks_before_leaving_and_no_stays(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, _sam = await with_sam(app, client)
    await parent.say("menu")
    assert parent.text == "Leave your chat with Sam and go back to Champion?"
    assert parent.buttons == ["Yes", "No"]
    await parent.press("No")
    assert parent.text.startswith("OK, your chat with Sam carries on")
    ticket = await read_ticket(app, ticket_id)
    assert ticket.relaying and ticket.status == "claimed"
    # Not passed on: the champion never got "menu" as a message to answer.
    assert ticket.parent_messages == 0
    # And a plain message afterwards goes to Sam as usual.
    assert (await parent.say("Sorry, wrong button"))[0]["text"] == "Sent to Sam."


async def test_back_then_yes_ends_the_hand_off(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, sam = await with_sam(app, client)
    await parent.say("back")
    assert parent.text == "Leave your chat with Sam and go back to Champion?"
    await parent.press("Yes")
    assert "You're back with the Champion bot" in parent.text
    ticket = await read_ticket(app, ticket_id)
    assert (ticket.status, ticket.outcome) == ("closed", "parent_ended")
    assert "The parent went back to the bot" in await sam.transcript(ticket_id)


async def test_a_typed_yes_answers_the_question(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, _sam = await with_sam(app, client)
    await parent.say("Main menu")
    await parent.say("yes")
    assert "You're back with the Champion bot" in parent.text
    assert (await read_ticket(app, ticket_id)).status == "closed"


async def test_other_words_after_the_question_go_to_the_champion(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, sam = await with_sam(app, client)
    await parent.say("menu")
    await parent.say("Actually one more thing about his transport")
    assert parent.text == "Sent to Sam."
    assert "about his transport" in await sam.transcript(ticket_id)
    # The question lapsed: a later "yes" is for Sam, not a way out.
    await parent.say("yes")
    assert parent.text == "Sent to Sam."
    assert (await read_ticket(app, ticket_id)).status == "claimed"


async def test_stop_ends_it_and_the_champion_sees(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, sam = await with_sam(app, client)
    await parent.say("stop")
    assert parent.text.startswith("Thank you for talking to Champion")
    ticket = await read_ticket(app, ticket_id)
    assert (ticket.status, ticket.outcome) == ("closed", "parent_ended")
    assert "The parent typed stop and ended the chat" in await sam.transcript(ticket_id)


async def test_my_data_is_answered_not_passed_on(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, _sam = await with_sam(app, client)
    for typed in ("mydata", "My data"):
        await parent.say(typed)
        assert "Here is what Champion holds about you" in parent.text
    ticket = await read_ticket(app, ticket_id)
    assert ticket.parent_messages == 0 and ticket.relaying


async def test_delete_asks_first_and_no_keeps_everything(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, _sam = await with_sam(app, client)
    await parent.say("delete")
    assert "Delete everything?" in parent.text
    await parent.say("no")
    assert "nothing has been deleted" in parent.text
    ticket = await read_ticket(app, ticket_id)
    assert ticket.parent_messages == 0 and ticket.status == "claimed"


async def test_delete_then_yes_erases(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket_id, _sam = await with_sam(app, client)
    await parent.say("delete")
    await parent.press("Yes")
    assert "Everything Champion held about you has been deleted" in parent.text
    found = await app.state.services.database.read(tickets.get_ticket, ticket_id)
    assert found is None or found.parent_id is None


async def test_champion_messages_carry_a_first_name(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, _ticket_id, _sam = await with_sam(app, client)
    history = await parent.history()
    assert history[-1]["sender"] == "champion"
    assert history[-1].get("author") == "Sam"


async def test_my_data_as_two_words_works_mid_question_too(app_and_client: tuple) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    assert "How old is your child?" in parent.text
    await parent.say("My data")
    assert "Here is what Champion holds about you" in parent.text
