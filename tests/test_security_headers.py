"""Security headers, HTTPS-only cookies and who the client is behind a proxy.

These do not depend on the database, so they run on SQLite only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from bot.config import Settings, SettingsError, load_settings
from bot.web.client import client_address, is_https, parse_networks
from tests.conftest import running_app
from tests.console import Champion, add_account

PAGES = ["/", "/console/login", "/healthz"]


@pytest.fixture
def sqlite_settings(
    tmp_path: Path, content_dirs: tuple[Path, Path], nlu_cache_dir: Path
) -> Settings:
    flows, knowledge = content_dirs
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'champion.sqlite3'}",
        data_dir=tmp_path / "data",
        flows_dir=flows,
        knowledge_dir=knowledge,
        nlu_cache_dir=nlu_cache_dir,
    )


@pytest.fixture
async def app(sqlite_settings: Settings) -> AsyncIterator[object]:
    async with running_app(sqlite_settings) as (app, _client):
        yield app


def browser(app: object, base: str = "http://champion.test") -> httpx.AsyncClient:
    # ASGITransport's client address is 127.0.0.1, as for a proxy on the same host.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_says_what_it_may_load_and_that_nobody_may_frame_it(
    app: object, path: str
) -> None:
    async with browser(app) as client:
        response = await client.get(path)
    assert response.status_code == 200
    policy = {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in response.headers["content-security-policy"].split(";")
    }
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    # Plain HTTP: no HSTS (a browser would ignore it, and a developer's localhost must
    # not be pinned to HTTPS).
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("path", PAGES)
async def test_hsts_over_https(app: object, path: str) -> None:
    async with browser(app, "https://champion.test") as client:
        response = await client.get(path)
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_forwarded_https_counts_only_from_a_trusted_proxy(
    sqlite_settings: Settings,
) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    async with running_app(sqlite_settings) as (_app, client):
        # Anyone can send the header: from an untrusted peer it changes nothing.
        response = await client.get("/healthz", headers=forwarded)
        assert "strict-transport-security" not in response.headers
    trusting = sqlite_settings.model_copy(update={"trusted_proxies": "127.0.0.0/8, ::1"})
    async with running_app(trusting) as (_app, client):
        response = await client.get("/healthz", headers=forwarded)
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "strict-transport-security" not in (await client.get("/healthz")).headers


def request_from(peer: str, trusted: str, headers: dict[str, str]) -> Request:
    class App:
        class state:  # mimics app.state
            trusted_proxies = parse_networks(trusted)

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("champion.test", 80),
        "path": "/",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 50000),
        "app": App(),
    }
    return Request(scope)


def test_client_address_believes_x_forwarded_for_only_from_trusted_proxies() -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    # A client that is not a proxy cannot choose its address.
    assert client_address(request_from("198.51.100.7", "", spoofed)) == "198.51.100.7"
    assert client_address(request_from("127.0.0.1", "", spoofed)) == "127.0.0.1"
    assert client_address(request_from("198.51.100.7", "10.0.0.0/8", spoofed)) == "198.51.100.7"
    # Through nginx (10.0.0.5): the address nginx saw, not what the client wrote before it.
    through = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}
    assert client_address(request_from("10.0.0.5", "10.0.0.0/8", through)) == "203.0.113.9"
    # Two proxies of ours in a row: skip both.
    chain = {"X-Forwarded-For": "203.0.113.9, 10.0.0.7"}
    assert client_address(request_from("10.0.0.5", "10.0.0.0/8", chain)) == "203.0.113.9"
    # Garbage from a trusted proxy does not become an address.
    junk = {"X-Forwarded-For": "not an address"}
    assert client_address(request_from("10.0.0.5", "10.0.0.0/8", junk)) == "10.0.0.5"
    proto = {"X-Forwarded-Proto": "https"}
    assert is_https(request_from("10.0.0.5", "10.0.0.0/8", proto))
    assert not is_https(request_from("198.51.100.7", "10.0.0.0/8", proto))


def test_trusted_proxies_setting_is_checked_at_start() -> None:
    assert load_settings(trusted_proxies="10.0.0.1, 172.16.0.0/12, ::1").trusted_proxies
    with pytest.raises(SettingsError, match=r"TRUSTED_PROXIES.*'nginx' is not an IP address"):
        load_settings(trusted_proxies="10.0.0.1, nginx")


def test_cookies_are_secure_by_default_unless_listening_on_loopback() -> None:
    assert not load_settings(host="127.0.0.1").secure_cookies
    assert not load_settings(host="localhost").secure_cookies
    assert load_settings(host="0.0.0.0").secure_cookies
    assert load_settings(host="0.0.0.0", cookie_secure="").secure_cookies  # unset in compose
    assert not load_settings(host="0.0.0.0", cookie_secure=False).secure_cookies
    assert load_settings(host="127.0.0.1", cookie_secure=True).secure_cookies


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


async def test_console_cookies_off_localhost_are_host_prefixed_and_secure(
    sqlite_settings: Settings,
) -> None:
    public = sqlite_settings.model_copy(update={"host": "0.0.0.0"})
    async with running_app(public) as (app, _client), browser(app, "https://x.test") as client:
        page = await client.get("/console/login")
        [csrf_cookie] = set_cookies(page)
        assert csrf_cookie.startswith("__Host-champion_login_csrf=")
        assert "Secure" in csrf_cookie and "Path=/;" in csrf_cookie + ";"
        assert "Domain" not in csrf_cookie
        champion = Champion(client, await add_account(app))
        signed_in = await champion.sign_in()
        assert signed_in.status_code == 303
        session_cookie = next(
            c for c in set_cookies(signed_in) if c.startswith("__Host-champion_console=")
        )
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        assert "samesite=strict" in session_cookie.lower()
        assert (await client.get("/console")).status_code == 200  # the cookie works
        signed_out = await champion.post("/console/logout")
        assert signed_out.status_code == 303
        assert (await client.get("/console")).status_code == 303  # back to sign-in


async def test_console_cookies_on_localhost_over_http_stay_plain(app: object) -> None:
    async with browser(app) as client:
        [csrf_cookie] = set_cookies(await client.get("/console/login"))
    assert csrf_cookie.startswith("champion_login_csrf=")
    assert "Secure" not in csrf_cookie and "Path=/console" in csrf_cookie
