"""Admin pages of the console: the audit log and the champions' accounts and areas."""

from __future__ import annotations

import datetime as dt
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
    get_member,
    hash_password_off_loop,
    update_member,
)
from bot.staff.passwords import account_with_hash, make_reset_token, reset_key
from bot.staff.sessions import SignedIn, end_sessions_of
from bot.triage.local_authorities import LocalAuthorities
from bot.web import auth
from bot.web.ids import RowId
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
    services = _services(request)
    members = await services.database.read(all_members)
    on_now = await services.database.read(presence.who_is_on)
    form = form or {}
    ticked = form.get("areas") or []
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
            "form": form,
            # The add-account form's council list, as on an account's own page.
            "regions": area_choices(services.content.current.local_authorities, ticked),
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
    typed: dict[str, Any] = {k: str(form.get(k) or "") for k in ("email", "name", "role")}
    areas, unknown = _areas_in(form, services.content.current.local_authorities)
    typed["areas"] = areas  # kept ticked if anything is refused
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


def area_choices(
    authorities: LocalAuthorities, keep: list[str], today: dt.date | None = None
) -> list[tuple[str, list[str]]]:
    """Councils to tick, by region: every council not yet abolished (so a new one can be
    given before it starts), and any the account already has, so none is lost unseen."""
    day = today or dt.date.today()
    by_region: dict[str, list[str]] = {}
    for a in authorities.authorities:
        if a.valid_to is None or a.valid_to >= day or a.name in keep:
            by_region.setdefault(a.region or "Other", []).append(a.name)
    return [(region, sorted(names)) for region, names in sorted(by_region.items())]


async def _account_page(
    request: Request,
    who: SignedIn,
    member_id: int,
    error: str = "",
    status: int = 200,
    reset: tuple[str, dt.datetime] | None = None,
) -> Response:
    services = _services(request)
    member = await services.database.read(get_member, member_id)
    if member is None:
        raise auth.NotAllowed("There is no such account.")
    done = request.query_params.get("done", "") if not error and reset is None else ""
    return templates.TemplateResponse(
        request,
        "console/user.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "member": member,
            "roles": ROLES,
            "regions": area_choices(services.content.current.local_authorities, member.areas),
            "error": error,
            "notice": "Account updated." if done == "updated" else "",
            "reset_link": reset[0] if reset else "",
            "reset_expires": reset[1] if reset else None,
        },
        status_code=status,
        # A page holding a reset link is a credential: never kept in a cache.
        headers={"Cache-Control": "no-store"},
    )


@router.get("/users/{member_id}")
async def account_page(request: Request, member_id: RowId, who: Admin) -> Response:
    return await _account_page(request, who, member_id)


def _ticked_areas(form: Any, authorities: LocalAuthorities) -> tuple[list[str], list[str]]:
    """Council names ticked in the list: (known names, unknown ones)."""
    known: list[str] = []
    unknown: list[str] = []
    for typed in (str(v) for v in form.getlist("area")):
        found = authorities.by_name(typed)
        if found is None or found.name != typed:
            unknown.append(typed[:80])
        elif found.name not in known:
            known.append(found.name)
    return known, unknown


def _areas_in(form: Any, authorities: LocalAuthorities) -> tuple[list[str], list[str]]:
    """The areas a form gives, checked against the council list: ticked in the list
    (the add-account form and an account's page send areas_from=list), or typed in the
    accounts table's quick edit. Returns (known names, unknown ones)."""
    if form.get("areas_from") == "list":
        return _ticked_areas(form, authorities)
    return read_areas(str(form.get("areas") or ""), authorities)


@router.post("/users/{member_id}")
async def change_user(request: Request, member_id: RowId, who: Admin) -> Response:
    """From the accounts table (areas typed, active) or the account's own page (role,
    areas ticked from the council list, active)."""
    form = await auth.checked_form(request, who)
    services = _services(request)
    from_list = form.get("areas_from") == "list"

    async def refused(problem: str) -> Response:
        if from_list:
            return await _account_page(request, who, member_id, problem, status=400)
        return await _users_page(request, who, problem, status=400)

    areas, unknown = _areas_in(form, services.content.current.local_authorities)
    if unknown:
        return await refused(f"Unknown area: {', '.join(unknown)}.")
    role = str(form.get("role") or "") or None
    if role is not None and role not in ROLES:
        return await refused(f"Choose a role: {' or '.join(ROLES)}.")
    active = form.get("active") == "on"
    if member_id == who.member.id and not active:
        return await refused("You can't switch off your own account.")
    if member_id == who.member.id and role not in (None, "admin"):
        return await refused("You can't take away your own admin role; ask another admin.")
    member = await services.database.read(get_member, member_id)
    if member is None:
        return await refused("There is no such account.")
    async with services.database.transaction() as transaction:
        await transaction.run(update_member, member_id, areas=areas, active=active, role=role)
        if not active:
            await transaction.run(end_sessions_of, member_id)
        detail = (
            f"{member.name or member.email}: role {role or member.role}; "
            f"areas {', '.join(areas) or 'none'}; active {active}"
        )
        await transaction.run(audit.record, who.member, "update_user", None, detail)
    if from_list:
        return RedirectResponse(f"/console/users/{member_id}?done=updated", status_code=303)
    return RedirectResponse("/console/users?done=updated", status_code=303)


NO_PUBLIC_URL = (
    "Password-reset links need the console's public address: set PUBLIC_URL "
    "(like https://champion.example.org) and restart the service."
)


def _link_base(request: Request) -> str | None:
    """The configured PUBLIC_URL, never the request's Host header (anyone can forge
    it, and the link would carry the token to their server); None if it isn't set."""
    settings = _services(request).settings
    return settings.public_url if "public_url" in settings.model_fields_set else None


@router.post("/users/{member_id}/reset-link")
async def make_reset_link(request: Request, member_id: RowId, who: Admin) -> Response:
    """A one-time link for the admin to pass on; shown once, never stored or logged."""
    await auth.checked_form(request, who)
    services = _services(request)
    base = _link_base(request)
    if base is None:
        return await _account_page(request, who, member_id, NO_PUBLIC_URL, status=400)
    member, password_hash = await services.database.read(account_with_hash, member_id)
    if member is None or password_hash is None:
        problem = "Switch this account on before making a password-reset link."
        return await _account_page(request, who, member_id, problem, status=400)
    token, expires = make_reset_token(reset_key(services.session_key), member.id, password_hash)
    async with services.database.transaction() as transaction:
        detail = f"for {member.name or member.email}"
        await transaction.run(audit.record, who.member, "reset_link", None, detail)
    link = f"{base}/console/reset/{token}"
    return await _account_page(request, who, member_id, reset=(link, expires))
