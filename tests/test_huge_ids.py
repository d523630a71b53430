"""Every console and chat route with a number in its path, given a number too big for a
database column: a clear refusal (4xx), never a 500. SQLite can't even bind it
(OverflowError) and PostgreSQL refuses it (NumericValueOutOfRange)."""

from __future__ import annotations

import asyncio

from tests.console import Champion, add_account, client_for
from tests.test_fuzz_routes import _fill, _routes

HUGE = "99999999999999999999"


async def test_a_huge_id_in_any_path_is_refused_not_a_500(app_and_client: tuple) -> None:
    app, _client = app_and_client
    admin = Champion(client_for(app), await add_account(app, "admin", name="Ada"))
    assert (await admin.sign_in()).status_code == 303
    tried = []
    for method, template, params in _routes(app):
        numbers = [name for name in params if name.endswith("_id")]
        if not numbers or template == "/console/logout":
            continue
        path = _fill(template, numbers, HUGE)
        async with asyncio.timeout(30):
            if method == "POST":
                response = await admin.post(path)
            else:
                response = await admin.client.request(method, path)
        assert response.status_code < 500, (method, template, response.status_code)
        tried.append((method, template))
    # The ticket page, its actions and the accounts pages are among them.
    assert ("GET", "/console/tickets/{ticket_id}") in tried
    assert ("POST", "/console/tickets/{ticket_id}/claim") in tried
    assert len(tried) >= 20
