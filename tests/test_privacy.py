"""Families in control: the privacy notice, "my data", "delete my data", retention."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import String, Text, select, update

from bot.privacy.erase import erase_inactive
from bot.privacy.retention import BATCH, sweep_retention
from bot.store import conversations as store
from bot.store.models import Base, Conversation, Message, Referral, Ticket, utcnow
from bot.store.models import Parent as Parent_
from tests.chat import Parent
from tests.console import Champion, add_account, client_for
from tests.dropins import add_dropin, at_session_list, in_days, session_button

SECRET_WORDS = "Zebra crossing 4471 is where Sam gets the bus"


async def triage_with_a_story(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    await parent.say("9")
    await parent.press("Mainstream school")
    await parent.press("No")
    await parent.press("Exclusion or being sent home")
    await parent.press("Done")
    while "Which council area" not in parent.text:
        await parent.press("Skip this question")
    await parent.say("Leeds")


async def test_without_agreement_general_information_only_and_nothing_typed_is_kept(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.open_chat()
    await parent.press("Just general information")
    assert "What would you like help with?" in parent.text
    await parent.say(SECRET_WORDS)  # free text: answered, not kept
    await parent.say("menu")
    await parent.press("Tell us what's happening")
    assert "To help with this I need to keep what you tell me" in parent.text
    assert parent.buttons == [
        "Yes, that's OK",
        "Tell me more about privacy",
        "Just general information",
    ]
    typed = await app.state.services.database.read(
        lambda c: [
            r.text
            for r in c.execute(
                select(Message.__table__.c.text).where(Message.__table__.c.direction == "in")
            )
        ]
    )
    assert all(SECRET_WORDS not in (t or "") for t in typed)
    await parent.press("Yes, that's OK")
    assert "How old is your child" in parent.text  # straight on to what they asked for


async def test_my_data_is_a_json_file_of_everything_held(app_and_client: tuple) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await triage_with_a_story(parent)
    await parent.say("mydata")
    assert "Here is what Champion holds about you" in parent.text
    document = next(r["document"] for r in parent.replies if "document" in r)
    response = await parent.download(document["url"])
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/json"
    )
    data = json.loads(response.content)
    assert data["conversation"][0]["variables"]["local_authority"] == "Leeds"
    assert data["referrals"][0]["category"] == "exclusion"
    assert any(m["text"] == "Leeds" for m in data["messages"])
    stranger = await client.get(document["url"], headers={"Authorization": "Bearer " + "x" * 43})
    assert stranger.status_code == 401


def _every_text_value(connection: Any) -> list[str]:
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.c if isinstance(c.type, String | Text)]
        json_columns = [c for c in table.c if c.type.__class__.__name__ == "JSON"]
        for row in (
            connection.execute(select(*columns, *json_columns)) if columns or json_columns else []
        ):
            found.extend(
                json.dumps(v) if not isinstance(v, str) else v for v in row if v is not None
            )
    return found


async def test_delete_my_data_erases_everything_and_keeps_only_anonymous_counts(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    database = app.state.services.database
    await add_dropin(app, "Coffee morning", "Leeds", starts=in_days(4))
    parent = Parent(client)
    await triage_with_a_story(parent)
    await at_session_list(parent)
    await parent.press(session_button(parent))
    await parent.say("menu")
    await parent.press("Talk to a Parent Champion")
    await parent.say(SECRET_WORDS)
    [ticket_id] = await database.read(
        lambda c: list(c.execute(select(Ticket.__table__.c.id)).scalars())
    )
    champion = Champion(client_for(app), await add_account(app, "champion", ["Leeds"]))
    await champion.sign_in()
    await champion.claim(ticket_id)
    await champion.post(f"/console/tickets/{ticket_id}/note", text="Mum mentioned the bus stop")
    await champion.close(ticket_id, "advice_given")
    parent_id = await database.read(
        lambda c: c.execute(select(Conversation.__table__.c.parent_id)).scalar_one()
    )

    await parent.say("delete")
    assert "It can't be undone. Delete everything?" in parent.text
    await parent.press("Yes")
    assert "Everything Champion held about you has been deleted" in parent.text

    def leftovers(connection: Any) -> dict[str, Any]:
        by_table = {}
        for table in Base.metadata.sorted_tables:
            for column in table.c:
                if column.name == "parent_id" or (table.name == "parents" and column.name == "id"):
                    rows = connection.execute(select(column).where(column == parent_id)).all()
                    if rows:
                        by_table[table.name] = len(rows)
        return by_table

    assert await database.read(leftovers) == {}
    text = "\n".join(await database.read(_every_text_value))
    assert parent.session not in text and SECRET_WORDS not in text and "bus stop" not in text
    # What reports count is still there, with no link to anyone.
    ticket = await database.read(lambda c: c.execute(select(Ticket.__table__)).one())
    assert (ticket.parent_id, ticket.outcome, ticket.category, ticket.summary) == (
        None,
        "advice_given",
        "exclusion",
        {},
    )
    referral = await database.read(lambda c: c.execute(select(Referral.__table__)).one())
    assert (referral.parent_id, referral.category, referral.answers) == (None, "exclusion", {})

    await parent.say("hello")  # they can start again, as someone new
    assert "Your privacy" in parent.text


async def test_saying_no_deletes_nothing(app_and_client: tuple) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("delete")
    await parent.press("No")
    assert "nothing has been deleted" in parent.text
    assert len(await parent.history()) > 3


async def test_conversations_silent_for_longer_than_retention_are_erased(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    database = app.state.services.database
    old, recent = Parent(client), Parent(client)
    await triage_with_a_story(old)
    await recent.at_main_menu()
    thirteen_months_ago = utcnow() - dt.timedelta(days=396)
    old_id = await database.read(store.parent_id_of, "web", old.session)
    async with database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(
                update(Conversation.__table__)
                .where(Conversation.__table__.c.parent_id == old_id)
                .values(updated_at=thirteen_months_ago)
            )
        )
        erased = await transaction.run(erase_inactive, 12)
    assert erased == 1
    gone = await client.get("/api/chat/history", headers=old.auth)
    assert gone.status_code == 401  # nothing of theirs is left to show
    assert len(await recent.history()) > 0
    referral = await database.read(lambda c: c.execute(select(Referral.__table__)).one())
    assert referral.parent_id is None and referral.category == "exclusion"


async def test_the_sweep_erases_every_due_conversation_in_one_run(
    app_and_client: tuple,
) -> None:
    """More conversations fall due than one batch holds (after downtime, or at first
    switch-on): one run of the scheduler's sweep still erases them all."""
    app, client = app_and_client
    database = app.state.services.database
    recent = Parent(client)
    await recent.at_main_menu()
    due = BATCH[database.dialect] * 2 + 7
    long_ago = utcnow() - dt.timedelta(days=400)
    parents, conversations = Parent_.__table__, Conversation.__table__

    def add_silent_families(connection: Any) -> None:
        for n in range(due):
            parent_id = connection.execute(
                parents.insert().values(channel="web", chat_id=f"silent-{n}", created_at=long_ago)
            ).inserted_primary_key[0]
            connection.execute(
                conversations.insert().values(
                    parent_id=parent_id,
                    flow="main",
                    node="menu",
                    variables={},
                    history=[],
                    resting=True,
                    version=1,
                    created_at=long_ago,
                    updated_at=long_ago,
                )
            )

    async with database.transaction() as transaction:
        await transaction.run(add_silent_families)
    assert await sweep_retention(database, 12) == due
    left = await database.read(
        lambda c: c.execute(
            select(parents.c.chat_id).where(parents.c.chat_id.like("silent-%"))
        ).all()
    )
    assert left == []
    assert len(await recent.history()) > 0  # a family still talking keeps everything


async def test_my_data_holds_only_the_notes_a_champion_shared(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Talk to a Parent Champion")
    await parent.say("Leeds")
    [ticket_id] = await app.state.services.database.read(
        lambda c: list(c.execute(select(Ticket.__table__.c.id)).scalars())
    )
    email = await add_account(app, "champion", ["Leeds"], name="Samira")
    champion = Champion(client_for(app), email)
    await champion.sign_in()
    await champion.claim(ticket_id)
    internal = "Partner was shouting in the background; safeguarding call made"
    shared = "Agreed next step: ask the school for the exclusion letter in writing"
    await champion.post(f"/console/tickets/{ticket_id}/note", text=internal)
    await champion.post(f"/console/tickets/{ticket_id}/note", text=shared, shareable="yes")
    await champion.close(ticket_id, "advice_given")  # back with the bot, which sends "my data"

    await parent.say("mydata")
    document = next(r["document"] for r in parent.replies if "document" in r)
    response = await parent.download(document["url"])
    assert response.status_code == 200
    data = json.loads(response.content)
    [note] = data["notes_shared_with_you"]
    assert (note["from"], note["text"]) == ("Parent Champion", shared)
    assert dt.datetime.fromisoformat(note["written_at"]).date() == utcnow().date()
    whole = response.content.decode()
    assert internal not in whole and "safeguarding" not in whole
    # Who wrote it stays with staff (the parent did see "Samira has joined the chat").
    assert set(note) == {"from", "text", "written_at"} and email not in whole
    assert "subject access request" in data["other_notes"]
    assert "type human" in data["other_notes"]


async def test_my_data_without_shared_notes_still_says_how_to_ask_for_the_rest(
    app_and_client: tuple,
) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await triage_with_a_story(parent)
    await parent.say("mydata")
    document = next(r["document"] for r in parent.replies if "document" in r)
    data = json.loads((await parent.download(document["url"])).content)
    assert data["notes_shared_with_you"] == []
    assert "subject access request" in data["other_notes"]
