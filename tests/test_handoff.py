"""Hand-off to a Parent Champion, end to end over /api/chat and the console's forms."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.core.types import Inbound
from bot.handoff import tickets
from bot.staff import audit
from tests.chat import Parent
from tests.console import Champion, add_account, ask_for_a_champion, client_for


async def ticket_of(app: Any, parent: Parent) -> tickets.TicketView:
    database = app.state.services.database
    for ticket in await database.read(tickets.queue, None):
        if ticket.chat_id == parent.session:
            return ticket
    raise AssertionError("the parent has no open ticket")


async def waiting_parent(app: Any, client: Any, council: str = "Leeds") -> tuple[Parent, Any]:
    """A parent from this council who has asked for a champion, and their ticket."""
    parent = Parent(client)
    await ask_for_a_champion(parent, council)
    return parent, await ticket_of(app, parent)


async def champion_of(
    app: Any, areas: list[str], role: str = "champion", name: str = ""
) -> Champion:
    email = await add_account(app, role, areas, name)
    champion = Champion(client_for(app), email)
    response = await champion.sign_in()
    assert response.status_code == 303, response.text
    return champion


async def test_the_whole_round_trip(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent, "leeds")
    assert "I've asked a Parent Champion to join this chat" in parent.text
    assert "within 2 hours" in parent.text
    ticket = await ticket_of(app, parent)
    assert (ticket.status, ticket.local_authority, ticket.came_from) == ("waiting", "Leeds", "main")

    # The bot stops answering; the first message is acknowledged, then passed on quietly.
    await parent.say("My son has been sent home every day this week")
    assert "I've passed that on" in parent.text

    sam = await champion_of(app, ["Leeds"], name="Sam")
    queue = await sam.client.get("/console")
    assert f"/console/tickets/{ticket.id}" in queue.text and "1 waiting" in queue.text
    page = await sam.client.get(f"/console/tickets/{ticket.id}")
    assert "sent home every day this week" in page.text

    assert (await sam.claim(ticket.id)).status_code == 303
    assert (
        await sam.reply(ticket.id, "Hello, I'm Sam. Is he being sent home by the head?")
    ).status_code == 303

    history = await parent.history()
    assert [m["text"] for m in history[-2:]] == [
        "Sam has joined the chat. They can see what you've written so far.",
        "Hello, I'm Sam. Is he being sent home by the head?",
    ]
    assert history[-1]["sender"] == "champion"

    # Each message passed on is acknowledged by the champion's first name.
    assert [r["text"] for r in await parent.say("Yes, at lunchtime, with no letter")] == [
        "Sent to Sam."
    ]
    assert "at lunchtime, with no letter" in await sam.transcript(ticket.id)

    assert (await sam.close(ticket.id, "advice_given")).status_code == 303
    history = await parent.history()
    assert history[-2]["text"].startswith("The Parent Champion has closed this chat")
    # They talked to Sam and agreed to the privacy notice: asked how it went (issue #18).
    assert history[-1]["text"].startswith("How did it go talking to Sam?")
    closed = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert (closed.status, closed.outcome) == ("closed", "advice_given")

    await parent.say("what is an EHC plan?")
    assert "EHC" in parent.text  # the bot answers again

    # Opening the conversation was written to the audit log.
    lines = await app.state.services.database.read(audit.latest, 50, ticket.id)
    assert ("open_transcript", sam.email) in {(line.action, line.email) for line in lines}


async def test_the_parent_can_go_back_to_the_bot(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    await parent.press("Back to the bot")
    assert "You're back with the Champion bot" in parent.text
    assert "What would you like help with?" in parent.text
    gone = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert (gone.status, gone.outcome) == ("closed", "parent_ended")


async def test_old_buttons_while_a_champion_has_the_chat_say_so(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    old_menu_button = parent.payload_of("EHC plans")
    await parent.press("Talk to a Parent Champion")
    await parent.say("Leeds")
    await parent.send(payload=old_menu_button)
    assert "You're talking to a Parent Champion at the moment" in parent.text
    assert parent.buttons == ["Back to the bot"]
    assert (await ticket_of(app, parent)).relaying


async def test_asking_twice_keeps_one_ticket(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    await parent.say("human")  # goes to the champion as a message, no second ticket
    queue = await app.state.services.database.read(tickets.queue, None)
    assert len(queue) == 1 and queue[0].parent_messages == 1


async def test_a_triage_summary_travels_with_the_ticket(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    for answer in ("9", "Mainstream school", "No", "Exclusion or being sent home", "Done"):
        if answer in parent.buttons:
            await parent.press(answer)
        else:
            await parent.say(answer)
    while "Which council area" not in parent.text:
        await parent.press("Skip this question")
    await parent.say("Kent")
    await parent.press("Talk to a Parent Champion")
    ticket = await ticket_of(app, parent)
    assert (ticket.category, ticket.urgency, ticket.local_authority) == (
        "exclusion",
        "urgent",
        "Kent",
    )
    assert ticket.came_from == "triage"
    assert ticket.summary["setting"] == "Mainstream school"
    assert ticket.summary["concerns"] == "Exclusion or being sent home"


async def test_two_champions_claim_at_once_and_exactly_one_wins(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    first, second = await champion_of(app, ["Leeds"]), await champion_of(app, ["Leeds"])
    results = await asyncio.gather(first.claim(ticket.id), second.claim(ticket.id))
    assert sorted(r.status_code for r in results) == [303, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert "claimed this ticket first" in loser.text
    claimed = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    winner = first if results[0].status_code == 303 else second
    assert claimed.claimed_by_email == winner.email
    # The parent was told once that someone joined.
    joined = [m for m in await parent.history() if "has joined the chat" in m["text"]]
    assert len(joined) == 1


async def test_a_champion_of_another_area_cannot_see_the_ticket(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    kent = await champion_of(app, ["Kent"])
    queue = await kent.client.get("/console")
    assert f"/console/tickets/{ticket.id}" not in queue.text
    for path in (f"/console/tickets/{ticket.id}", f"/console/tickets/{ticket.id}/live"):
        response = await kent.client.get(path)
        assert response.status_code == 403, path
        assert "My son" not in response.text
    assert (await kent.claim(ticket.id)).status_code == 403
    assert (await kent.reply(ticket.id, "hello")).status_code == 403
    admin = await champion_of(app, [], role="admin")
    assert (await admin.client.get(f"/console/tickets/{ticket.id}")).status_code == 200


async def test_forms_without_the_csrf_token_change_nothing(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    for token in ("", "forged-token"):
        response = await champion.client.post(
            f"/console/tickets/{ticket.id}/claim", data={"csrf_token": token}
        )
        assert response.status_code == 403
        assert "nothing was changed" in response.text
    assert (
        await app.state.services.database.read(tickets.get_ticket, ticket.id)
    ).status == "waiting"
    # Signing in needs the form's own token too (a cross-site login is refused).
    fresh = client_for(app)
    response = await fresh.post(
        "/console/login", data={"email": champion.email, "password": "x", "csrf_token": "t"}
    )
    assert response.status_code == 403


async def test_repeated_wrong_passwords_lock_sign_in_for_a_while(app_and_client: tuple) -> None:
    app, _client = app_and_client
    email = await add_account(app, "champion", ["Leeds"])
    champion = Champion(client_for(app), email)
    for _ in range(5):
        assert (await champion.sign_in("wrong password!")).status_code == 401
    locked = await champion.sign_in()  # even the right password must wait now
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text
    # A colleague at the same address can still sign in...
    other = Champion(client_for(app), await add_account(app, "champion", ["Leeds"]))
    assert (await other.sign_in()).status_code == 303
    # ...but an address guessing at many accounts is held back for all of them.
    for n in range(15):
        guess = Champion(client_for(app), f"guess{n}@example.org")
        assert (await guess.sign_in("wrong password!")).status_code == 401
    assert (await Champion(client_for(app), other.email).sign_in()).status_code == 429


async def test_a_new_session_on_every_sign_in_and_none_after_sign_out(
    app_and_client: tuple,
) -> None:
    app, _client = app_and_client
    email = await add_account(app, "champion", ["Leeds"])
    browser = client_for(app)
    planted = "attacker-chosen-session-value"
    browser.cookies.set("champion_console", planted, domain="champion.test", path="/console")
    champion = Champion(browser, email)
    assert (await champion.sign_in()).status_code == 303
    token = browser.cookies.get("champion_console", path="/console")
    assert token and token != planted
    out = await champion.post("/console/logout")
    assert out.status_code == 303
    again = client_for(app)
    again.cookies.set("champion_console", token, domain="champion.test", path="/console")
    response = await again.get("/console")
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


async def test_pages_refuse_anyone_not_signed_in_or_not_an_admin(app_and_client: tuple) -> None:
    app, client = app_and_client
    for path in ("/console", "/console/tickets/1", "/console/audit", "/console/users"):
        response = await client.get(path)
        assert response.status_code == 303 and "/console/login" in response.headers["location"]
    assert (await client.get("/console/events")).status_code == 401
    assert (await client.post("/console/tickets/1/reply", data={"text": "x"})).status_code == 401
    champion = await champion_of(app, ["Leeds"])
    for path in ("/console/audit", "/console/users"):
        assert (await champion.client.get(path)).status_code == 403
    admin = await champion_of(app, [], role="admin")
    assert (await admin.client.get("/console/audit")).status_code == 200
    assert (await admin.client.get("/console/users")).status_code == 200


async def test_empty_and_overlong_replies_are_refused_and_the_words_kept(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    await champion.claim(ticket.id)
    before = len(await parent.history())

    empty = await champion.reply(ticket.id, "   ")
    assert empty.status_code == 400 and "Write a reply before sending" in empty.text
    long_text = "I understand. " * 300  # 4,200 characters
    too_long = await champion.reply(ticket.id, long_text)
    assert too_long.status_code == 400
    assert "Please shorten it" in too_long.text
    assert long_text.strip() in too_long.text  # still in the reply box
    json_error = await champion.client.post(
        f"/console/tickets/{ticket.id}/reply",
        data={"csrf_token": champion.csrf, "text": ""},
        headers={"Accept": "application/json"},
    )
    assert json_error.status_code == 400 and "Write a reply" in json_error.json()["error"]
    assert len(await parent.history()) == before  # nothing reached the parent


async def test_replying_needs_the_ticket_to_be_yours(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    response = await champion.reply(ticket.id, "hello")
    assert response.status_code == 409 and "Claim this ticket" in response.text


async def test_html_from_a_parent_is_shown_as_text_in_the_console(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    await parent.say('<script>alert("hi")</script><img src=x onerror=alert(1)> help')
    ticket = await ticket_of(app, parent)
    champion = await champion_of(app, ["Leeds"])
    page = (await champion.client.get(f"/console/tickets/{ticket.id}")).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in page


async def test_notes_are_for_champions_only(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    response = await champion.post(
        f"/console/tickets/{ticket.id}/note", text="Dad sounded exhausted"
    )
    assert response.status_code == 303
    assert "Dad sounded exhausted" in await champion.transcript(ticket.id)
    assert all("exhausted" not in m["text"] for m in await parent.history())


async def test_transfer_to_another_area_and_to_a_colleague(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    leeds = await champion_of(app, ["Leeds"])
    await leeds.claim(ticket.id)
    moved = await leeds.transfer(ticket.id, to_area="Kent")
    assert moved.status_code == 303 and moved.headers["location"].startswith("/console?")
    assert (await leeds.client.get(f"/console/tickets/{ticket.id}")).status_code == 403
    kent = await champion_of(app, ["Kent"])
    kent_colleague = await champion_of(app, ["Kent"])
    assert (await kent.claim(ticket.id)).status_code == 303  # back in the queue, for Kent
    members = await kent.client.get(f"/console/tickets/{ticket.id}")
    colleague_id = (
        members.text.split(f">{kent_colleague.email}")[0].rsplit('value="', 1)[1].split('"')[0]
    )
    handed = await kent.transfer(ticket.id, to_member=colleague_id)
    assert handed.status_code == 303
    now = await app.state.services.database.read(tickets.get_ticket, ticket.id)
    assert (now.status, now.claimed_by_email, now.local_authority) == (
        "claimed",
        kent_colleague.email,
        "Kent",
    )


async def test_closing_needs_an_outcome(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    await champion.claim(ticket.id)
    refused = await champion.post(f"/console/tickets/{ticket.id}/close", outcome="made-up")
    assert refused.status_code == 400 and "Choose an outcome" in refused.text
    assert (await ticket_of(app, parent)).status == "claimed"


async def test_a_crisis_while_a_champion_has_the_chat_sends_the_numbers_and_raises_it(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    await parent.say("he has run off and I can't find him, he's missing")
    assert "999" in parent.text and "116 123" in parent.text
    ticket = await ticket_of(app, parent)
    assert (ticket.urgency, ticket.category) == ("crisis", "crisis")


async def test_photos_while_waiting_are_flagged_to_the_champion(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent)
    # The web page cannot send photos; Telegram and WhatsApp will, through the same core.
    photo = Inbound(channel="web", chat_id=parent.session, media_kind="photo")
    replies = await app.state.services.dispatcher.handle(photo)
    assert "I can only read typed messages" in replies[0].text
    champion = await champion_of(app, ["Leeds"])
    assert "[photo]" in await champion.transcript((await ticket_of(app, parent)).id)


async def test_the_queue_is_most_urgent_first(app_and_client: tuple) -> None:
    app, client = app_and_client
    routine, crisis = Parent(client), Parent(client)
    await ask_for_a_champion(routine)
    await crisis.at_main_menu()
    await crisis.say("my daughter says she wants to kill herself")
    champion = await champion_of(app, ["Leeds"])
    page = (await champion.client.get("/console")).text
    crisis_ticket, routine_ticket = await ticket_of(app, crisis), await ticket_of(app, routine)
    assert page.index(f'tickets/{crisis_ticket.id}"') < page.index(f'tickets/{routine_ticket.id}"')
    assert "1 urgent" in page


async def test_a_champion_without_areas_still_sees_parents_who_did_not_say(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Talk to a Parent Champion")
    await parent.press("Skip this question")
    ticket = await ticket_of(app, parent)
    assert ticket.local_authority is None
    champion = await champion_of(app, ["Kent"])
    assert (await champion.client.get(f"/console/tickets/{ticket.id}")).status_code == 200


async def test_admins_add_champions_and_change_their_areas(app_and_client: tuple) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin")
    bad = await admin.post(
        "/console/users",
        email="new@example.org",
        name="Ali",
        role="champion",
        areas="Leeds, Atlantis",
        password="a long enough password",
    )
    assert bad.status_code == 400 and "Unknown area: Atlantis" in bad.text
    assert 'value="new@example.org"' in bad.text  # what was typed is kept
    made = await admin.post(
        "/console/users",
        email="new@example.org",
        name="Ali",
        role="champion",
        areas="leeds, Kent",
        password="a long enough password",
    )
    assert made.status_code == 303
    ali = Champion(client_for(app), "new@example.org")
    assert (await ali.sign_in("a long enough password")).status_code == 303
    page = (await admin.client.get("/console/users")).text
    ali_id = page.split('action="/console/users/')[-1].split('"')[0]
    switched_off = await admin.post(f"/console/users/{ali_id}", areas="Kent")  # no "active"
    assert switched_off.status_code == 303
    # Switching an account off signs it out at once.
    assert (await ali.client.get("/console")).status_code == 303
    assert (await ali.sign_in("a long enough password")).status_code == 401
