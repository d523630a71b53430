"""Follow-ups in the console (issue #18): "Check back with this family" on a ticket,
Cancel there, and "Done" from the queue's "Follow-ups due" list.

Plain forms (POST, then a redirect), so they work without JavaScript. Setting one is
for the ticket's holder or an admin; cancelling or finishing one is also for the
champion it reminds. Every page checks the ticket is in the champion's areas.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.handoff import follow_ups
from bot.handoff.tickets import TicketView
from bot.staff import audit
from bot.staff.accounts import StaffMember
from bot.web import auth
from bot.web.console import Who, _done, _publish, _queue_context, _services, _visible_ticket
from bot.web.ids import RowId
from bot.web.templating import local_time, templates

router = APIRouter(prefix="/console")


def _may_set(member: StaffMember, ticket: TicketView) -> bool:
    return member.is_admin or ticket.claimed_by == member.id


def _may_change(member: StaffMember, ticket: TicketView, item: follow_ups.FollowUpView) -> bool:
    return _may_set(member, ticket) or item.staff_user_id == member.id


@router.post("/tickets/{ticket_id}/follow-ups")
async def set_follow_up(request: Request, ticket_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    kept = {
        "form": "follow_up",
        "fu_date": str(form.get("date") or "")[:40],
        "fu_time": str(form.get("time") or "")[:20],
        "fu_note": str(form.get("note") or ""),
        "fu_message": str(form.get("message") or ""),
    }

    async def refused(problem: str, status: int = 400) -> Response:
        return await _done(
            request, who, ticket_id, "follow_up_set", problem, status=status, kept=kept
        )

    if not _may_set(who.member, ticket):
        return await refused(
            "Only the champion who has this ticket, or an admin, can set a follow-up.", 403
        )
    if ticket.parent_id is None:
        return await refused(
            "This family's conversation was deleted, so there is nobody to check back with."
        )
    try:
        due_at = follow_ups.due_time(kept["fu_date"], kept["fu_time"])
        note, message = follow_ups.checked_words(kept["fu_note"], kept["fu_message"])
    except follow_ups.FollowUpError as problem:
        return await refused(str(problem))
    detail = f"due {local_time(due_at)}" + (", with a message to the parent" if message else "")
    async with _services(request).database.transaction() as transaction:
        await transaction.run(
            follow_ups.add, ticket_id, ticket.parent_id, who.member.id, due_at, note, message
        )
        await transaction.run(audit.record, who.member, "follow_up", ticket_id, detail)
    _publish(request, ticket)
    return await _done(request, who, ticket_id, "follow_up_set")


async def _follow_up_of(
    request: Request, who: Who, follow_up_id: int
) -> tuple[follow_ups.FollowUpView | None, TicketView | None]:
    item = await _services(request).database.read(follow_ups.get, follow_up_id)
    if item is None:
        return None, None
    return item, await _visible_ticket(request, who, item.ticket_id)


@router.post("/tickets/{ticket_id}/follow-ups/{follow_up_id}/cancel")
async def cancel_follow_up(
    request: Request, ticket_id: RowId, follow_up_id: RowId, who: Who
) -> Response:
    await auth.checked_form(request, who)
    ticket = await _visible_ticket(request, who, ticket_id)
    item = await _services(request).database.read(follow_ups.get, follow_up_id)
    notice = "follow_up_cancelled"
    if item is None or item.ticket_id != ticket_id:
        return await _done(
            request, who, ticket_id, notice, "There is no such follow-up on this ticket."
        )
    if not _may_change(who.member, ticket, item):
        problem = "Only the champion it reminds, the ticket's holder or an admin can cancel it."
        return await _done(request, who, ticket_id, notice, problem, status=403)
    async with _services(request).database.transaction() as transaction:
        cancelled = await transaction.run(follow_ups.cancel, follow_up_id, ticket_id)
        if cancelled:
            detail = f"follow-up {follow_up_id}"
            await transaction.run(audit.record, who.member, "follow_up_cancel", ticket_id, detail)
    if not cancelled:
        problem = "This follow-up has already gone out or was cancelled."
        return await _done(request, who, ticket_id, notice, problem, status=409)
    _publish(request, ticket)
    return await _done(request, who, ticket_id, notice)


@router.post("/follow-ups/{follow_up_id}/done")
async def follow_up_done(request: Request, follow_up_id: RowId, who: Who) -> Response:
    """From the queue's list (or the ticket page, with back=ticket)."""
    form = await auth.checked_form(request, who)
    item, ticket = await _follow_up_of(request, who, follow_up_id)
    to_ticket = str(form.get("back") or "") == "ticket"
    problem, status = "", 400
    if item is None or ticket is None:
        problem = "There is no such follow-up."
    elif not _may_change(who.member, ticket, item):
        problem, status = "This follow-up is another champion's.", 403
    else:
        async with _services(request).database.transaction() as transaction:
            finished = await transaction.run(follow_ups.mark_done, follow_up_id)
            if finished:
                detail = f"follow-up {follow_up_id}"
                await transaction.run(audit.record, who.member, "follow_up_done", ticket.id, detail)
        if not finished:
            problem, status = (
                "This follow-up is already done or cancelled, or its message to the parent "
                "has not gone yet (cancel it on the ticket if it should not).",
                409,
            )
        else:
            _publish(request, ticket)
    if to_ticket and ticket is not None:
        return await _done(request, who, ticket.id, "follow_up_done", problem, status=status)
    if not problem:
        return RedirectResponse("/console?done=follow_up_done", status_code=303)
    context = await _queue_context(request, who)
    context["error"] = problem
    return templates.TemplateResponse(request, "console/queue.html", context, status_code=status)
