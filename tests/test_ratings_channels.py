""" "How did it go?" on Telegram and WhatsApp (issue #18): the real clients against the fakes."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.handoff import tickets
from tests.console import Champion, add_account, client_for
from tests.test_ratings import rating_rows
from tests.test_telegram import TelegramParent, telegram_app
from tests.test_whatsapp import WhatsAppParent, choices, whatsapp_app


async def sam_talks_then_closes(app: Any) -> Champion:
    [ticket] = await app.state.services.database.read(tickets.queue, None)
    sam = Champion(client_for(app), await add_account(app, "champion", ["Leeds"], "Sam Jones"))
    await sam.sign_in()
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello from Sam. How can I help?")
    assert (await sam.close(ticket.id)).status_code == 303
    return sam


async def test_a_telegram_parent_is_asked_and_their_score_kept(settings: Settings) -> None:
    async with telegram_app(settings) as (app, fake):
        parent = TelegramParent(fake, 4101)
        parent.say("/start")
        await parent.expect("Hello, I'm Champion")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("/human")
        await parent.expect("which council do you live in")
        parent.say("Leeds")
        await parent.expect("I've asked a Parent Champion")
        await sam_talks_then_closes(app)

        question = await parent.expect("How did it go talking to Sam?")
        labels = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [
            "1 Not helpful",
            "2 A little helpful",
            "3 Quite helpful",
            "4 Helpful",
            "5 Very helpful",
        ]
        await parent.press("4 Helpful")
        await parent.expect("Anything you'd like to add? (optional)")
        parent.say("Quick and kind, thank you")
        await parent.expect("Thank you for telling us")
        [row] = await rating_rows(app)
        assert (row.score, row.comment, row.channel) == (4, "Quick and kind, thank you", "telegram")


async def test_a_whatsapp_parent_is_asked_and_their_score_kept(settings: Settings) -> None:
    async with whatsapp_app(settings) as (app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900101")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        await parent.say("agree")
        await parent.expect("What would you like help with?")
        await parent.say("I want to talk to a person")
        await parent.expect("which council do you live in")
        await parent.say("Leeds")
        await parent.expect("I've asked a Parent Champion")
        await sam_talks_then_closes(app)

        question = await parent.expect("How did it go talking to Sam?")
        # Five choices are more than WhatsApp's three reply buttons: a list.
        assert question["interactive"]["type"] == "list"
        rows = choices(question)
        assert list(rows) == [
            "1 Not helpful",
            "2 A little helpful",
            "3 Quite helpful",
            "4 Helpful",
            "5 Very helpful",
        ]
        await parent.press(rows["5 Very helpful"], "5 Very helpful", kind="list_reply")
        comment = await parent.expect("Anything you'd like to add? (optional)")
        await parent.press(choices(comment)["Skip this question"], "Skip this question")
        await parent.expect("Thank you for telling us")
        [row] = await rating_rows(app)
        assert (row.score, row.comment, row.channel) == (5, None, "whatsapp")
