"""The family's history on a ticket: earlier requests with their notes and outcomes,
referrals, bookings, deadlines and letters, within the champion's areas, audited."""

from __future__ import annotations

from sqlalchemy import Connection, update

from bot.handoff import tickets
from bot.handoff.history import family_history
from bot.staff import audit
from bot.store.models import Ticket
from tests.chat import Parent
from tests.console import ask_for_a_champion
from tests.test_handoff import champion_of, ticket_of
from tests.test_privacy import triage_with_a_story


async def test_a_returning_family_brings_its_history(app_and_client: tuple) -> None:
    app, client = app_and_client
    database = app.state.services.database
    parent = Parent(client)
    await triage_with_a_story(parent)  # a referral: exclusion, in Leeds
    await parent.press("Talk to a Parent Champion")
    first = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam Jones")
    await sam.claim(first.id)
    await sam.post(f"/console/tickets/{first.id}/note", text="Mum prefers a call after 3pm")
    await sam.close(first.id, "referred_sendiass")

    fresh = (await sam.client.get(f"/console/tickets/{first.id}")).text
    fresh_history = fresh.split('id="family-history"')[1].split("</section>")[0]
    assert "Earlier requests" not in fresh_history  # only this request's own referral
    assert "Referrals from triage" in fresh_history

    # Later the same parent asks again.
    await ask_for_a_champion(parent)
    second = await ticket_of(app, parent)
    assert second.id != first.id

    priya = await champion_of(app, ["Leeds"], name="Priya Shah")
    page = (await priya.client.get(f"/console/tickets/{second.id}")).text
    history = page.split('id="family-history"')[1].split("</section>")[0]
    assert f"#{first.id}" in history
    assert "Referred to SENDIASS" in history
    assert "Sam Jones: Mum prefers a call after 3pm" in history
    assert "Referrals from triage" in history and "Exclusion" in history
    # Opening it was audited, as every ticket page is.
    lines = await database.read(audit.latest, 50, second.id)
    assert ("open_transcript", priya.email) in {(line.action, line.email) for line in lines}

    # An earlier request from an area Priya doesn't cover is counted, not shown.
    async with database.transaction() as transaction:

        def move_to_bradford(connection: Connection) -> None:
            connection.execute(
                update(Ticket.__table__)
                .where(Ticket.__table__.c.id == first.id)
                .values(local_authority="Bradford")
            )

        await transaction.run(move_to_bradford)
    seen = await database.read(family_history, second.parent_id, second.id, ["Leeds"])
    assert (seen.tickets, seen.hidden_tickets) == ([], 1)
    page = (await priya.client.get(f"/console/tickets/{second.id}")).text
    assert "Mum prefers a call after 3pm" not in page
    assert "1 more in an area you don't cover" in page
    admin_view = await database.read(family_history, second.parent_id, second.id, None)
    assert [t.id for t in admin_view.tickets] == [first.id]
    assert (await database.read(tickets.get_ticket, second.id)).status == "waiting"
