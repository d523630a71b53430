"""A Parent Champion or admin, as a test sees one: signs in and uses the console's forms."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from bot.staff.accounts import create_user, hash_password
from tests.chat import Parent

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def add_account(
    app: Any, role: str = "champion", areas: list[str] | None = None, name: str = ""
) -> str:
    """Create an account directly in the database; returns its e-mail address."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    async with app.state.services.database.transaction() as transaction:
        await transaction.run(create_user, email, hash_password(PASSWORD), role, areas or [], name)
    return email


def client_for(app: Any) -> httpx.AsyncClient:
    """A separate browser, with its own cookies."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://champion.test"
    )


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Champion:
    def __init__(self, client: httpx.AsyncClient, email: str) -> None:
        self.client = client
        self.email = email
        self.csrf = ""

    async def sign_in(self, password: str = PASSWORD) -> httpx.Response:
        page = await self.client.get("/console/login")
        response = await self.client.post(
            "/console/login",
            data={"email": self.email, "password": password, "csrf_token": csrf_of(page.text)},
        )
        if response.status_code == 303:
            queue = await self.client.get("/console")
            self.csrf = csrf_of(queue.text)
        return response

    async def post(self, url: str, /, **fields: str) -> httpx.Response:
        return await self.client.post(url, data={"csrf_token": self.csrf, **fields})

    async def claim(self, ticket_id: int) -> httpx.Response:
        return await self.post(f"/console/tickets/{ticket_id}/claim")

    async def reply(self, ticket_id: int, text: str) -> httpx.Response:
        return await self.post(f"/console/tickets/{ticket_id}/reply", text=text)

    async def close(self, ticket_id: int, outcome: str = "advice_given") -> httpx.Response:
        return await self.post(
            f"/console/tickets/{ticket_id}/close", outcome=outcome, confirm="yes"
        )

    async def transfer(
        self, ticket_id: int, handover: str = "Over to you.", **to: str
    ) -> httpx.Response:
        """Transfer with a note, confirmed: `to_member=<id>` or `to_area=<council>`."""
        return await self.post(
            f"/console/tickets/{ticket_id}/transfer", handover=handover, confirm="yes", **to
        )

    async def transcript(self, ticket_id: int) -> str:
        response = await self.client.get(f"/console/tickets/{ticket_id}/live")
        assert response.status_code == 200, response.text
        return response.text


async def ask_for_a_champion(parent: Parent, council: str = "Leeds") -> None:
    await parent.at_main_menu()
    await parent.press("Talk to a Parent Champion")
    await parent.say(council)
