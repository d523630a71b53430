"""Champions say whether they are available, and open console pages send a heartbeat.

Together these decide whether a parent is told a Parent Champion is online
(bot/staff/presence.py). The switch is a plain form in every page's header, so it
works without JavaScript; heartbeat.js beats every ~45 seconds while a page is open.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.services import Services
from bot.staff import presence
from bot.staff.sessions import SignedIn
from bot.web import auth

router = APIRouter(prefix="/console/presence")
Who = Annotated[SignedIn, Depends(auth.signed_in)]
# A heartbeat must not keep an unattended session alive past the idle timeout.
Beating = Annotated[SignedIn, Depends(auth.still_signed_in)]


def _services(request: Request) -> Services:
    return request.app.state.services


def _back_to(typed: str) -> str:
    """The console page the form was on; only a plain console path, never elsewhere."""
    path = typed.strip()
    plain = path.startswith("/console") and "//" not in path and "\\" not in path
    return path if plain and "?" not in path and "#" not in path else "/console"


@router.post("")
async def set_availability(request: Request, who: Who) -> Response:
    form = await auth.checked_form(request, who)
    available = str(form.get("available") or "")
    if available not in ("yes", "no"):
        raise auth.NotAllowed("Choose available or away.")
    async with _services(request).database.transaction() as transaction:
        await transaction.run(presence.set_available, who.member.id, available == "yes")
    return RedirectResponse(_back_to(str(form.get("back") or "")), status_code=303)


@router.post("/heartbeat")
async def heartbeat(request: Request, who: Beating) -> Response:
    await auth.checked_form(request, who)
    async with _services(request).database.transaction() as transaction:
        await transaction.run(presence.heartbeat, who.member.id)
    return Response(status_code=204)
