"""Flow actions for drop-in sessions (flows/dropin.yml): list, book, waitlist, cancel.

Booking reads and writes inside the message's own transaction (`context.store`),
so the place counted is the place taken. Words come from the flow's `data:`
block; these functions only fill them in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.booking import bookings as store
from bot.booking.ics import ICS_MEDIA_TYPE
from bot.booking.sessions import SessionView, bookable_for
from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.core.outbound import push_message
from bot.core.text import fill, whole_number
from bot.core.types import PREVIEW_CHANNEL, Document, Reply

PAGE_SIZE = 3
DEFAULT_REMINDER_HOURS = [24, 2]


def reminder_hours(flow_data: dict[str, Any]) -> list[int]:
    hours = flow_data.get("reminder_hours", DEFAULT_REMINDER_HOURS)
    if not isinstance(hours, list) or not all(
        isinstance(h, int) and 0 < h <= 24 * 14 for h in hours
    ):
        return DEFAULT_REMINDER_HOURS
    return hours


def _now(context: ActionContext) -> dt.datetime:
    return context.now or dt.datetime.now(dt.UTC)


def _words(context: ActionContext, key: str, fallback: str) -> str:
    return str((context.flow_data.get("words") or {}).get(key, fallback))


def _line(context: ActionContext, number: int, session: SessionView) -> str:
    template = _words(context, "line", "{number}. {dropin_title}, {dropin_when}, {dropin_place}")
    return fill(template, {"number": number, **session.variables()})


async def _offer_page(context: ActionContext, page: int) -> ActionResult:
    home = context.variables.get("local_authority")
    authorities = getattr(context.content, "local_authorities", None)
    nearby = frozenset(authorities.neighbours(home)) if authorities and home else frozenset()
    found = await context.store(bookable_for, _now(context), home, nearby)
    shown = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if not shown and page:
        page, shown = 0, found[:PAGE_SIZE]
    options = [(s.button_label, f"s{s.id}") for s in shown]
    if len(found) > (page + 1) * PAGE_SIZE:
        options.append((_words(context, "more", "More sessions"), "more"))
    options.append((_words(context, "mine", "My bookings"), "mine"))
    options.append((_words(context, "menu", "Main menu"), "menu"))
    lines = [_line(context, page * PAGE_SIZE + i + 1, s) for i, s in enumerate(shown)]
    return ActionResult(
        variables={
            "dropin_page": page,
            "dropin_found": len(found),
            "dropin_list": "\n".join(lines),
        },
        options=options,
    )


async def list_sessions(context: ActionContext) -> ActionResult:
    return await _offer_page(context, 0)


async def more_sessions(context: ActionContext) -> ActionResult:
    return await _offer_page(context, int(context.variables.get("dropin_page") or 0) + 1)


def _chosen_id(context: ActionContext, prefix: str, variable: str) -> int | None:
    value = str(context.variables.get(variable) or "")
    return whole_number(value[1:]) if value.startswith(prefix) else None


async def _book(context: ActionContext, session_id: int | None, waitlist: bool) -> ActionResult:
    # The admins' preview of draft content must not take real places at real sessions.
    if session_id is None or context.parent_id is None or context.channel == PREVIEW_CHANNEL:
        return ActionResult(variables={"dropin_result": "unavailable"})
    hours = reminder_hours(context.flow_data)
    result = await context.store(
        store.book, session_id, context.parent_id, _now(context), hours, waitlist
    )
    variables: dict[str, Any] = {"dropin_result": result.outcome, "dropin_session_id": session_id}
    if result.session is not None:
        variables |= result.session.variables()
    document = None
    if result.outcome == "booked" and result.booking_id is not None:
        day = result.session.starts_at.date().isoformat() if result.session else "session"
        document = Document(f"drop-in-{day}.ics", ICS_MEDIA_TYPE, f"ics:{result.booking_id}")
    return ActionResult(variables=variables, document=document)


async def book_session(context: ActionContext) -> ActionResult:
    return await _book(context, _chosen_id(context, "s", "dropin_choice"), waitlist=False)


async def join_waitlist(context: ActionContext) -> ActionResult:
    session_id = context.variables.get("dropin_session_id")
    return await _book(context, int(session_id) if session_id else None, waitlist=True)


async def my_bookings(context: ActionContext) -> ActionResult:
    if context.parent_id is None:
        return ActionResult(variables={"dropin_bookings_count": 0})
    mine = await context.store(store.bookings_of, context.parent_id, _now(context))
    lines = []
    for number, booking in enumerate(mine, start=1):
        line = _line(context, number, booking.session)
        if booking.status == "waitlisted":
            line += _words(context, "on_waitlist", " (on the waitlist)")
        lines.append(line)
    cancel = _words(context, "cancel", "Cancel")
    options = [(f"{cancel} {n}", f"b{b.booking_id}") for n, b in enumerate(mine, start=1)]
    options.append((_words(context, "find", "Find a session"), "find"))
    options.append((_words(context, "menu", "Main menu"), "menu"))
    return ActionResult(
        variables={"dropin_bookings": "\n".join(lines), "dropin_bookings_count": len(mine)},
        options=options,
    )


async def cancel_booking(context: ActionContext) -> ActionResult:
    booking_id = _chosen_id(context, "b", "dropin_booking_choice")
    if booking_id is None or context.parent_id is None:
        return ActionResult(variables={"dropin_cancelled": "no"})
    hours = reminder_hours(context.flow_data)
    result = await context.store(
        store.cancel_booking, booking_id, context.parent_id, _now(context), hours
    )
    if not result.cancelled:
        return ActionResult(variables={"dropin_cancelled": "no"})
    if result.promoted_parent_id is not None and result.session is not None:
        # Someone on the waitlist gets the place, and hears about it.
        template = _words(context, "promoted", "Good news: a place came up at {dropin_title}.")
        notice = Reply(fill(template, result.session.variables()))
        await context.store(push_message, result.promoted_parent_id, notice)
    variables: dict[str, Any] = {"dropin_cancelled": "yes"}
    if result.session is not None:
        variables |= result.session.variables()
    return ActionResult(variables=variables)


def register(registry: ActionRegistry) -> None:
    registry.register("dropin_list")(list_sessions)
    registry.register("dropin_more")(more_sessions)
    registry.register("dropin_book")(book_session)
    registry.register("dropin_waitlist")(join_waitlist)
    registry.register("dropin_mine")(my_bookings)
    registry.register("dropin_cancel")(cancel_booking)
