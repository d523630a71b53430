"""Admin pages of the console: the audit log and the champions' accounts and areas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.core.text import whole_number
from bot.services import Services
from bot.staff import audit, presence
from bot.staff.accounts import (
    ROLES,
    AccountError,
    all_members,
    create_user,
    hash_password_off_loop,
    update_member,
)
from bot.staff.sessions import SignedIn, end_sessions_of
from bot.triage.local_authorities import LocalAuthorities
from bot.web import auth
from bot.web.templating import templates

router = APIRouter(prefix="/console")
Admin = Annotated[SignedIn, Depends(auth.admin_only)]


def _services(request: Request) -> Services:
    return request.app.state.services


@router.get("/audit")
async def audit_page(request: Request, who: Admin) -> Response:
    ticket = request.query_params.get("ticket", "")
    ticket_id = whole_number(ticket)
    lines = await _services(request).database.read(audit.latest, 500, ticket_id)
    return templates.TemplateResponse(
        request,
        "console/audit.html",
        {"who": who.member, "csrf_token": who.csrf_token, "lines": lines, "ticket": ticket_id},
    )


def read_areas(text: str, authorities: LocalAuthorities) -> tuple[list[str], list[str]]:
    """Area names typed one per line or comma-separated: (known names, unknown ones)."""
    known: list[str] = []
    unknown: list[str] = []
    for typed in (p.strip() for p in text.replace("\n", ",").split(",")):
        if not typed:
            continue
        found = authorities.by_name(typed) or next(iter(authorities.find(typed, 1)), None)
        if found is None:
            unknown.append(typed)
        elif found.name not in known:
            known.append(found.name)
    return known, unknown


async def _users_page(
    request: Request,
    who: SignedIn,
    error: str = "",
    notice: str = "",
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    members = await _services(request).database.read(all_members)
    on_now = await _services(request).database.read(presence.who_is_on)
    return templates.TemplateResponse(
        request,
        "console/users.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "members": members,
            "presence": on_now,
            "roles": ROLES,
            "error": error,
            "notice": notice,
            "form": form or {},
        },
        status_code=status,
    )


@router.get("/users")
async def users_page(request: Request, who: Admin) -> Response:
    done = request.query_params.get("done")
    notice = {"created": "Account created.", "updated": "Account updated."}.get(done or "", "")
    return await _users_page(request, who, notice=notice)


@router.post("/users")
async def add_user(request: Request, who: Admin) -> Response:
    form = await auth.checked_form(request, who)
    services = _services(request)
    typed = {k: str(form.get(k) or "") for k in ("email", "name", "role", "areas")}
    areas, unknown = read_areas(typed["areas"], services.content.current.local_authorities)
    if unknown:
        return await _users_page(
            request, who, f"Unknown area: {', '.join(unknown)}.", status=400, form=typed
        )
    try:
        password_hash = await hash_password_off_loop(str(form.get("password") or ""))
        async with services.database.transaction() as transaction:
            member = await transaction.run(
                create_user, typed["email"], password_hash, typed["role"], areas, typed["name"]
            )
            await transaction.run(audit.record, who.member, "create_user", None, member.email)
    except AccountError as exc:
        message = str(exc)
        return await _users_page(
            request, who, message[0].upper() + message[1:] + ".", status=400, form=typed
        )
    return RedirectResponse("/console/users?done=created", status_code=303)


@router.post("/users/{member_id}")
async def change_user(request: Request, member_id: int, who: Admin) -> Response:
    form = await auth.checked_form(request, who)
    services = _services(request)
    areas, unknown = read_areas(
        str(form.get("areas") or ""), services.content.current.local_authorities
    )
    if unknown:
        return await _users_page(request, who, f"Unknown area: {', '.join(unknown)}.", status=400)
    active = form.get("active") == "on"
    if member_id == who.member.id and not active:
        return await _users_page(request, who, "You can't switch off your own account.", status=400)
    async with services.database.transaction() as transaction:
        await transaction.run(update_member, member_id, areas=areas, active=active)
        if not active:
            await transaction.run(end_sessions_of, member_id)
        detail = f"user {member_id}: areas {', '.join(areas) or 'none'}; active {active}"
        await transaction.run(audit.record, who.member, "update_user", None, detail)
    return RedirectResponse("/console/users?done=updated", status_code=303)
