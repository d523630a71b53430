"""Champions choose which notes the family may see: the console's side of it.

The family's side (what their "my data" download holds) is in tests/test_privacy.py.
"""

from __future__ import annotations

import re
from typing import Any

from bot.handoff import notes
from bot.staff import audit
from tests.chat import Parent
from tests.console import Champion, add_account, ask_for_a_champion, client_for
from tests.test_handoff import champion_of, ticket_of, waiting_parent

_NOTE = re.compile(
    r'<li class="note( shared)?" data-id="(\d+)">.*?<div class="text">(.*?)</div>', re.S
)


async def shown_notes(champion: Champion, ticket_id: int) -> dict[str, tuple[int, bool]]:
    """Each note's text on the ticket page, with its id and whether it is shown as shared."""
    page = await champion.transcript(ticket_id)
    return {text: (int(note_id), bool(shared)) for shared, note_id, text in _NOTE.findall(page)}


async def stored(app: Any, ticket_id: int) -> dict[str, bool]:
    found = await app.state.services.database.read(notes.notes_of, ticket_id)
    return {n.text: n.shareable for n in found}


async def test_the_share_box_is_off_by_default_and_says_why(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    page = (await champion.client.get(f"/console/tickets/{ticket.id}")).text
    box = re.search(r'<input type="checkbox" name="shareable"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    assert 'Share with the family (shown in their "my data" download)' in page
    assert "anyone holding the parent's phone can download" in page


async def test_a_ticked_note_is_shown_as_shared_and_audited(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    kept = await champion.post(f"/console/tickets/{ticket.id}/note", text="Dad sounded exhausted")
    shared = await champion.post(
        f"/console/tickets/{ticket.id}/note",
        text="Next step: ask the school for the exclusion letter",
        shareable="yes",
    )
    assert kept.headers["location"].endswith("done=noted")
    assert shared.headers["location"].endswith("done=noted_shared")
    page = await champion.client.get(shared.headers["location"])
    assert "Note saved and shared" in page.text

    on_page = await shown_notes(champion, ticket.id)
    assert on_page["Dad sounded exhausted"][1] is False
    assert on_page["Next step: ask the school for the exclusion letter"][1] is True
    live = await champion.transcript(ticket.id)
    assert live.count("Shared with the family</span>") == 1
    assert live.count("Staff only</span>") == 1

    log = await app.state.services.database.read(audit.latest, 50, ticket.id)
    assert [(e.action, e.detail) for e in log if e.action == "note"] == [
        ("note", "shared with the family"),
        ("note", None),
    ]


async def test_without_the_csrf_token_nothing_is_written_or_shared(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    await champion.post(f"/console/tickets/{ticket.id}/note", text="Internal only")
    [(note_id, _)] = (await shown_notes(champion, ticket.id)).values()
    forged_note = await champion.client.post(
        f"/console/tickets/{ticket.id}/note",
        data={"text": "Forged", "shareable": "yes", "csrf_token": "not-the-token"},
    )
    forged_share = await champion.client.post(
        f"/console/tickets/{ticket.id}/notes/{note_id}/sharing", data={"share": "yes"}
    )
    assert (forged_note.status_code, forged_share.status_code) == (403, 403)
    assert await stored(app, ticket.id) == {"Internal only": False}


async def test_the_author_can_share_a_note_later_and_anyone_can_stop_sharing(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    author = await champion_of(app, ["Leeds"])
    colleague = await champion_of(app, ["Leeds"])
    await author.post(f"/console/tickets/{ticket.id}/note", text="Mum has the letter now")
    [(note_id, _)] = (await shown_notes(author, ticket.id)).values()
    sharing = f"/console/tickets/{ticket.id}/notes/{note_id}/sharing"

    # A colleague did not write it, so cannot judge whether it is safe to share.
    refused = await colleague.post(sharing, share="yes")
    assert refused.status_code == 403 and "Only the champion who wrote a note" in refused.text
    assert await stored(app, ticket.id) == {"Mum has the letter now": False}

    shared = await author.post(sharing, share="yes")
    assert shared.status_code == 303 and shared.headers["location"].endswith("done=shared")
    assert await stored(app, ticket.id) == {"Mum has the letter now": True}

    # Stopping is always allowed: it only ever keeps more back.
    stopped = await colleague.post(sharing, share="no")
    assert stopped.status_code == 303 and stopped.headers["location"].endswith("done=unshared")
    assert await stored(app, ticket.id) == {"Mum has the letter now": False}

    log = await app.state.services.database.read(audit.latest, 50, ticket.id)
    assert [(e.email, e.action) for e in log if e.action.endswith("share_note")] == [
        (colleague.email, "unshare_note"),
        (author.email, "share_note"),
    ]


async def test_a_champion_from_another_area_cannot_mark_notes(app_and_client: tuple) -> None:
    app, client = app_and_client
    _kent_parent, kent_ticket = await waiting_parent(app, client, "Kent")
    kent = await champion_of(app, ["Kent"])
    await kent.post(f"/console/tickets/{kent_ticket.id}/note", text="Kent family, staff only")
    [(kent_note, _)] = (await shown_notes(kent, kent_ticket.id)).values()

    leeds_parent = Parent(client)
    await ask_for_a_champion(leeds_parent, "Leeds")
    leeds_ticket = await ticket_of(app, leeds_parent)
    leeds = Champion(client_for(app), await add_account(app, "champion", ["Leeds"]))
    await leeds.sign_in()

    # Not on the ticket they cannot see...
    direct = await leeds.post(
        f"/console/tickets/{kent_ticket.id}/notes/{kent_note}/sharing", share="yes"
    )
    assert direct.status_code == 403
    added = await leeds.post(
        f"/console/tickets/{kent_ticket.id}/note", text="Shared by a stranger", shareable="yes"
    )
    assert added.status_code == 403
    # ...nor by naming its note beside a ticket they can see.
    sideways = await leeds.post(
        f"/console/tickets/{leeds_ticket.id}/notes/{kent_note}/sharing", share="no"
    )
    assert sideways.status_code == 400 and "no such note on this ticket" in sideways.text
    huge = await leeds.post(
        f"/console/tickets/{leeds_ticket.id}/notes/{'9' * 20}/sharing", share="yes"
    )
    assert huge.status_code < 500
    assert await stored(app, kent_ticket.id) == {"Kent family, staff only": False}


async def test_a_note_that_is_too_long_comes_back_in_the_note_box(app_and_client: tuple) -> None:
    app, client = app_and_client
    _parent, ticket = await waiting_parent(app, client)
    champion = await champion_of(app, ["Leeds"])
    await champion.claim(ticket.id)
    long_note = "Long note " * 500
    response = await champion.post(f"/console/tickets/{ticket.id}/note", text=long_note.strip())
    assert response.status_code == 400 and "Notes can be up to 4,000 characters" in response.text
    note_box = re.search(r'<textarea id="note-text"[^>]*>(.*?)</textarea>', response.text, re.S)
    reply_box = re.search(r'<textarea id="reply-text"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert note_box and note_box.group(1).startswith("Long note Long note")
    assert reply_box and reply_box.group(1) == ""
    assert await stored(app, ticket.id) == {}
