"""Follow-ups (issue #18): "check back with this family on <date>", set on the ticket page,
listed on the queue when due, and sent once by the sweep: a reminder in the staff chat
and, if written, a message to the parent. Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from sqlalchemy import select, update

from bot.config import Settings
from bot.core.dates import UK, uk_today
from bot.handoff import follow_ups, tickets
from bot.handoff.follow_up_sweep import sweep_follow_ups
from bot.handoff.follow_up_table import FollowUp
from bot.store.models import utcnow
from tests.conftest import running_app
from tests.console import Champion, add_account, client_for
from tests.test_handoff import champion_of, waiting_parent
from tests.test_telegram import TelegramParent, telegram_app

MESSAGE = "Hello again, this is Sam. How did the meeting with school go?"
NOTE = "Ask whether the SENCo replied about the exclusion."


def tomorrow() -> dt.date:
    return uk_today() + dt.timedelta(days=1)


def due_at(day: dt.date, at: dt.time = dt.time(9, 0)) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=UK).astimezone(dt.UTC)


async def rows(app: Any) -> list[Any]:
    return await app.state.services.database.read(
        lambda c: list(c.execute(select(FollowUp.__table__).order_by(FollowUp.id)).all())
    )


async def set_follow_up(champion: Champion, ticket_id: int, **fields: str) -> Any:
    return await champion.post(f"/console/tickets/{ticket_id}/follow-ups", **fields)


async def claimed_ticket(app: Any, client: Any) -> tuple[Any, Any, Champion]:
    """A Leeds parent whose ticket Sam has claimed."""
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    assert (await sam.claim(ticket.id)).status_code == 303
    return parent, ticket, sam


async def test_setting_a_follow_up_from_the_ticket_page(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket, sam = await claimed_ticket(app, client)
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    assert 'id="follow-up-form"' in page
    assert "This will be sent to the parent on web on that day" in page

    response = await set_follow_up(
        sam, ticket.id, date=tomorrow().isoformat(), time="", note=NOTE, message=MESSAGE
    )
    assert response.status_code == 303
    page = (await sam.client.get(response.headers["location"])).text
    assert "Follow-up set." in page
    listed = page.split('id="follow-up-list"')[1].split("</ul>")[0]
    assert NOTE in listed and MESSAGE in listed and "To the parent on the day:" in listed
    assert "09:00" in listed  # 9am UK time unless a time is given
    [row] = await rows(app)
    assert row.status == "pending" and row.due_at.astimezone(dt.UTC) == due_at(tomorrow())

    # A time of day, in UK time; no message: only a reminder.
    later = await set_follow_up(sam, ticket.id, date=tomorrow().strftime("%d/%m/%Y"), time="14:30")
    assert later.status_code == 303
    second = (await rows(app))[1]
    assert second.due_at.astimezone(dt.UTC) == due_at(tomorrow(), dt.time(14, 30))
    assert second.parent_message is None and second.note is None

    # Audited like other ticket actions, with no words of the note or the message.
    admin = await champion_of(app, [], role="admin", name="Ada")
    audit = (await admin.client.get("/console/audit", params={"ticket": ticket.id})).text
    assert "Follow up" in audit and "with a message to the parent" in audit
    assert MESSAGE not in audit and NOTE not in audit

    # Cancel: it will not go, and it leaves the ticket page.
    cancel = await sam.post(f"/console/tickets/{ticket.id}/follow-ups/{row.id}/cancel")
    assert cancel.status_code == 303
    assert [r.status for r in await rows(app)] == ["cancelled", "pending"]
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    assert MESSAGE not in page
    again = await sam.post(f"/console/tickets/{ticket.id}/follow-ups/{row.id}/cancel")
    assert again.status_code == 409 and "already gone out or was cancelled" in again.text


async def test_bad_days_times_and_lengths_are_refused_and_the_words_kept(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    _parent, ticket, sam = await claimed_ticket(app, client)
    today = uk_today()
    cases = [
        ({"date": ""}, "Choose the day to check back."),
        ({"date": "next week"}, "Give the day as day/month/year"),
        ({"date": "31/02/2027"}, "Give the day as day/month/year"),
        ({"date": (today - dt.timedelta(days=1)).isoformat()}, "That day has passed."),
        ({"date": today.isoformat(), "time": "00:00"}, "That time has passed today."),
        ({"date": (today + dt.timedelta(days=400)).isoformat()}, "within a year"),
        ({"date": tomorrow().isoformat(), "time": "25:00"}, "Give the time as hours and minutes"),
        ({"date": tomorrow().isoformat(), "note": "n" * 301}, "notes can be up to 300"),
        ({"date": tomorrow().isoformat(), "message": "m" * 1001}, "it can be up to 1,000"),
    ]
    for fields, problem in cases:
        sent = {"time": "", "note": NOTE, "message": MESSAGE, **fields}
        response = await set_follow_up(sam, ticket.id, **sent)
        assert response.status_code == 400, fields
        assert problem in response.text, (fields, response.text[:200])
        form = response.text.split('id="follow-up-form"')[1].split("</form>")[0]
        assert sent["message"] in form and sent["note"] in form  # nothing typed is lost
    assert await rows(app) == []


async def test_only_the_holder_or_an_admin_in_the_area_may_set_one(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket, sam = await claimed_ticket(app, client)
    olu = await champion_of(app, ["Leeds"], name="Olu")  # same area, not the holder
    kim = await champion_of(app, ["Kent"], name="Kim")  # another area
    admin = await champion_of(app, [], role="admin", name="Ada")
    fields = {"date": tomorrow().isoformat(), "message": MESSAGE}

    page = (await olu.client.get(f"/console/tickets/{ticket.id}")).text
    assert 'id="follow-up-form"' not in page and 'id="follow-up-not-yours"' in page
    refused = await set_follow_up(olu, ticket.id, **fields)
    assert refused.status_code == 403 and "Only the champion who has this ticket" in refused.text
    assert (await set_follow_up(kim, ticket.id, **fields)).status_code == 403
    assert await rows(app) == []

    assert (await set_follow_up(admin, ticket.id, **fields)).status_code == 303
    [row] = await rows(app)
    # Olu cannot cancel or finish a follow-up that is neither theirs nor on their ticket.
    cancel = await olu.post(f"/console/tickets/{ticket.id}/follow-ups/{row.id}/cancel")
    assert cancel.status_code == 403
    assert (await kim.post(f"/console/follow-ups/{row.id}/done")).status_code == 403
    assert (await olu.post(f"/console/follow-ups/{row.id}/done")).status_code == 403
    # Without the form's CSRF token nothing changes.
    forged = await sam.client.post(f"/console/tickets/{ticket.id}/follow-ups", data=fields)
    assert forged.status_code in (400, 403)
    assert [r.status for r in await rows(app)] == ["pending"]


async def test_due_follow_up_goes_once_and_reaches_the_parent(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket, sam = await claimed_ticket(app, client)
    assert (await sam.close(ticket.id)).status_code == 303  # checking back, after closing
    response = await set_follow_up(sam, ticket.id, date=tomorrow().isoformat(), message=MESSAGE)
    assert response.status_code == 303
    services = app.state.services
    when = due_at(tomorrow())

    early = await sweep_follow_ups(services, now=when - dt.timedelta(minutes=1))
    assert early.sent == 0
    # Two sweeps at once (two processes), then one more: the message goes once.
    first, second = await asyncio.gather(
        sweep_follow_ups(services, now=when + dt.timedelta(seconds=5)),
        sweep_follow_ups(services, now=when + dt.timedelta(seconds=5)),
    )
    third = await sweep_follow_ups(services, now=when + dt.timedelta(minutes=10))
    assert first.sent + second.sent + third.sent == 1

    history = await parent.history()
    assert [m["text"] for m in history].count(MESSAGE) == 1
    # Their answer should reach a person, not the bot: the message offers one.
    [sent] = [m for m in history if m["text"] == MESSAGE]
    assert [b["label"] for b in sent["buttons"]] == ["Talk to a Parent Champion"]
    parent.replies = [{"text": sent["text"], "buttons": sent["buttons"]}]
    await parent.press("Talk to a Parent Champion")
    assert "earlier step" not in parent.text and "Parent Champion" in parent.text
    [row] = await rows(app)
    assert row.status == "sent" and row.parent_message_id is not None
    # In the transcript as from Sam, like a reply.
    assert (await sam.transcript(ticket.id)).count(MESSAGE) == 1
    lines = await services.database.read(tickets.transcript_of, ticket.parent_id)
    [line] = [x for x in lines if x.text == MESSAGE]
    assert (line.sender, line.author) == ("champion", "Sam")

    # The ticket was closed: the parent's answer goes to the bot, as after any close.
    answer = await parent.say("It went well thanks")
    assert answer
    assert (await services.database.read(tickets.get_ticket, ticket.id)).status == "closed"


async def test_the_queue_lists_due_follow_ups_and_done_clears_them(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket, sam = await claimed_ticket(app, client)
    olu = await champion_of(app, ["Leeds"], name="Olu")
    admin = await champion_of(app, [], role="admin", name="Ada")
    await set_follow_up(sam, ticket.id, date=tomorrow().isoformat(), note=NOTE, message=MESSAGE)
    assert 'id="follow-ups-due"' not in (await sam.client.get("/console")).text  # not yet due
    assert 'id="follow-ups-due"' not in (await sam.client.get("/console/queue")).text

    # The clock moves on to the day (the row's due time is moved back instead).
    database = app.state.services.database
    async with database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(
                update(FollowUp.__table__).values(due_at=utcnow() - dt.timedelta(hours=1))
            )
        )
    # An open queue page hears of it at its next refresh (each minute), not only on reload.
    refreshed = (await sam.client.get("/console/queue")).text
    assert f'href="/console/tickets/{ticket.id}"' in refreshed.split('id="follow-ups-due"')[1]
    queue = (await sam.client.get("/console")).text
    due = queue.split('id="follow-ups-due"')[1].split("</section>")[0]
    assert f'href="/console/tickets/{ticket.id}"' in due and NOTE in due
    assert "Message to the parent goes at" in due  # no Done until the message has gone
    assert 'id="follow-ups-due"' not in (await olu.client.get("/console")).text
    assert "Sam" in (await admin.client.get("/console")).text.split('id="follow-ups-due"')[1]

    await sweep_follow_ups(app.state.services)
    queue = (await sam.client.get("/console")).text
    [row] = await rows(app)
    assert f'action="/console/follow-ups/{row.id}/done"' in queue
    done = await sam.post(f"/console/follow-ups/{row.id}/done")
    assert done.status_code == 303 and done.headers["location"] == "/console?done=follow_up_done"
    queue = (await sam.client.get(done.headers["location"])).text
    assert "Follow-up marked done." in queue and 'id="follow-ups-due"' not in queue
    assert (await rows(app))[0].status == "done"


async def test_a_lease_held_by_a_crashed_process_is_picked_up_after_a_restart(
    settings: Settings,
) -> None:
    when = due_at(tomorrow())
    async with running_app(settings) as (app, client):
        _parent, ticket, sam = await claimed_ticket(app, client)
        await set_follow_up(sam, ticket.id, date=tomorrow().isoformat(), message=MESSAGE)
        # A process takes the row and dies before sending (nothing else happens).
        async with app.state.services.database.transaction() as transaction:
            [taken] = await transaction.run(follow_ups.lease_due, when)
        email = sam.email

    async with running_app(settings) as (app, _client):
        services = app.state.services
        held = await sweep_follow_ups(services, now=when + dt.timedelta(minutes=1))
        assert held.sent == 0  # the dead process's lease still holds
        report = await sweep_follow_ups(services, now=taken.lease_until + dt.timedelta(seconds=1))
        assert report.sent == 1
        assert (await sweep_follow_ups(services, now=when + dt.timedelta(hours=1))).sent == 0
        sam = Champion(client_for(app), email)
        await sam.sign_in()
        assert (await sam.transcript(ticket.id)).count(MESSAGE) == 1
        [row] = await rows(app)
        assert (row.status, row.attempts) == ("sent", 2)


async def test_the_staff_chat_is_reminded_and_a_telegram_parent_gets_the_message(
    settings: Settings,
) -> None:
    async with telegram_app(settings, telegram_staff_chat_id="-100200300") as (app, fake):
        parent = TelegramParent(fake, 4107)
        parent.say("/start")
        await parent.expect("Hello, I'm Champion")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("/human")
        await parent.expect("which council do you live in")
        parent.say("Leeds")
        await parent.expect("I've asked a Parent Champion")
        [ticket] = await app.state.services.database.read(tickets.queue, None)
        sam = Champion(client_for(app), await add_account(app, "champion", ["Leeds"], "Sam"))
        await sam.sign_in()
        await sam.claim(ticket.id)
        page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
        assert "This will be sent to the parent on telegram on that day" in page
        await set_follow_up(sam, ticket.id, date=tomorrow().isoformat(), note=NOTE, message=MESSAGE)

        channels = app.state.channels.names
        report = await sweep_follow_ups(app.state.services, channels, due_at(tomorrow()))
        assert report.sent == 1
        await parent.expect(MESSAGE)
        staff = TelegramParent(fake, -100200300)
        notice = await staff.expect("Follow-up due")
        assert f"ticket #{ticket.id}" in notice["text"] and "Sam" in notice["text"]
        # Nothing about the family: not the note, not the message, not the chat id.
        assert NOTE not in notice["text"] and MESSAGE not in notice["text"]
        assert "4107" not in notice["text"]


async def test_follow_ups_are_in_my_data_once_sent_and_erased_with_the_parent(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent, ticket, sam = await claimed_ticket(app, client)
    await set_follow_up(sam, ticket.id, date=tomorrow().isoformat(), message=MESSAGE)
    later = (tomorrow() + dt.timedelta(days=1)).isoformat()
    await set_follow_up(sam, ticket.id, date=later, message="Not sent yet")

    async def my_data() -> dict[str, Any]:
        await parent.say("mydata")
        document = next(r["document"] for r in parent.replies if "document" in r)
        return json.loads((await parent.download(document["url"])).content)

    assert (await my_data())["follow_up_messages_sent_to_you"] == []
    await sweep_follow_ups(app.state.services, now=due_at(tomorrow()))
    [sent] = (await my_data())["follow_up_messages_sent_to_you"]
    assert sent["message"] == MESSAGE  # the unsent one is not there yet
    assert "Not sent yet" not in json.dumps((await my_data())["follow_up_messages_sent_to_you"])

    await parent.say("delete")
    await parent.press("Yes")
    assert "has been deleted" in parent.text
    assert await rows(app) == []
    # The ticket page (kept, without the family) no longer offers follow-ups.
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    assert MESSAGE not in page and 'id="follow-up-form"' not in page


async def test_unknown_and_huge_ids_get_a_page_not_an_error(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket, sam = await claimed_ticket(app, client)
    for bad in ("424242", "99999999999999999999", "-1"):
        done = await sam.post(f"/console/follow-ups/{bad}/done")
        assert done.status_code in (400, 404, 422), (bad, done.status_code)
        cancel = await sam.post(f"/console/tickets/{ticket.id}/follow-ups/{bad}/cancel")
        assert cancel.status_code in (400, 404, 422), (bad, cancel.status_code)
        made = await set_follow_up(sam, bad, date=tomorrow().isoformat())  # type: ignore[arg-type]
        assert made.status_code in (403, 404, 422), (bad, made.status_code)
    back = await sam.post("/console/follow-ups/424242/done", back="ticket")
    assert back.status_code == 400 and "There is no such follow-up." in back.text


async def test_a_parent_on_a_switched_off_channel_waits_then_the_champion_is_told(
    app_and_client: tuple,
) -> None:
    """Telegram's token was removed: the message waits for it (each try after the lease),
    then the champion is still reminded and the ticket says the message did not go."""
    from bot.store.models import Parent as ParentRow

    app, client = app_and_client
    _parent, ticket, sam = await claimed_ticket(app, client)
    async with app.state.services.database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(
                update(ParentRow.__table__)
                .where(ParentRow.__table__.c.id == ticket.parent_id)
                .values(channel="telegram")
            )
        )
    await set_follow_up(sam, ticket.id, date=tomorrow().isoformat(), message=MESSAGE)
    when, web_only = due_at(tomorrow()), frozenset({"web"})
    for attempt in range(1, follow_ups.MAX_ATTEMPTS):
        moment = when + attempt * (follow_ups.LEASE + dt.timedelta(seconds=1))
        report = await sweep_follow_ups(app.state.services, web_only, moment)
        assert (report.sent, report.waiting) == (0, 1), attempt
    last = when + follow_ups.MAX_ATTEMPTS * (follow_ups.LEASE + dt.timedelta(seconds=1))
    assert (await sweep_follow_ups(app.state.services, web_only, last)).sent == 1
    [row] = await rows(app)
    assert row.status == "sent" and row.parent_message_id is None
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    assert "Not sent to the parent:" in page
    assert "message not sent: telegram is switched off" in page
