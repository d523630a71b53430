"""Console pages for drop-in sessions: add, change, cancel, import, attendance, messages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.booking import bookings
from bot.booking.actions import reminder_hours
from bot.booking.entry import CSV_COLUMNS, EntryError, read_csv, read_session
from bot.booking.reminders import failed_reminders
from bot.booking.sessions import SessionView, add_session, change_session, get_session, upcoming
from bot.booking.times import UK
from bot.core.outbound import ParentGone, push_message
from bot.core.text import whole_number
from bot.handoff.events import parent_topic
from bot.services import Services
from bot.staff import audit
from bot.staff.accounts import StaffMember, all_members
from bot.staff.sessions import SignedIn
from bot.web import auth
from bot.web.ids import RowId
from bot.web.templating import templates

router = APIRouter(prefix="/console/sessions")
Who = Annotated[SignedIn, Depends(auth.signed_in)]
Admin = Annotated[SignedIn, Depends(auth.admin_only)]
FIELDS = tuple(name for name in CSV_COLUMNS if name != "host_email")
DONE = {
    "added": "Session added.",
    "changed": "Session changed. Reminders follow the new time.",
    "cancelled": "Session cancelled. Everyone booked has been told.",
    "attendance": "Attendance saved.",
    "messaged": "Message sent to everyone booked.",
}


def _services(request: Request) -> Services:
    return request.app.state.services


def _areas(member: StaffMember, services: Services) -> list[str]:
    if member.is_admin:
        return [a.name for a in services.content.current.local_authorities.authorities]
    return member.areas


def _hours(services: Services) -> list[int]:
    dropin = services.content.current.flows.get("dropin")
    return reminder_hours(dropin.data if dropin else {})


def _form_values(session: SessionView | None) -> dict[str, str]:
    if session is None:
        return {"capacity": "10"}
    starts, ends = session.starts_at.astimezone(UK), session.ends_at.astimezone(UK)
    return {
        "title": session.title,
        "local_authority": session.local_authority,
        "venue": session.venue,
        "address": session.address,
        "online_link": session.online_link,
        "date": starts.date().isoformat(),
        "start": f"{starts:%H:%M}",
        "end": f"{ends:%H:%M}",
        "capacity": str(session.capacity),
        "notes": session.notes,
        "host_id": str(session.host_id or ""),
    }


async def _list_page(
    request: Request, who: SignedIn, error: str = "", form: dict[str, str] | None = None
) -> Response:
    services = _services(request)
    areas = None if who.member.is_admin else who.member.areas
    now = dt.datetime.now(dt.UTC)
    return templates.TemplateResponse(
        request,
        "console/sessions.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "sessions": await services.database.read(upcoming, now, areas),
            "failed": await services.database.read(failed_reminders),
            "areas": _areas(who.member, services),
            "hosts": await _hosts(services),
            "form": form or _form_values(None),
            "error": error,
            "notice": DONE.get(request.query_params.get("done", ""), ""),
        },
        status_code=400 if error else 200,
    )


async def _hosts(services: Services) -> list[StaffMember]:
    return [m for m in await services.database.read(all_members) if m.active]


@router.get("")
async def sessions_page(request: Request, who: Who) -> Response:
    return await _list_page(request, who)


def _typed(form: Any) -> dict[str, str]:
    return {name: str(form.get(name) or "")[:2000] for name in (*FIELDS, "host_id")}


def _read(services: Services, who: SignedIn, typed: dict[str, str]) -> Any:
    host = typed.get("host_id", "")
    details = read_session(
        typed,
        services.content.current.local_authorities,
        host_id=whole_number(host) or who.member.id,
    )
    if details.local_authority not in _areas(who.member, services):
        raise EntryError(f"local_authority: you don't cover {details.local_authority}")
    return details


@router.post("")
async def add(request: Request, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    services = _services(request)
    typed = _typed(form)
    try:
        details = _read(services, who, typed)
    except EntryError as exc:
        return await _list_page(request, who, str(exc), typed)
    async with services.database.transaction() as transaction:
        session_id = await transaction.run(add_session, details)
        await transaction.run(
            audit.record, who.member, "add_session", None, f"session {session_id}"
        )
    return RedirectResponse(f"/console/sessions/{session_id}?done=added", status_code=303)


async def _visible(request: Request, who: SignedIn, session_id: int) -> SessionView:
    session = await _services(request).database.read(get_session, session_id)
    if session is None:
        raise auth.NotAllowed("There is no such session.")
    if not who.member.covers(session.local_authority):
        raise auth.NotAllowed("This session is in an area you don't cover.")
    return session


async def _session_page(
    request: Request,
    who: SignedIn,
    session: SessionView,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    services = _services(request)
    people = await services.database.read(bookings.attendees, session.id)
    return templates.TemplateResponse(
        request,
        "console/session.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "session": session,
            "booked": [p for p in people if p.status == "booked"],
            "waiting": [p for p in people if p.status == "waitlisted"],
            "areas": _areas(who.member, services),
            "hosts": await _hosts(services),
            "form": form or _form_values(session),
            "error": error,
            "notice": DONE.get(request.query_params.get("done", ""), ""),
        },
        status_code=400 if error else 200,
    )


@router.get("/import")
async def import_page(request: Request, who: Admin) -> Response:
    return templates.TemplateResponse(
        request,
        "console/sessions_import.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "columns": CSV_COLUMNS,
            "problems": [],
            "imported": None,
        },
    )


@router.post("/import")
async def import_csv(request: Request, who: Admin) -> Response:
    form = await auth.checked_form(request, who)
    services = _services(request)
    upload = form.get("file")
    raw = await upload.read() if hasattr(upload, "read") else b""
    members = {m.email: m.id for m in await _hosts(services)}
    result = read_csv(
        raw, services.content.current.local_authorities, lambda e: members.get(e.strip().casefold())
    )
    imported = None
    if result.sessions:
        async with services.database.transaction() as transaction:
            for details in result.sessions:
                await transaction.run(add_session, details)
            await transaction.run(
                audit.record,
                who.member,
                "import_sessions",
                None,
                f"{len(result.sessions)} sessions",
            )
        imported = len(result.sessions)
    return templates.TemplateResponse(
        request,
        "console/sessions_import.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "columns": CSV_COLUMNS,
            "problems": result.problems,
            "imported": imported,
        },
        status_code=400 if result.problems else 200,
    )


@router.get("/{session_id}")
async def session_page(request: Request, session_id: RowId, who: Who) -> Response:
    return await _session_page(request, who, await _visible(request, who, session_id))


@router.post("/{session_id}")
async def change(request: Request, session_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    session = await _visible(request, who, session_id)
    services = _services(request)
    typed = _typed(form)
    if session.status == "cancelled":
        return await _session_page(request, who, session, "This session was cancelled.", typed)
    try:
        details = _read(services, who, typed)
    except EntryError as exc:
        return await _session_page(request, who, session, str(exc), typed)
    async with services.database.transaction() as transaction:
        await transaction.run(change_session, session_id, details)
        await transaction.run(
            bookings.reschedule_reminders, session_id, dt.datetime.now(dt.UTC), _hours(services)
        )
        await transaction.run(
            audit.record, who.member, "change_session", None, f"session {session_id}"
        )
    return RedirectResponse(f"/console/sessions/{session_id}?done=changed", status_code=303)


async def _tell(
    services: Services,
    transaction: Any,
    parent_ids: list[int],
    node: str,
    variables: dict[str, Any],
) -> list[str]:
    rendered = services.runner.render_node("dropin", node, variables)
    topics: list[str] = []
    if not rendered:
        return topics
    message = rendered[0]
    for parent_id in parent_ids:
        try:
            pushed = await transaction.run(push_message, parent_id, message)
        except ParentGone:
            continue
        topics.append(parent_topic(pushed.channel, pushed.chat_id))
    return topics


@router.post("/{session_id}/cancel")
async def cancel(request: Request, session_id: RowId, who: Who) -> Response:
    await auth.checked_form(request, who)
    session = await _visible(request, who, session_id)
    services = _services(request)
    if session.status == "cancelled":
        return RedirectResponse(f"/console/sessions/{session_id}", status_code=303)
    async with services.database.transaction() as transaction:
        told = await transaction.run(bookings.cancel_session, session_id)
        topics = await _tell(
            services, transaction, told, "cancelled_by_champion", session.variables()
        )
        await transaction.run(
            audit.record, who.member, "cancel_session", None, f"session {session_id}"
        )
    services.events.publish(*topics)
    return RedirectResponse(f"/console/sessions/{session_id}?done=cancelled", status_code=303)


@router.post("/{session_id}/attendance")
async def attendance(request: Request, session_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    await _visible(request, who, session_id)
    present = {n for v in form.getlist("present") if (n := whole_number(str(v))) is not None}
    async with _services(request).database.transaction() as transaction:
        await transaction.run(bookings.mark_attendance, session_id, present)
    return RedirectResponse(f"/console/sessions/{session_id}?done=attendance", status_code=303)


@router.post("/{session_id}/message")
async def message_all(request: Request, session_id: RowId, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    session = await _visible(request, who, session_id)
    services = _services(request)
    text = str(form.get("text") or "").strip()
    if not text or len(text) > 4000:
        problem = (
            "Write a message first." if not text else "Messages can be up to 4,000 characters."
        )
        return await _session_page(request, who, session, problem)
    people = await services.database.read(bookings.attendees, session_id)
    booked = [p.parent_id for p in people if p.status == "booked"]
    async with services.database.transaction() as transaction:
        topics = await _tell(
            services, transaction, booked, "champion_message", {**session.variables(), "text": text}
        )
        await transaction.run(
            audit.record, who.member, "message_session", None, f"session {session_id}"
        )
    services.events.publish(*topics)
    return RedirectResponse(f"/console/sessions/{session_id}?done=messaged", status_code=303)
