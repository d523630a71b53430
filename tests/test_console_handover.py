"""Safer hand-overs in the console (issue #18): a transfer needs a handover note and a
confirmation, tells the parent who takes over, and is for the ticket's holder or an
admin; notes and the audit log name people rather than show their addresses."""

from __future__ import annotations

import re

from bot.handoff import tickets
from tests.test_handoff import champion_of, waiting_parent


def member_id_of(page: str, name: str) -> str:
    """The id a champion's option in the transfer list carries."""
    match = re.search(rf'<option value="(\d+)"\s*>{re.escape(name)}\b', page)
    assert match, f"{name} is not in the transfer list"
    return match.group(1)


async def test_transfer_needs_a_choice_a_note_and_a_confirmation(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    await champion_of(app, ["Leeds"], name="Priya Shah")
    assert (await sam.claim(ticket.id)).status_code == 303

    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    # Nobody is preselected: the list opens on a placeholder.
    members = page.split('id="to-member"')[1].split("</select>")[0]
    assert re.search(r'<option value="">Choose a champion…</option>', members)
    assert "selected" not in members
    priya = member_id_of(page, "Priya Shah")
    url = f"/console/tickets/{ticket.id}/transfer"

    unchosen = await sam.post(url, to_member="", handover="Mum wants a call", confirm="yes")
    assert unchosen.status_code == 400
    assert "Choose a champion to transfer to." in unchosen.text
    assert "Mum wants a call" in unchosen.text  # what was written is kept

    no_note = await sam.post(url, to_member=priya, handover="  ", confirm="yes")
    assert no_note.status_code == 400 and "Write a handover note" in no_note.text

    unconfirmed = await sam.post(url, to_member=priya, handover="Mum wants a call")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the transfer." in unconfirmed.text
    # The choice and the note are still there to confirm.
    assert re.search(rf'<option value="{priya}" selected>Priya Shah', unconfirmed.text)
    assert "Mum wants a call" in unconfirmed.text

    still = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert still.claimed_by_name == "Sam Jones"


async def test_a_transfer_tells_the_parent_and_leaves_a_note(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    priya = await champion_of(app, ["Leeds"], name="Priya Shah")
    admin = await champion_of(app, [], role="admin", name="Ada")
    assert (await sam.claim(ticket.id)).status_code == 303
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text

    moved = await sam.transfer(
        ticket.id,
        "Exclusion meeting on Friday; mum wants help with the letter.",
        to_member=member_id_of(page, "Priya Shah"),
    )
    assert moved.status_code == 303

    # The parent is told, by first name only, who is taking over.
    told = (await parent.history())[-1]["text"]
    assert told.startswith("Priya from our team is taking over this chat.")
    assert "Shah" not in told and "@" not in told

    # Priya has it: she can reply, and sees the line in the transcript and Sam's note.
    now = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert (now.status, now.claimed_by_name) == ("claimed", "Priya Shah")
    transcript = await priya.transcript(ticket.id)
    assert "Priya from our team is taking over this chat." in transcript
    assert "Handover to Priya Shah: Exclusion meeting on Friday" in transcript
    note = transcript.split('class="notes"')[1]
    assert "Sam Jones" in note and sam.email not in note
    assert (await priya.reply(ticket.id, "Hello, I'm Priya.")).status_code == 303
    assert (await sam.reply(ticket.id, "Still me?")).status_code == 409

    # The audit log names both people, and no address.
    audit = (await admin.client.get("/console/audit", params={"ticket": ticket.id})).text
    assert "Sam Jones" in audit and "to Priya Shah" in audit
    assert sam.email not in audit and priya.email not in audit


async def test_transfer_to_another_area_tells_the_parent(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    assert (await sam.claim(ticket.id)).status_code == 303
    moved = await sam.transfer(ticket.id, "Family moved to Kent last month.", to_area="Kent")
    assert moved.status_code == 303 and moved.headers["location"] == "/console?done=transferred"
    assert (await parent.history())[-1]["text"] == (
        "I've passed your chat to the Parent Champions who cover Kent. One of them will reply here."
    )
    kent = await champion_of(app, ["Kent"], name="Kim")
    assert "Handover to the Kent queue: Family moved to Kent" in await kent.transcript(ticket.id)


async def test_only_the_holder_or_an_admin_can_transfer_a_claimed_ticket(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    other = await champion_of(app, ["Leeds"], name="Olu")
    admin = await champion_of(app, [], role="admin", name="Ada")
    assert (await sam.claim(ticket.id)).status_code == 303

    page = (await other.client.get(f"/console/tickets/{ticket.id}")).text
    assert "Sam has this ticket. Only they or an admin can transfer or close it." in page
    assert 'id="transfer-member"' not in page
    olu_id = member_id_of((await sam.client.get(f"/console/tickets/{ticket.id}")).text, "Olu")

    refused = await other.transfer(ticket.id, "I'll take it", to_member=olu_id)
    assert refused.status_code == 403
    assert "Only Sam, who has this ticket, or an admin can transfer it." in refused.text
    refused_area = await other.transfer(ticket.id, "Kent's", to_area="Kent")
    assert refused_area.status_code == 403
    still = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert (still.claimed_by_name, still.local_authority) == ("Sam", "Leeds")

    # An admin can (Sam is off sick, say).
    admin_page = (await admin.client.get(f"/console/tickets/{ticket.id}")).text
    assert 'id="transfer-member"' in admin_page
    moved = await admin.transfer(
        ticket.id, "Sam is off this week.", to_member=member_id_of(admin_page, "Olu")
    )
    assert moved.status_code == 303
    now = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert now.claimed_by_name == "Olu"


async def test_closing_asks_for_confirmation(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    assert (await sam.claim(ticket.id)).status_code == 303
    page = (await sam.client.get(f"/console/tickets/{ticket.id}")).text
    close_form = page.split('id="close-form"')[1].split("</form>")[0]
    assert re.search(r'type="checkbox" name="confirm" value="yes" required', close_form)

    unconfirmed = await sam.post(f"/console/tickets/{ticket.id}/close", outcome="advice_given")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm you want to close this ticket." in unconfirmed.text
    assert 'value="advice_given" selected' in unconfirmed.text
    still = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert still.status == "claimed"

    assert (await sam.close(ticket.id)).status_code == 303
    assert (await parent.history())[-1]["text"].startswith("The Parent Champion has closed")


async def test_claiming_too_late_names_the_holder(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    other = await champion_of(app, ["Leeds"], name="Olu")
    assert (await sam.claim(ticket.id)).status_code == 303
    late = await other.claim(ticket.id)
    assert late.status_code == 409 and "Sam claimed this ticket first." in late.text
    assert sam.email not in late.text


async def test_claiming_tells_the_parent_a_first_name_only(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    assert (await sam.claim(ticket.id)).status_code == 303
    told = (await parent.history())[-1]["text"]
    assert told.startswith("Sam has joined the chat.") and "Jones" not in told
