"""The console queue tells a champion what to do next (issue #18): what the parent last
wrote (only with their consent), how many messages are unread, how long they have waited
for a person, claiming from the row, and filters that only ever narrow a champion's own
areas. Over the real app and both databases (the `database_url` fixture's params)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select, update

from bot.handoff import tickets
from bot.staff.accounts import find_for_login
from bot.store.models import Message, Ticket, utcnow
from bot.store.models import Parent as ParentRow
from tests.chat import Parent
from tests.console import Champion, ask_for_a_champion
from tests.test_handoff import champion_of, ticket_of, waiting_parent

LONG = (
    "My son is <b>autistic</b> and the school keeps sending him home at lunchtime, "
    "and now they want him on a part-time timetable from next week"
)
CRISIS = "my daughter says she wants to kill herself"


def row_of(page: str, ticket_id: int) -> str:
    """The queue's row for one ticket, as HTML."""
    match = re.search(rf'<tr [^>]*data-ticket="{ticket_id}">(.*?)</tr>', page, re.S)
    assert match, f"ticket #{ticket_id} is not in the queue"
    return match.group(1)


def shown_ids(page: str) -> set[int]:
    return {int(found) for found in re.findall(r'data-ticket="(\d+)"', page)}


async def queue_page(champion: Champion, **filters: str) -> str:
    response = await champion.client.get("/console", params=filters)
    assert response.status_code == 200, response.text
    return response.text


async def turn_back_the_clock(app: Any, ticket_id: int, minutes: int) -> None:
    """Everything of this ticket so far happened `minutes` earlier (time passing)."""
    ticket_table, message_table = Ticket.__table__, Message.__table__
    earlier = dt.timedelta(minutes=minutes)

    def shift(connection: Any) -> None:
        ticket = connection.execute(
            select(ticket_table).where(ticket_table.c.id == ticket_id)
        ).one()
        connection.execute(
            update(ticket_table)
            .where(ticket_table.c.id == ticket_id)
            .values(created_at=ticket.created_at - earlier)
        )
        rows = connection.execute(
            select(message_table.c.id, message_table.c.created_at).where(
                message_table.c.parent_id == ticket.parent_id
            )
        ).all()
        for row in rows:
            connection.execute(
                update(message_table)
                .where(message_table.c.id == row.id)
                .values(created_at=row.created_at - earlier)
            )

    async with app.state.services.database.transaction() as transaction:
        await transaction.run(shift)


async def test_rows_preview_the_last_message_only_with_consent(app_and_client: tuple) -> None:
    app, client = app_and_client
    agreed = Parent(client)
    await ask_for_a_champion(agreed)
    await agreed.say(LONG)
    # A parent in crisis reaches a champion without having agreed to the privacy notice.
    not_agreed = Parent(client)
    await not_agreed.open_chat()
    await not_agreed.say(CRISIS)
    assert "999" in not_agreed.text
    sam = await champion_of(app, ["Leeds"])
    page = await queue_page(sam)

    agreed_row = row_of(page, (await ticket_of(app, agreed)).id)
    preview = re.search(r'class="preview">(.*?)</td>', agreed_row, re.S)
    assert preview is not None
    shown = preview.group(1)
    # Escaped, on one line, cut on a word boundary at about 80 characters.
    assert shown.startswith("My son is &lt;b&gt;autistic&lt;/b&gt; and the school")
    assert "<b>" not in agreed_row
    assert shown.endswith("…")
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">")
    assert len(unescaped) <= 81 and LONG.startswith(unescaped[:-1])
    assert LONG[len(unescaped) - 1] in " ,"  # the word before "…" is whole

    hidden_row = row_of(page, (await ticket_of(app, not_agreed)).id)
    assert "Message hidden" in hidden_row
    assert "kill herself" not in page
    # The ticket itself still shows the champion every word.
    ticket_page = await sam.client.get(f"/console/tickets/{(await ticket_of(app, not_agreed)).id}")
    assert "kill herself" in ticket_page.text


async def test_unread_counts_go_back_to_zero_when_the_holder_reads(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    await parent.say("He was sent home again today")
    await parent.say("And yesterday")
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    alex = await champion_of(app, ["Leeds"], name="Alex Green")
    assert "2 unread" in row_of(await queue_page(sam), ticket.id)

    # Someone who does not hold the ticket looking at it does not mark it read.
    assert (await alex.client.get(f"/console/tickets/{ticket.id}")).status_code == 200
    assert "2 unread" in row_of(await queue_page(sam), ticket.id)

    claimed = await sam.claim(ticket.id)  # claiming opens the ticket: read
    assert claimed.status_code == 303
    assert (await sam.client.get(claimed.headers["location"])).status_code == 200
    assert "unread" not in row_of(await queue_page(sam), ticket.id)

    await parent.say("Are you still there?")
    assert "1 unread" in row_of(await queue_page(sam), ticket.id)
    assert "1 unread" in row_of(await queue_page(alex), ticket.id)  # the holder's count
    await sam.client.get(f"/console/tickets/{ticket.id}")
    assert "unread" not in row_of(await queue_page(sam), ticket.id)

    # Handed to Alex, who has read none of it: every message passed on is unread.
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    alex_id = re.search(r'<option value="(\d+)"[^>]*>Alex Green', page)
    assert alex_id is not None
    assert (await sam.transfer(ticket.id, to_member=alex_id.group(1))).status_code == 303
    assert "3 unread" in row_of(await queue_page(alex), ticket.id)
    await alex.client.get(f"/console/tickets/{ticket.id}")
    assert "unread" not in row_of(await queue_page(alex), ticket.id)


async def test_waiting_time_runs_from_the_first_unanswered_message(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    assert "asked just now" in row_of(await queue_page(sam), ticket.id)
    await turn_back_the_clock(app, ticket.id, 40)
    assert "waiting 40 min" in row_of(await queue_page(sam), ticket.id)

    await sam.claim(ticket.id)  # "Sam has joined" comes from the bot: still waiting
    assert "waiting 40 min" in row_of(await queue_page(sam), ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam.")
    assert "Answered" in row_of(await queue_page(sam), ticket.id)

    await parent.say("Thank you. It's about his transport.")  # the bot's "Sent to Sam." too
    await turn_back_the_clock(app, ticket.id, 12)
    await parent.say("The council said no.")  # a second message does not restart it
    row = row_of(await queue_page(sam), ticket.id)
    assert "waiting 12 min" in row

    longer = await queue_page(sam, waiting="10")
    assert ticket.id in shown_ids(longer)
    assert ticket.id not in shown_ids(await queue_page(sam, waiting="15"))
    await sam.reply(ticket.id, "I'll look at the transport policy.")
    assert ticket.id not in shown_ids(await queue_page(sam, waiting="10"))  # answered


async def test_claim_from_the_queue_and_someone_else_first(app_and_client: tuple) -> None:
    app, client = app_and_client
    first, second = Parent(client), Parent(client)
    await ask_for_a_champion(first)
    await ask_for_a_champion(second)
    one, two = await ticket_of(app, first), await ticket_of(app, second)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    alex = await champion_of(app, ["Leeds"], name="Alex Green")
    page = await queue_page(sam)
    assert f'action="/console/tickets/{one.id}/claim"' in row_of(page, one.id)
    assert "Claim ticket #" in row_of(page, one.id)

    # Without the form's CSRF token nothing happens.
    forged = await sam.client.post(f"/console/tickets/{one.id}/claim", data={"queue": ""})
    assert forged.status_code in (400, 403)
    assert (await ticket_of(app, first)).status == "waiting"

    taken = await sam.post(f"/console/tickets/{one.id}/claim", queue="")
    assert taken.status_code == 303
    assert taken.headers["location"] == f"/console/tickets/{one.id}?done=claimed"
    assert "has joined the chat" in " ".join(m["text"] for m in await first.history())
    assert "Yours" in row_of(await queue_page(sam), one.id)
    assert f"/tickets/{one.id}/claim" not in await queue_page(alex)

    # Alex's queue still shows the Claim button for two; Sam claims it first.
    assert f"/tickets/{two.id}/claim" in await queue_page(alex, urgency="routine")
    await sam.claim(two.id)
    late = await alex.post(f"/console/tickets/{two.id}/claim", queue="urgency=routine")
    assert late.status_code == 409
    assert f"Ticket #{two.id}: Sam Jones claimed this ticket first." in late.text
    assert "With Sam Jones" in row_of(late.text, two.id)
    assert 'value="routine" selected' in late.text  # back to the queue as it was filtered
    assert (await ticket_of(app, second)).claimed_by_name == "Sam Jones"


async def test_filters_and_search_narrow_but_never_widen(app_and_client: tuple) -> None:
    app, client = app_and_client
    leeds, kent, no_area, crisis = (Parent(client) for _ in range(4))
    await ask_for_a_champion(leeds, "Leeds")
    await ask_for_a_champion(kent, "Kent")
    await no_area.at_main_menu()
    await no_area.press("Talk to a Parent Champion")
    await no_area.press("Skip this question")
    await crisis.at_main_menu()
    await crisis.say(CRISIS)
    ids = {
        name: (await ticket_of(app, parent)).id
        for name, parent in [
            ("leeds", leeds),
            ("kent", kent),
            ("none", no_area),
            ("crisis", crisis),
        ]
    }
    sam = await champion_of(app, ["Leeds"])
    everything = shown_ids(await queue_page(sam))
    assert ids["kent"] not in everything
    assert {ids["leeds"], ids["none"], ids["crisis"]} <= everything

    assert shown_ids(await queue_page(sam, area="Leeds")) == {ids["leeds"]}
    assert shown_ids(await queue_page(sam, area="none")) == {ids["none"], ids["crisis"]}
    assert shown_ids(await queue_page(sam, urgency="crisis")) == {ids["crisis"]}
    assert shown_ids(await queue_page(sam, category="crisis")) == {ids["crisis"]}
    assert shown_ids(await queue_page(sam, channel="web")) == everything
    nothing = await queue_page(sam, channel="telegram")
    assert shown_ids(nothing) == set() and "No open tickets match these filters" in nothing
    assert shown_ids(await queue_page(sam, q=f"#{ids['leeds']}")) == {ids["leeds"]}
    assert shown_ids(await queue_page(sam, q=str(ids["none"]))) == {ids["none"]}
    assert shown_ids(await queue_page(sam, q="leeds")) == {ids["leeds"]}
    assert shown_ids(await queue_page(sam, q="Crisis")) == {ids["crisis"]}

    # Another area's ticket stays out of reach, whether asked for by area or number.
    widened = await queue_page(sam, area="Kent")
    assert "There is no area called “Kent” in your queue" in widened
    assert ids["kent"] not in shown_ids(widened)
    assert shown_ids(await queue_page(sam, q=str(ids["kent"]))) == set()
    assert shown_ids(await queue_page(sam, q="kent")) == set()

    # The live refresh keeps the filters (and only checked filter values).
    filtered = await queue_page(sam, area="Leeds", urgency="routine", q="leeds")
    assert 'data-live="/console/queue?area=Leeds&amp;urgency=routine&amp;q=leeds"' in filtered
    live = await sam.client.get("/console/queue", params={"area": "Leeds"})
    assert shown_ids(live.text) == {ids["leeds"]}

    admin = await champion_of(app, [], role="admin")
    assert shown_ids(await queue_page(admin, area="Kent")) == {ids["kent"]}


async def test_bad_filter_values_say_what_is_wrong_and_show_the_queue(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"])
    for filters, problem in [
        ({"waiting": "ten"}, "takes a whole number of minutes"),
        ({"waiting": "-5"}, "takes a whole number of minutes"),
        ({"waiting": "9" * 40}, "takes a whole number of minutes"),
        ({"urgency": "<script>alert(1)</script>"}, "There is no urgency called"),
        ({"category": "nonsense"}, "There is no category called"),
        ({"channel": "fax"}, "There is no channel called"),
        ({"q": "leeds " * 100}, "Search words can be up to 80 characters"),
        ({"q": "%_'\"; drop table tickets"}, None),
    ]:
        page = await queue_page(sam, **filters)
        if problem:
            assert problem in page, filters
        assert "<script>alert(1)</script>" not in page
        if problem and "q" not in filters:
            assert ticket.id in shown_ids(page), filters  # the bad value is not used
    live = await sam.client.get("/console/queue", params={"waiting": "x", "area": "Atlantis"})
    assert live.status_code == 200
    assert ticket.id in shown_ids(live.text)
    nul = await sam.client.get("/console", params={"area": "\x00"})
    assert nul.status_code == 400 and "NUL character" in nul.text  # refused at the edge
    still = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert still is not None


async def test_the_preview_is_never_from_an_earlier_conversation(app_and_client: tuple) -> None:
    """Review finding (#18): the preview was the parent's last words whenever they were
    written, so a ticket opened without new words of theirs showed an earlier chat's."""
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    await parent.say("Old words about the first school")
    sam = await champion_of(app, ["Leeds"])
    first = await ticket_of(app, parent)
    await sam.claim(first.id)
    assert (await sam.close(first.id)).status_code == 303
    await turn_back_the_clock(app, first.id, 24 * 60)  # that was yesterday

    # Today a ticket is opened for them with no new message of theirs (as the hand-off
    # code does, inside the step that asks for a person).
    request = tickets.HandoffRequest(local_authority="Leeds")
    async with app.state.services.database.transaction() as transaction:
        second = await transaction.run(tickets.request_handoff, first.parent_id, "web", request)
    assert second != first.id
    row = row_of(await queue_page(sam), second)
    assert "Old words" not in row and "Message hidden" not in row
    # What they write now is the preview.
    await parent.say("New words about the second school")
    assert "New words about the second school" in row_of(await queue_page(sam), second)


async def test_waiting_longer_than_finds_tickets_past_the_first_500(app_and_client: tuple) -> None:
    """Review finding (#18): "waiting longer than" was applied after the query's 500-row
    page, so 500 more urgent tickets that a champion had answered hid a waiting one."""
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    await turn_back_the_clock(app, ticket.id, 120)
    sam = await champion_of(app, ["Leeds"])
    member, _hash = await app.state.services.database.read(find_for_login, sam.email)
    three_hours_ago = utcnow() - dt.timedelta(hours=3)
    answered_at = three_hours_ago + dt.timedelta(minutes=5)

    def answered_urgent_tickets(connection: Any) -> None:
        parents, ticket_table = ParentRow.__table__, Ticket.__table__
        names = [f"answered-{n}" for n in range(500)]
        connection.execute(
            parents.insert(),
            [{"channel": "web", "chat_id": name, "created_at": three_hours_ago} for name in names],
        )
        ids = connection.execute(select(parents.c.id).where(parents.c.chat_id.in_(names)))
        parent_ids = [row.id for row in ids]
        common = {"channel": "web", "status": "claimed", "urgency": "urgent", "urgency_rank": 1}
        connection.execute(
            ticket_table.insert(),
            [
                {
                    **common,
                    "parent_id": parent_id,
                    "local_authority": "Leeds",
                    "claimed_by": member.id,
                    "created_at": three_hours_ago,
                    "updated_at": three_hours_ago,
                }
                for parent_id in parent_ids
            ],
        )
        connection.execute(
            Message.__table__.insert(),
            [
                {
                    "parent_id": parent_id,
                    "direction": "out",
                    "text": "I've booked you a call",
                    "staff_user_id": member.id,
                    "created_at": answered_at,
                }
                for parent_id in parent_ids
            ],
        )

    async with app.state.services.database.transaction() as transaction:
        await transaction.run(answered_urgent_tickets)
    page = await queue_page(sam, waiting="60")
    assert shown_ids(page) == {ticket.id}
