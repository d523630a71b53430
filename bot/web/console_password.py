"""Passwords in the console: a champion changes their own, or sets one from a reset link.

A reset link (bot/staff/passwords.py) carries its token in the path, the one place a
credential may be in a URL (DESIGN.md). On first use it is swapped for a short-lived
HttpOnly cookie and the browser is sent on to /console/reset, so the token leaves
the address bar and history at once. No page here logs it, and every response has
`Referrer-Policy: no-referrer` (bot/web/security_headers.py), so no link or resource
on the page can pass it on either.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.staff import audit
from bot.staff.accounts import AccountError, check_password, hash_password_off_loop
from bot.staff.passwords import (
    account_with_hash,
    replace_password_hash,
    reset_key,
    token_is_valid,
    token_member_id,
)
from bot.staff.sessions import SignedIn, end_sessions_of, start_session
from bot.staff.throttle import clear_failures, locked_for, record_failure, throttle_keys
from bot.web import auth
from bot.web.client import client_address
from bot.web.templating import templates

# Included by bot/web/console_login.py's router, which adds the /console prefix.
router = APIRouter()
RESET_COOKIE = "champion_reset"
NO_STORE = {"Cache-Control": "no-store"}
LINK_GONE = (
    "This password-reset link has expired or has already been used. "
    "Please ask an admin for a new one."
)
MISMATCH = "The two new passwords are not the same. Please type them again."


def _problem(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(
        request,
        "console/problem.html",
        {"title": "Password reset", "message": message, "who": None},
        status_code=status,
        headers=NO_STORE,
    )


def _reset_cookie_path(request: Request) -> str:
    # `__Host-` cookies (over HTTPS) must have Path=/; otherwise only the reset page.
    return "/" if auth.secure_cookies(request) else "/console/reset"


def _forget_reset(request: Request, response: Response) -> None:
    response.delete_cookie(
        auth.cookie_name(request, RESET_COOKIE),
        path=_reset_cookie_path(request),
        secure=auth.secure_cookies(request),
        httponly=True,
        samesite="lax",
    )


async def _valid_reset(request: Request, token: str) -> tuple[int, str] | None:
    """(account id, its current hash) if the token still opens a reset."""
    member_id = token_member_id(token)
    if member_id is None:
        return None
    services = request.app.state.services
    member, password_hash = await services.database.read(account_with_hash, member_id)
    key = reset_key(services.session_key)
    if member is None or password_hash is None or not token_is_valid(key, token, password_hash):
        return None
    return member.id, password_hash


def _reset_page(request: Request, status: int = 200, error: str = "") -> Response:
    token = auth.login_csrf_token(request)
    response = templates.TemplateResponse(
        request,
        "console/reset.html",
        {"csrf_token": token, "error": error, "who": None},
        status_code=status,
        headers=NO_STORE,
    )
    auth.set_cookie(request, response, auth.LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/reset/{token}")
async def open_reset_link(request: Request, token: str) -> Response:
    if await _valid_reset(request, token) is None:
        return _problem(request, 400, LINK_GONE)
    response = RedirectResponse("/console/reset", status_code=303, headers=NO_STORE)
    # Lax, not Strict: the link is opened from an e-mail or chat app, another site, and
    # a Strict cookie would not come back on the redirect that follows.
    response.set_cookie(
        auth.cookie_name(request, RESET_COOKIE),
        token,
        max_age=30 * 60,
        httponly=True,
        samesite="lax",
        secure=auth.secure_cookies(request),
        path=_reset_cookie_path(request),
    )
    return response


@router.get("/reset")
async def reset_page(request: Request) -> Response:
    token = auth.read_cookie(request, RESET_COOKIE) or ""
    if await _valid_reset(request, token) is None:
        return _problem(request, 400, LINK_GONE)
    return _reset_page(request)


@router.post("/reset")
async def set_password_from_link(request: Request) -> Response:
    form = await request.form()
    if not auth.login_form_is_ours(request, form):
        return _reset_page(request, 403, "This form had expired. Please try again.")
    token = auth.read_cookie(request, RESET_COOKIE) or ""
    found = await _valid_reset(request, token)
    if found is None:
        return _problem(request, 400, LINK_GONE)
    member_id, old_hash = found
    password = str(form.get("password") or "")[:1000]
    if password != str(form.get("confirm") or "")[:1000]:
        return _reset_page(request, 400, MISMATCH)
    try:
        new_hash = await hash_password_off_loop(password)
    except AccountError as exc:
        return _reset_page(request, 400, _sentence(str(exc)))
    database = request.app.state.services.database
    async with database.transaction() as transaction:
        changed = await transaction.run(replace_password_hash, member_id, old_hash, new_hash)
        if changed:
            member, _hash = await transaction.run(account_with_hash, member_id)
            # Whoever may have been signed in as them (the reason for a reset) is out.
            await transaction.run(end_sessions_of, member_id)
            session, _csrf = await transaction.run(start_session, member_id)
            if member is not None:
                await transaction.run(audit.record, member, "reset_password")
    if not changed:
        return _problem(request, 400, LINK_GONE)
    # The link is used up: this browser is signed in with the new password.
    response = RedirectResponse("/console/password?done=reset", status_code=303)
    _forget_reset(request, response)
    auth.delete_cookie(request, response, auth.LOGIN_CSRF_COOKIE)
    auth.set_cookie(request, response, auth.SESSION_COOKIE, session)
    return response


def _sentence(message: str) -> str:
    return message[0].upper() + message[1:] + "."


# -- a champion's own password ----------------------------------------------------

DONE = {
    "changed": "Your password is changed. You are signed out everywhere else.",
    "reset": "Your new password is set and you are signed in.",
}


def _own_page(request: Request, who: SignedIn, status: int = 200, error: str = "") -> Response:
    return templates.TemplateResponse(
        request,
        "console/password.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "error": error,
            "notice": DONE.get(request.query_params.get("done", ""), "") if not error else "",
        },
        status_code=status,
    )


@router.get("/password")
async def own_password_page(request: Request) -> Response:
    who = await auth.signed_in(request)
    return _own_page(request, who)


@router.post("/password")
async def change_own_password(request: Request) -> Response:
    who = await auth.signed_in(request)
    form = await auth.checked_form(request, who)
    current = str(form.get("current") or "")[:1000]
    password = str(form.get("password") or "")[:1000]
    if password != str(form.get("confirm") or "")[:1000]:
        return _own_page(request, who, 400, MISMATCH)
    database = request.app.state.services.database
    # The same throttle as signing in: a session left open must not let someone try
    # password after password.
    keys = throttle_keys(who.member.email, client_address(request))
    wait = await database.read(locked_for, keys)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        return _own_page(
            request, who, 429, f"Too many wrong passwords. Please wait {minutes} minute(s)."
        )
    _member, old_hash = await database.read(account_with_hash, who.member.id)
    if old_hash is None or not await check_password(old_hash, current):
        async with database.transaction() as transaction:
            await transaction.run(record_failure, keys)
        return _own_page(request, who, 400, "Your current password is not right.")
    if password == current:
        return _own_page(request, who, 400, "Choose a new password, not the one you have now.")
    try:
        new_hash = await hash_password_off_loop(password)
    except AccountError as exc:
        return _own_page(request, who, 400, _sentence(str(exc)))
    async with database.transaction() as transaction:
        changed = await transaction.run(replace_password_hash, who.member.id, old_hash, new_hash)
        if changed:
            await transaction.run(clear_failures, keys)
            await transaction.run(end_sessions_of, who.member.id)
            session, _csrf = await transaction.run(start_session, who.member.id)
            await transaction.run(audit.record, who.member, "change_password")
    if not changed:
        return _own_page(
            request, who, 409, "Your password was changed meanwhile. Please try again."
        )
    response = RedirectResponse("/console/password?done=changed", status_code=303)
    auth.set_cookie(request, response, auth.SESSION_COOKIE, session)
    return response
