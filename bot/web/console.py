"""The Parent Champion console: the queue, a conversation, and replying to the parent.

Server-rendered pages that work without JavaScript; console.js adds live updates
(server-sent events), a sound for new tickets and replying without a reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from bot.core.text import whole_number
from bot.handoff import arrivals, follow_ups, notes, queue_view, service_level, tickets
from bot.handoff.config import HandoffConfig, handoff_config
from bot.handoff.events import parent_topic, ticket_topic
from bot.handoff.history import family_history
from bot.handoff.ratings import ask_how_it_went
from bot.handoff.typing import to_console_topic
from bot.notify.outbox import queue_reply_notice
from bot.notify.push_store import queue_reply_push
from bot.services import Services
from bot.staff import audit
from bot.staff.accounts import StaffMember, all_members
from bot.staff.sessions import SignedIn
from bot.store.models import utcnow
from bot.web import auth, queue_filters
from bot.web.ids import RowId
from bot.web.live import SessionCheck, alert_stream, change_notices, event_stream
from bot.web.templating import page_drawn_at, templates

router = APIRouter(prefix="/console")
Who = Annotated[SignedIn, Depends(auth.signed_in)]
# What an open page asks for by itself (live refresh, event streams) checks the session
# without keeping it alive: only what the champion does counts as using the console,
# so an unattended open page is still signed out after the idle timeout.
Watching = Annotated[SignedIn, Depends(auth.still_signed_in)]
MAX_REPLY_CHARS = 4000
NOTICES = {
    "claimed": "You have claimed this ticket. The parent has been told you've joined.",
    "replied": "Sent to the parent.",
    "noted": "Note saved. Only you and other staff can see it.",
    "noted_shared": 'Note saved and shared: it is in the family\'s "my data" download.',
    "shared": 'Note shared: it is in the family\'s "my data" download.',
    "unshared": "Note no longer shared with the family.",
    "transferred": "Ticket transferred.",
    "closed": "Ticket closed and the parent handed back to the bot.",
    "follow_up_set": "Follow-up set. You'll be reminded here and in the staff chat.",
    "follow_up_cancelled": "Follow-up cancelled.",
    "follow_up_done": "Follow-up marked done.",
}


def _services(request: Request) -> Services:
    return request.app.state.services


def _same_session(request: Request, who: SignedIn) -> SessionCheck:
    """A live stream's check that the session it opened with still stands."""

    async def check() -> bool:
        return await auth.still_the_same(request, who)

    return check


def _areas_of(member: StaffMember) -> list[str] | None:
    return None if member.is_admin else member.areas


async def _visible_ticket(request: Request, who: SignedIn, ticket_id: int) -> tickets.TicketView:
    ticket = await _services(request).database.read(tickets.get_ticket, ticket_id)
    if ticket is None:
        raise auth.NotAllowed("There is no such ticket, or you don't have access to it.")
    if not who.member.covers(ticket.local_authority):
        raise auth.NotAllowed("This ticket belongs to an area you don't cover.")
    return ticket


def _handoff_settings(request: Request) -> HandoffConfig:
    champion = _services(request).content.current.flows.get("champion")
    return handoff_config(champion.data if champion else {})


def _canned_replies(request: Request) -> list[Any]:
    return _handoff_settings(request).canned_replies


# -- the queue -------------------------------------------------------------


def _filter_choices(request: Request, who: SignedIn) -> queue_filters.FilterChoices:
    """A champion filters by their own areas; an admin by every council's."""
    if who.member.is_admin:
        authorities = _services(request).content.current.local_authorities.authorities
        return queue_filters.choices_for([a.name for a in authorities])
    return queue_filters.choices_for(who.member.areas)


async def _queue_context(
    request: Request, who: SignedIn, asked: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The queue page's contents; `asked` is the filter form's values (the URL's query)."""
    database = _services(request).database
    areas = _areas_of(who.member)
    choices = _filter_choices(request, who)
    filters, problems = queue_filters.read_filters(
        request.query_params if asked is None else asked, choices
    )
    rows = await database.read(queue_view.queue_rows, areas, filters)
    waiting = [r.ticket for r in rows if r.ticket.status == "waiting"]
    handoff, now = _handoff_settings(request), utcnow()
    return {
        "who": who.member,
        "csrf_token": who.csrf_token,
        "rows": rows,
        "waiting": len(waiting),
        "urgent": sum(1 for t in waiting if t.urgency != "routine"),
        "closed": await database.read(tickets.recently_closed, areas),
        # Near or past the first-response target (flows/champion.yml), by ticket id.
        "targets": {
            r.ticket.id: service_level.standing(
                handoff, r.ticket.created_at, r.ticket.first_response_at, now
            )
            for r in rows
        },
        "target_minutes": handoff.first_response_minutes,
        "filters": filters,
        "choices": choices,
        "no_area": queue_view.NO_AREA,
        "filter_problems": problems,
        # Filter values only (never a parent's words): the live refresh keeps them.
        "filter_query": queue_filters.query_of(filters),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
        "error": "",
        # Today's and overdue follow-ups: the champion's own (admins: everyone's).
        "follow_ups_due": await database.read(
            follow_ups.due_list, None if who.member.is_admin else who.member.id, areas
        ),
    }


@router.get("")
async def queue_page(request: Request, who: Who) -> Response:
    return templates.TemplateResponse(
        request, "console/queue.html", await _queue_context(request, who)
    )


@router.get("/queue")
async def queue_fragment(request: Request, who: Watching) -> Response:
    """The queue table and the follow-ups due, for live refresh (with the same filters)."""
    return templates.TemplateResponse(
        request, "console/_queue_live.html", await _queue_context(request, who)
    )


@router.get("/alerts")
async def crisis_alerts(request: Request, who: Watching) -> Response:
    """Crisis alerts for every console page, raised from memory the moment a crisis is
    read (before the ticket is saved), so a champion reading one ticket still hears;
    and new or newly urgent requests in the champion's areas (admins: all)."""
    services = _services(request)
    areas = _areas_of(who.member)

    async def waiting() -> dict[int, arrivals.Waiting]:
        return await services.database.read(arrivals.waiting_in, areas)

    seen_up_to = whole_number(request.headers.get("last-event-id", ""))
    drawn = page_drawn_at(request.query_params.get("drawn", ""))
    same = _same_session(request, who)
    return event_stream(alert_stream(request, services.events, waiting, seen_up_to, same, drawn))


@router.get("/events")
async def queue_events(request: Request, who: Watching) -> Response:
    services = _services(request)
    areas = _areas_of(who.member)

    async def fingerprint() -> str:
        return await services.database.read(tickets.queue_fingerprint, areas)

    return event_stream(
        change_notices(
            request, services.events, ["queue"], fingerprint, session=_same_session(request, who)
        )
    )


# -- one ticket ----------------------------------------------------------------


async def _ticket_context(
    request: Request, who: SignedIn, ticket: tickets.TicketView
) -> dict[str, Any]:
    services = _services(request)
    database = services.database
    members = await database.read(all_members)
    authorities = services.content.current.local_authorities.authorities
    return {
        "who": who.member,
        "csrf_token": who.csrf_token,
        "ticket": ticket,
        "lines": await database.read(tickets.transcript_of, ticket.parent_id),
        "notes": await database.read(notes.notes_of, ticket.id),
        "outcomes": tickets.OUTCOMES,
        "canned": _canned_replies(request),
        "max_reply": MAX_REPLY_CHARS,
        "colleagues": [
            m
            for m in members
            if m.active
            and m.id not in (who.member.id, ticket.claimed_by)
            and m.covers(ticket.local_authority)
        ],
        "areas": [a.name for a in authorities],
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "error": "",
        "draft": "",
        "note_draft": "",
        "kept": {},
        "may_hand_on": may_hand_on(who.member, ticket),
        "holder_name": _holder_name(ticket),
    }


async def _page_context(
    request: Request, who: SignedIn, ticket: tickets.TicketView
) -> dict[str, Any]:
    """The whole ticket page: the live part plus the family's history beside it."""
    context = await _ticket_context(request, who, ticket)
    database = _services(request).database
    context["history"] = await database.read(
        family_history, ticket.parent_id, ticket.id, _areas_of(who.member)
    )
    context["follow_ups"] = await database.read(follow_ups.open_on_ticket, ticket.id)
    return context


@router.get("/tickets/{ticket_id}")
async def ticket_page(request: Request, ticket_id: RowId, who: Who) -> Response:
    ticket = await _visible_ticket(request, who, ticket_id)
    async with _services(request).database.transaction() as transaction:
        await transaction.run(audit.record, who.member, "open_transcript", ticket.id)
        await transaction.run(tickets.mark_read, ticket.id, who.member.id)
    return templates.TemplateResponse(
        request, "console/ticket.html", await _page_context(request, who, ticket)
    )


@router.get("/tickets/{ticket_id}/live")
async def ticket_fragment(request: Request, ticket_id: RowId, who: Watching) -> Response:
    """Transcript, notes and status alone, for live refresh (the page open was audited)."""
    ticket = await _visible_ticket(request, who, ticket_id)
    if ticket.claimed_by == who.member.id:
        # New messages just appeared on the holder's open page: they are read.
        async with _services(request).database.transaction() as transaction:
            await transaction.run(tickets.mark_read, ticket.id, who.member.id)
    return templates.TemplateResponse(
        request, "console/_ticket_live.html", await _ticket_context(request, who, ticket)
    )


@router.get("/tickets/{ticket_id}/events")
async def ticket_events(request: Request, ticket_id: RowId, who: Watching) -> Response:
    await _visible_ticket(request, who, ticket_id)
    services = _services(request)

    async def fingerprint() -> str:
        return await services.database.read(tickets.ticket_fingerprint, ticket_id)

    topics = [ticket_topic(ticket_id)]
    typing = to_console_topic(ticket_id)  # "the parent is typing"
    same = _same_session(request, who)
    return event_stream(change_notices(request, services.events, topics, fingerprint, typing, same))


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _done(
    request: Request,
    who: SignedIn,
    ticket_id: int,
    notice: str,
    error: str = "",
    draft: str = "",
    status: int = 400,
    kept: dict[str, str] | None = None,
) -> Response:
    """After a form: JSON for console.js, else back to the page (the typed text kept;
    `kept`: what the transfer and close forms had chosen and written)."""
    if _wants_json(request):
        if error:
            return JSONResponse({"error": error}, status_code=status)
        return JSONResponse({"notice": NOTICES[notice]})
    if not error:
        return RedirectResponse(f"/console/tickets/{ticket_id}?done={notice}", status_code=303)
    ticket = await _visible_ticket(request, who, ticket_id)
    context = await _page_context(request, who, ticket)
    if notice == "noted":
        context.update(error=error, note_draft=draft)  # back into the note box, not the reply
    else:
        context.update(error=error, draft=draft)
    context["kept"] = kept or {}
    return templates.TemplateResponse(request, "console/ticket.html", context, status_code=status)


def _publish(request: Request, ticket: tickets.TicketView, parent_too: bool = False) -> None:
    events = _services(request).events
    topics = ["queue", ticket_topic(ticket.id)]
    if parent_too and ticket.chat_id is not None:
        topics.append(parent_topic(ticket.channel, ticket.chat_id))
    events.publish(*topics)


def _notice(request: Request, node: str, variables: dict[str, object] | None = None) -> Any:
    replies = _services(request).runner.render_node("champion", node, variables)
    return replies[0] if replies else None


@router.post("/tickets/{ticket_id}/claim")
async def claim(request: Request, ticket_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    from_queue = form.get("queue")  # the queue's filters, when claimed from its row
    ticket = await _visible_ticket(request, who, ticket_id)
    # Parents see a first name only, never a surname or an address (as on transfer).
    joined = _notice(request, "joined", {"champion_name": tickets.first_name(who.member.name)})
    async with _services(request).database.transaction() as transaction:
        won = await transaction.run(tickets.claim, ticket_id, who.member.id)
        if won:
            await transaction.run(audit.record, who.member, "claim", ticket_id)
            if joined is not None and ticket.parent_id is not None:
                await transaction.run(tickets.send_to_parent, ticket_id, None, joined)
    if not won:
        latest = await _visible_ticket(request, who, ticket_id)
        holder = latest.claimed_by_name or latest.claimed_by_email or "Someone else"
        message = (
            f"{holder} claimed this ticket first."
            if latest.status == "claimed"
            else "This ticket is closed."
        )
        if from_queue is not None:
            # Claimed from a row of the queue: back to that queue, saying who was first.
            context = await _queue_context(request, who, dict(parse_qsl(str(from_queue))))
            context["error"] = f"Ticket #{ticket_id}: {message}"
            return templates.TemplateResponse(
                request, "console/queue.html", context, status_code=409
            )
        return await _done(request, who, ticket_id, "claimed", message, status=409)
    _publish(request, ticket, parent_too=True)
    return await _done(request, who, ticket_id, "claimed")


@router.post("/tickets/{ticket_id}/reply")
async def reply(request: Request, ticket_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    text = str(form.get("text") or "").strip()
    canned = str(form.get("canned") or "")
    canned_replies = _canned_replies(request)
    chosen = whole_number(canned)
    if not text and chosen is not None and chosen < len(canned_replies):
        text = canned_replies[chosen].text
    if not text:
        return await _done(request, who, ticket_id, "replied", "Write a reply before sending.")
    if len(text) > MAX_REPLY_CHARS:
        return await _done(
            request,
            who,
            ticket_id,
            "replied",
            f"That reply is {len(text):,} characters; the most a parent's phone takes in one "
            f"message is {MAX_REPLY_CHARS:,}. Please shorten it or send it in two parts.",
            draft=text,
        )
    try:
        async with _services(request).database.transaction() as transaction:
            message_id = await transaction.run(
                tickets.champion_reply, ticket_id, who.member.id, text
            )
            await transaction.run(audit.record, who.member, "reply", ticket_id)
            # E-mail a parent who asked and has left the chat (sent later, if still unseen).
            await transaction.run(queue_reply_notice, ticket.parent_id, ticket_id, message_id)
            await transaction.run(queue_reply_push, ticket.parent_id, ticket_id, message_id)
    except tickets.TicketError as exc:
        return await _done(request, who, ticket_id, "replied", str(exc), draft=text, status=409)
    _publish(request, ticket, parent_too=True)
    return await _done(request, who, ticket_id, "replied")


def _ticked(form: Any, name: str) -> bool:
    return str(form.get(name) or "") == "yes"


@router.post("/tickets/{ticket_id}/note")
async def note(request: Request, ticket_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    text = str(form.get("text") or "").strip()
    shareable = _ticked(form, "shareable")
    if not text or len(text) > MAX_REPLY_CHARS:
        problem = "Write a note first." if not text else "Notes can be up to 4,000 characters."
        return await _done(request, who, ticket_id, "noted", problem, draft=text)
    async with _services(request).database.transaction() as transaction:
        await transaction.run(notes.add_note, ticket_id, who.member.id, text, shareable)
        detail = "shared with the family" if shareable else None
        await transaction.run(audit.record, who.member, "note", ticket_id, detail)
    _publish(request, ticket)
    return await _done(request, who, ticket_id, "noted_shared" if shareable else "noted")


@router.post("/tickets/{ticket_id}/notes/{note_id}/sharing")
async def note_sharing(request: Request, ticket_id: RowId, note_id: RowId, who: Who) -> Response:
    """Share an existing note with the family, or stop sharing it.

    Sharing is for the note's author (or an admin): they wrote it as internal, and
    only they know whether it is safe for whoever holds the parent's phone to read.
    Anyone who can see the ticket may stop sharing, which only ever keeps more back.
    """
    form = await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    share = _ticked(form, "share")
    notice = "shared" if share else "unshared"
    database = _services(request).database
    found = await database.read(notes.note_on_ticket, ticket_id, note_id)
    if found is None:
        return await _done(request, who, ticket_id, notice, "There is no such note on this ticket.")
    if share and found.author_id != who.member.id and not who.member.is_admin:
        problem = "Only the champion who wrote a note (or an admin) can share it with the family."
        return await _done(request, who, ticket_id, notice, problem, status=403)
    async with database.transaction() as transaction:
        changed = await transaction.run(notes.set_shareable, ticket_id, note_id, share)
        if changed:
            action = "share_note" if share else "unshare_note"
            await transaction.run(audit.record, who.member, action, ticket_id, f"note {note_id}")
    if not changed:
        return await _done(request, who, ticket_id, notice, "There is no such note on this ticket.")
    _publish(request, ticket)
    return await _done(request, who, ticket_id, notice)


def may_hand_on(member: StaffMember, ticket: tickets.TicketView) -> bool:
    """A claimed ticket is its holder's to pass on or close (or an admin's); a waiting
    one is anyone's who can see it."""
    return ticket.status != "claimed" or ticket.claimed_by == member.id or member.is_admin


def _holder_name(ticket: tickets.TicketView) -> str:
    return ticket.claimed_by_name or ticket.claimed_by_email or "another champion"


@router.post("/tickets/{ticket_id}/transfer")
async def transfer(request: Request, ticket_id: RowId, who: Who) -> Response:
    """To a colleague who covers the area, or back into another area's queue, always
    with a handover note for whoever picks it up; the parent is told who takes over."""
    form = await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    services = _services(request)
    to_member, to_area = str(form.get("to_member") or ""), str(form.get("to_area") or "")
    handover = str(form.get("handover") or "").strip()
    kept = {
        "form": "member" if "to_member" in form else "area",
        "to_member": to_member,
        "to_area": to_area,
        "handover": handover,
    }

    async def refused(problem: str, status: int = 400) -> Response:
        return await _done(
            request, who, ticket_id, "transferred", problem, status=status, kept=kept
        )

    if ticket.status == "closed":
        return await refused("This ticket is closed.")
    if not may_hand_on(who.member, ticket):
        return await refused(
            f"Only {_holder_name(ticket)}, who has this ticket, or an admin can transfer it.",
            403,
        )
    target = None
    area = None
    if to_member:
        members = {m.id: m for m in await services.database.read(all_members)}
        target = members.get(whole_number(to_member) or 0)
        if (
            target is None
            or not target.active
            or not target.covers(ticket.local_authority)
            or target.id == ticket.claimed_by
        ):
            return await refused("Choose a champion who covers this ticket's area.")
    elif to_area:
        area = services.content.current.local_authorities.by_name(to_area)
        if area is None:
            return await refused("Choose an area from the list.")
    else:
        return await refused(
            "Choose a champion to transfer to."
            if "to_member" in form
            else "Choose an area to transfer to."
            if "to_area" in form
            else "Choose a champion or an area to transfer to."
        )
    if not handover:
        return await refused("Write a handover note so whoever takes over knows where things are.")
    if len(handover) > MAX_REPLY_CHARS:
        return await refused(f"Handover notes can be up to {MAX_REPLY_CHARS:,} characters.")
    if not _ticked(form, "confirm"):
        return await refused("Tick the box to confirm the transfer.")
    if target is not None:
        to_whom = target.name or target.email  # staff see names; parents only a first name
        told = _notice(request, "transferred", {"champion_name": tickets.first_name(target.name)})
    else:
        assert area is not None
        to_whom = f"the {area.name} queue"
        told = _notice(request, "transferred_to_area", {"area": area.name})
    async with services.database.transaction() as transaction:
        if target is not None:
            moved = await transaction.run(
                tickets.transfer_to_member, ticket_id, target.id, ticket.claimed_by
            )
        else:
            assert area is not None
            moved = await transaction.run(
                tickets.transfer_to_area, ticket_id, area.name, ticket.claimed_by
            )
        if moved:
            note_text = f"Handover to {to_whom}: {handover}"
            await transaction.run(notes.add_note, ticket_id, who.member.id, note_text)
            await transaction.run(audit.record, who.member, "transfer", ticket_id, f"to {to_whom}")
            if told is not None and ticket.parent_id is not None:
                # The parent's side of the hand-over, and a line in the transcript.
                await transaction.run(tickets.send_to_parent, ticket_id, None, told)
    if not moved:
        return await refused(
            "This ticket was claimed, transferred or closed while you were writing. "
            "Please look at it again.",
            409,
        )
    _publish(request, ticket, parent_too=True)
    if area is not None and not who.member.covers(area.name):
        # It has left this champion's areas: back to the queue rather than a 403.
        return RedirectResponse("/console?done=transferred", status_code=303)
    return await _done(request, who, ticket_id, "transferred")


@router.post("/tickets/{ticket_id}/close")
async def close(request: Request, ticket_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    outcome = str(form.get("outcome") or "")
    if outcome not in tickets.OUTCOMES:
        return await _done(request, who, ticket_id, "closed", "Choose an outcome before closing.")
    if not _ticked(form, "confirm"):
        return await _done(
            request,
            who,
            ticket_id,
            "closed",
            "Tick the box to confirm you want to close this ticket.",
            kept={"outcome": outcome},
        )
    if (
        ticket.status == "claimed"
        and ticket.claimed_by != who.member.id
        and not who.member.is_admin
    ):
        problem = "Only the champion who has this ticket (or an admin) can close it."
        return await _done(request, who, ticket_id, "closed", problem, status=409)
    closing = _notice(request, "closed")
    async with _services(request).database.transaction() as transaction:
        closed = await transaction.run(tickets.close, ticket_id, outcome)
        if closed:
            await transaction.run(audit.record, who.member, "close", ticket_id, outcome)
            if closing is not None and ticket.parent_id is not None:
                await transaction.run(tickets.send_to_parent, ticket_id, None, closing)
    if not closed:
        return await _done(
            request, who, ticket_id, "closed", "This ticket is already closed.", status=409
        )
    services = _services(request)  # "How did it go talking to Sam?" (issue #18)
    await ask_how_it_went(services.database, services.runner, ticket_id)
    _publish(request, ticket, parent_too=True)
    return await _done(request, who, ticket_id, "closed")
