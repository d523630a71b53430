"""Signing in to and out of the Parent Champion console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from bot.staff import audit
from bot.staff.accounts import StaffMember, check_password, find_for_login
from bot.staff.sessions import end_session, start_session
from bot.staff.throttle import clear_failures, locked_for, record_failure, throttle_keys
from bot.web import auth, console_password
from bot.web.client import client_address
from bot.web.templating import templates

router = APIRouter(prefix="/console")

WRONG = "That e-mail address or password is not right."
# PostgreSQL refuses NUL in text, so such a form would fail deep in the database.
UNUSABLE = "An e-mail address or password cannot contain a NUL character. Please type them again."


def _safe_next(target: str | None) -> str:
    # Only paths inside the console: never a redirect to another site.
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


def _before_checking(
    connection: Connection, email: str, keys: list[str]
) -> tuple[int, StaffMember | None, str | None]:
    """(seconds still locked, the active account, its password hash)."""
    wait = locked_for(connection, keys)
    if wait:
        return wait, None, None
    member, password_hash = find_for_login(connection, email)
    return 0, member, password_hash


def _login_page(request: Request, status: int = 200, error: str = "", email: str = "") -> Response:
    token = auth.login_csrf_token(request)
    response = templates.TemplateResponse(
        request,
        "console/login.html",
        {
            "csrf_token": token,
            "error": error,
            "email": email,
            "next": _safe_next(request.query_params.get("next")),
        },
        status_code=status,
    )
    auth.set_cookie(request, response, auth.LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")[:1000]
    if "\x00" in email or "\x00" in password:
        return _login_page(request, 400, UNUSABLE, email.replace("\x00", ""))
    if not auth.login_form_is_ours(request, form):
        return _login_page(request, 403, "This form had expired. Please try again.", email)
    database = request.app.state.services.database
    keys = throttle_keys(email, client_address(request))
    # No transaction is held while argon2 works: on SQLite that would queue every
    # parent's message behind each sign-in. Failures arriving meanwhile still count,
    # because record_failure is one atomic upsert.
    wait, member, password_hash = await database.read(_before_checking, email, keys)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        return _login_page(
            request,
            429,
            f"Too many failed attempts. Please wait {minutes} minute"
            f"{'s' if minutes != 1 else ''} and try again.",
            email,
        )
    # Always a full argon2 check (against a dummy hash when there is no such active
    # account), so the time taken does not tell which addresses have accounts.
    failed = not await check_password(password_hash, password) or member is None
    async with database.transaction() as transaction:
        if failed or member is None:
            await transaction.run(record_failure, keys)
        else:
            await transaction.run(clear_failures, keys)
            token, _csrf = await transaction.run(start_session, member.id)
            await transaction.run(audit.record, member, "sign_in")
    if failed:
        # Committed above, so the failure counts even though this is an error page.
        return _login_page(request, 401, WRONG, email)
    response = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
    # A fresh token on every sign-in: a cookie planted before sign-in is useless.
    auth.set_cookie(request, response, auth.SESSION_COOKIE, token)
    auth.delete_cookie(request, response, auth.LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = await auth.signed_in(request)
    await auth.checked_form(request, who)
    token = auth.read_cookie(request, auth.SESSION_COOKIE) or ""
    async with request.app.state.services.database.transaction() as transaction:
        await transaction.run(end_session, token)
    response = RedirectResponse("/console/login", status_code=303)
    auth.clear_session_cookie(request, response)
    return response


# Changing one's own password and reset links live in their own module, under /console.
router.include_router(console_password.router)
