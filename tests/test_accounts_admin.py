"""Accounts in the console (issue #18): admins change roles and tick areas from the
council list, issue one-time password-reset links; champions change their own password."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.staff.accounts import find_for_login
from bot.staff.passwords import make_reset_token, reset_key
from bot.store.models import utcnow
from tests.conftest import running_app
from tests.console import PASSWORD, Champion, client_for
from tests.test_handoff import champion_of

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
async def app_and_client(settings: Settings) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The app with PUBLIC_URL set, as reset links need: the console's address."""
    with_address = settings.model_copy(update={"public_url": "http://champion.test"})
    async with running_app(with_address) as pair:
        yield pair


async def member_of(app: Any, champion: Champion) -> Any:
    member, _hash = await app.state.services.database.read(find_for_login, champion.email)
    return member


async def reset_link_for(admin: Champion, member_id: int) -> str:
    made = await admin.post(f"/console/users/{member_id}/reset-link")
    assert made.status_code == 200, made.text
    assert made.headers["cache-control"] == "no-store"
    match = re.search(r'id="reset-link" readonly value="([^"]+)"', made.text)
    assert match, "no link on the page"
    return html.unescape(match.group(1))


async def use_link(app: Any, link: str, password: str = NEW_PASSWORD) -> tuple[Any, Any]:
    """Open the link in a fresh browser and choose a password: (that browser, answer)."""
    browser = Champion(client_for(app), "")
    path = link.removeprefix("http://champion.test")
    opened = await browser.client.get(path)
    assert opened.status_code == 303, opened.text
    # The token leaves the address bar at once, for a cookie only the reset page gets.
    assert opened.headers["location"] == "/console/reset"
    assert opened.headers["referrer-policy"] == "no-referrer"
    form = await browser.client.get("/console/reset")
    assert form.status_code == 200 and "Choose a new password" in form.text
    token = path.rsplit("/", 1)[1]
    assert token not in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    saved = await browser.client.post(
        "/console/reset",
        data={"csrf_token": csrf.group(1), "password": password, "confirm": password},
    )
    return browser.client, saved


async def test_a_reset_link_works_once_then_never_again(
    app_and_client: tuple, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin", name="Ada")
    priya = await champion_of(app, ["Leeds"], name="Priya")
    member = await member_of(app, priya)

    link = await reset_link_for(admin, member.id)
    assert re.fullmatch(r"http://champion\.test/console/reset/\d+\.\d+\.[\w-]+", link)
    token = link.rsplit("/", 1)[1]

    browser, saved = await use_link(app, link)
    assert saved.status_code == 303
    # Signed in straight away with the new password; signed out everywhere else.
    page = await browser.get(saved.headers["location"])
    assert "Your new password is set and you are signed in." in page.text
    assert (await priya.client.get("/console")).status_code == 303
    assert (await priya.sign_in(PASSWORD)).status_code == 401
    assert (await priya.sign_in(NEW_PASSWORD)).status_code == 303

    # Used once: the same link is now refused, whether opened or posted again.
    again = await client_for(app).get(f"/console/reset/{token}")
    assert again.status_code == 400 and "expired or has already been used" in again.text
    replay = await use_link_post_only(app, token)
    assert replay.status_code == 400 and "expired or has already been used" in replay.text

    # The token is in no log line and not in the audit log.
    # Whatever the server logged (at any level) is free of it. httpx's own lines are this
    # test's browser logging the requests it made, not the server.
    server_lines = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert all(token not in r.getMessage() for r in server_lines)
    audit = (await admin.client.get("/console/audit")).text
    assert token not in audit
    assert "Reset link" in audit and "for Priya" in audit and "Reset password" in audit


async def use_link_post_only(app: Any, token: str) -> Any:
    """Replaying a used link's cookie straight at the form (as a stolen cookie would)."""
    browser = client_for(app)
    browser.cookies.set("champion_reset", token, domain="champion.test", path="/console/reset")
    form = await browser.get("/console/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    return await browser.post(
        "/console/reset",
        data={"csrf_token": csrf.group(1), "password": "x" * 12, "confirm": "x" * 12},
    )


async def test_a_reset_link_stops_at_its_expiry_and_if_altered(app_and_client: tuple) -> None:
    app, _client = app_and_client
    priya = await champion_of(app, ["Leeds"], name="Priya")
    services = app.state.services
    member, password_hash = await services.database.read(find_for_login, priya.email)
    key = reset_key(services.session_key)
    old, _expires = make_reset_token(
        key, member.id, password_hash, now=utcnow() - dt.timedelta(minutes=31)
    )
    browser = client_for(app)
    expired = await browser.get(f"/console/reset/{old}")
    assert expired.status_code == 400 and "expired or has already been used" in expired.text

    fresh, expires = make_reset_token(key, member.id, password_hash)
    assert dt.timedelta(minutes=29) < expires - utcnow() <= dt.timedelta(minutes=30)
    member_id, when, signature = fresh.split(".")
    # One character of the signature changed (to "x", or "y" when it was "x": one
    # signature in 64 starts with "x", and "altering" it to itself made this fail).
    other = "y" if signature.startswith("x") else "x"
    for altered in (
        f"{member_id}.{int(when) + 3600}.{signature}",
        f"{member_id}.{when}.{other}{signature[1:]}",
    ):
        assert altered != fresh
        response = await browser.get(f"/console/reset/{altered}")
        assert response.status_code == 400
    # With no link at all, the reset page says what to do.
    assert (await client_for(app).get("/console/reset")).status_code == 400


async def test_a_reset_needs_matching_long_passwords(app_and_client: tuple) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin", name="Ada")
    priya = await champion_of(app, ["Leeds"], name="Priya")
    link = await reset_link_for(admin, (await member_of(app, priya)).id)
    _browser, short = await use_link(app, link, "too short")
    assert short.status_code == 400
    assert "The password must be at least 10 characters." in short.text
    # Still unused, so it still works.
    _browser, done = await use_link(app, link)
    assert done.status_code == 303


async def test_only_admins_make_reset_links(app_and_client: tuple) -> None:
    app, _client = app_and_client
    priya = await champion_of(app, ["Leeds"], name="Priya")
    sam = await champion_of(app, ["Leeds"], name="Sam")
    member = await member_of(app, sam)
    refused = await priya.post(f"/console/users/{member.id}/reset-link")
    assert refused.status_code == 403 and "This page is for admins." in refused.text
    assert (await priya.client.get(f"/console/users/{member.id}")).status_code == 403


async def test_changing_your_own_password_needs_the_current_one(app_and_client: tuple) -> None:
    app, _client = app_and_client
    sam = await champion_of(app, ["Leeds"], name="Sam")
    elsewhere = Champion(client_for(app), sam.email)
    assert (await elsewhere.sign_in()).status_code == 303
    page = await sam.client.get("/console/password")
    assert page.status_code == 200 and "Current password" in page.text
    assert 'href="/console/password"' in page.text  # in the console's menu

    def change(current: str, new: str, confirm: str | None = None) -> Any:
        return sam.post(
            "/console/password",
            current=current,
            password=new,
            confirm=new if confirm is None else confirm,
        )

    wrong = await change("not my password", NEW_PASSWORD)
    assert wrong.status_code == 400 and "Your current password is not right." in wrong.text
    short = await change(PASSWORD, "short")
    assert short.status_code == 400
    assert "The password must be at least 10 characters." in short.text
    mismatch = await change(PASSWORD, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    assert (await elsewhere.client.get("/console")).status_code == 200  # nothing changed yet

    changed = await change(PASSWORD, NEW_PASSWORD)
    assert changed.status_code == 303
    # This browser stays signed in; the other one is signed out.
    done = await sam.client.get(changed.headers["location"])
    assert done.status_code == 200 and "Your password is changed." in done.text
    assert (await elsewhere.client.get("/console")).status_code == 303
    assert (await elsewhere.sign_in(PASSWORD)).status_code == 401
    assert (await elsewhere.sign_in(NEW_PASSWORD)).status_code == 303


async def test_admin_changes_role_and_ticks_areas_from_the_council_list(
    app_and_client: tuple,
) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin", name="Ada")
    priya = await champion_of(app, ["Leeds"], name="Priya")
    member = await member_of(app, priya)

    users = (await admin.client.get("/console/users")).text
    assert f'href="/console/users/{member.id}"' in users
    page = (await admin.client.get(f"/console/users/{member.id}")).text
    # Every council is offered, by region, with her own already ticked.
    assert re.search(r'value="Leeds" checked', page)
    assert re.search(r'name="area" value="Kent"\s*>', page)
    assert "<legend>South East</legend>" in page
    assert page.count('name="area"') > 150

    saved = await admin.post(
        f"/console/users/{member.id}",
        areas_from="list",
        role="admin",
        area="Kent",
        active="on",
    )
    assert saved.status_code == 303
    # httpx sends repeated fields from a list of pairs.
    both = await admin.client.post(
        f"/console/users/{member.id}",
        data={
            "csrf_token": admin.csrf,
            "areas_from": "list",
            "role": "champion",
            "area": ["Kent", "Leeds"],
            "active": "on",
        },
    )
    assert both.status_code == 303
    now = await member_of(app, priya)
    assert (now.role, sorted(now.areas)) == ("champion", ["Kent", "Leeds"])
    page = (await admin.client.get(f"/console/users/{member.id}?done=updated")).text
    assert "Account updated." in page and re.search(r'value="Kent" checked', page)

    unknown = await admin.post(
        f"/console/users/{member.id}", areas_from="list", area="Atlantis", active="on"
    )
    assert unknown.status_code == 400 and "Unknown area: Atlantis." in unknown.text
    bad_role = await admin.post(
        f"/console/users/{member.id}", areas_from="list", role="owner", active="on"
    )
    assert bad_role.status_code == 400 and "Choose a role" in bad_role.text

    me = await member_of(app, admin)
    demoted = await admin.post(
        f"/console/users/{me.id}", areas_from="list", role="champion", active="on"
    )
    assert demoted.status_code == 400 and "your own admin role" in demoted.text

    # The role change takes effect at once: Priya as admin sees admin pages.
    await admin.post(f"/console/users/{member.id}", areas_from="list", role="admin", active="on")
    assert (await priya.client.get("/console/users")).status_code == 200


async def test_admin_adds_an_account_ticking_areas_from_the_council_list(
    app_and_client: tuple,
) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin", name="Ada")
    page = (await admin.client.get("/console/users")).text
    add_form = page.split('action="/console/users" class="stack narrow"')[1]
    # The same council list, by region, as an account's own page; nothing to type.
    assert "<legend>Areas they cover</legend>" in add_form
    assert "<legend>South East</legend>" in add_form
    assert add_form.count('name="area"') > 150
    assert 'name="areas"' not in add_form

    def add(*areas: str) -> Any:
        return admin.client.post(
            "/console/users",
            data={
                "csrf_token": admin.csrf,
                "email": "ali@example.org",
                "name": "Ali",
                "role": "champion",
                "areas_from": "list",
                "area": list(areas),
                "password": PASSWORD,
            },
        )

    refused = await add("Leeds", "Atlantis <b>")
    assert refused.status_code == 400
    assert "Unknown area: Atlantis &lt;b&gt;." in refused.text
    # Nothing typed is lost: the address stays, and Leeds stays ticked.
    assert 'value="ali@example.org"' in refused.text
    assert re.search(r'value="Leeds" checked', refused.text)

    made = await add("Leeds", "Kent")
    assert made.status_code == 303
    ali = Champion(client_for(app), "ali@example.org")
    assert (await ali.sign_in(PASSWORD)).status_code == 303
    member = await member_of(app, ali)
    assert (member.name, member.role, sorted(member.areas)) == (
        "Ali",
        "champion",
        ["Kent", "Leeds"],
    )


async def test_a_reset_link_uses_public_url_not_a_forged_host(app_and_client: tuple) -> None:
    """Review finding (#18): the link was built from the request's Host header, so a
    forged one would have sent the token to someone else's server."""
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin", name="Ada")
    priya = await member_of(app, await champion_of(app, ["Leeds"], name="Priya"))
    made = await admin.client.post(
        f"/console/users/{priya.id}/reset-link",
        data={"csrf_token": admin.csrf},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert made.status_code == 200, made.text
    link = re.search(r'id="reset-link" readonly value="([^"]+)"', made.text)
    assert link is not None
    assert link.group(1).startswith("http://champion.test/console/reset/")
    assert "evil.example" not in made.text


async def test_without_public_url_the_page_says_so_and_makes_no_link(settings: Settings) -> None:
    async with running_app(settings) as (app, _client):
        admin = await champion_of(app, [], role="admin", name="Ada")
        priya = await member_of(app, await champion_of(app, ["Leeds"], name="Priya"))
        made = await admin.post(f"/console/users/{priya.id}/reset-link")
        assert made.status_code == 400
        assert "set PUBLIC_URL" in made.text
        assert 'id="reset-link"' not in made.text and "/console/reset/" not in made.text
        audit = (await admin.client.get("/console/audit")).text
        assert "Reset link" not in audit
