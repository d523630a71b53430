"""The idle sign-out warning's two requests (static/idle.js).

GET /console/session says how long is left without counting as using the console (an
open page asking must not keep an unattended session alive). POST /console/session/stay
is the "Stay signed in" button: CSRF-checked, it starts the idle clock again.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from bot.staff.idle import keep_alive, seconds_left
from bot.staff.sessions import SignedIn
from bot.web import auth

router = APIRouter(prefix="/console/session")
Checking = Annotated[SignedIn, Depends(auth.still_signed_in)]


def _left(request: Request) -> tuple[str, dt.timedelta]:
    token = auth.read_cookie(request, auth.SESSION_COOKIE) or ""
    idle = dt.timedelta(minutes=request.app.state.services.settings.console_idle_minutes)
    return token, idle


@router.get("")
async def session_status(request: Request, who: Checking) -> Response:
    token, idle = _left(request)
    left = await request.app.state.services.database.read(seconds_left, token, idle)
    return JSONResponse(
        {"seconds_left": left, "idle_seconds": int(idle.total_seconds())},
        headers={"Cache-Control": "no-store"},
    )


@router.post("/stay")
async def stay_signed_in(request: Request, who: Checking) -> Response:
    await auth.checked_form(request, who)
    token, idle = _left(request)
    async with request.app.state.services.database.transaction() as transaction:
        await transaction.run(keep_alive, token)
        left = await transaction.run(seconds_left, token, idle)
    return JSONResponse({"seconds_left": left}, headers={"Cache-Control": "no-store"})
