"""My ratings: a champion's own "How did it go?" ratings and comments (issue #18).

Every signed-in champion (and admin) sees only the ratings of chats they held when
they were closed; admins see everyone's on the reports page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.core.dates import week_start
from bot.handoff import ratings
from bot.reports import WEEKS
from bot.staff.sessions import SignedIn
from bot.store.models import utcnow
from bot.web import auth
from bot.web.templating import templates

router = APIRouter(prefix="/console/ratings")
Who = Annotated[SignedIn, Depends(auth.signed_in)]


@router.get("")
async def my_ratings(request: Request, who: Who) -> Response:
    this_week = week_start(utcnow())
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    since = dt.datetime.combine(weeks[0], dt.time(), tzinfo=dt.UTC)
    database = request.app.state.services.database
    rated = await database.read(ratings.weekly, since, who.member.id)
    given = await database.read(ratings.given, since, who.member.id)
    return templates.TemplateResponse(
        request,
        "console/ratings.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "weeks": weeks,
            "rated": rated,
            "given": given,
            "scores": list(ratings.SCORES),
        },
    )
