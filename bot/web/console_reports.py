"""The admin reports page and its CSV export: counts only, no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.handoff import ratings
from bot.handoff.config import handoff_config
from bot.reports import Report, build_report, report_csv
from bot.staff.sessions import SignedIn
from bot.web import auth
from bot.web.templating import templates

router = APIRouter(prefix="/console/reports")
Admin = Annotated[SignedIn, Depends(auth.admin_only)]


async def _report(request: Request) -> Report:
    # The first-response target is content, so admins change it with the opening hours.
    champion = request.app.state.services.content.current.flows.get("champion")
    handoff = handoff_config(champion.data if champion is not None else {})
    return await request.app.state.services.database.read(build_report, None, handoff)


@router.get("")
async def reports_page(request: Request, who: Admin) -> Response:
    report = await _report(request)
    # Parents' comments: admins see them here; a champion sees their own (/console/ratings).
    since = dt.datetime.combine(report.weeks[0], dt.time(), tzinfo=dt.UTC)
    comments = await request.app.state.services.database.read(ratings.given, since, None, True, 50)
    weekly = [
        ("Conversations started", report.conversations),
        ("Requests for a Parent Champion", report.handoffs),
        ("Drop-in places booked", report.booked),
        ("Drop-in attendance", report.attended),
    ]
    return templates.TemplateResponse(
        request,
        "console/reports.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "report": report,
            "weekly": weekly,
            "comments": comments,
            "scores": list(ratings.SCORES),
        },
    )


@router.get(".csv")
async def reports_csv(request: Request, who: Admin) -> Response:
    report = await _report(request)
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="champion-report.csv"'},
    )
