"""The web chat in a browser with JavaScript off: the page's form posts to /, the
replies come back as a page, and the session's secret lives in a cookie that only
this page uses (issue #16: "a cookie is used only by the no-JavaScript page; when
both arrive, the header wins")."""

from __future__ import annotations

import html
import re

import httpx

from tests.chat import Parent

CHOICE = re.compile(r'<button type="submit" name="payload" value="([^"]+)">([^<]+)</button>')


class FormParent:
    """A parent whose browser runs no JavaScript: forms and cookies only."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.page = ""
        self.status = 0

    async def post(self, **form: str) -> str:
        response = await self.client.post("/", data=form)
        self.status, self.page = response.status_code, html.unescape(response.text)
        self.response = response
        return self.page

    async def say(self, text: str) -> str:
        return await self.post(message=text)

    async def press(self, label: str) -> str:
        for payload, shown in CHOICE.findall(self.response.text):
            if html.unescape(shown) == label:
                return await self.post(payload=html.unescape(payload))
        raise AssertionError(f"no button {label!r} in {CHOICE.findall(self.page)}")

    @property
    def choices(self) -> list[str]:
        return [html.unescape(label) for _payload, label in CHOICE.findall(self.response.text)]


def replace_cookie(client: httpx.AsyncClient, value: str) -> None:
    """The browser's chat cookie, swapped for `value` (as if it had been copied)."""
    client.cookies.clear()
    client.cookies.set("champion_chat", value, domain=client.base_url.host, path="/")


SECRET = "Zebra crossing 4471 is where Sam gets the bus"


async def agreed_parent(client: httpx.AsyncClient) -> FormParent:
    """A parent who has agreed to the privacy notice and told Champion something."""
    parent = FormParent(client)
    await parent.say("hello")
    await parent.press("OK, let's start")
    await parent.say(SECRET)
    await parent.post()
    assert SECRET in parent.page
    return parent


async def test_a_parent_without_javascript_chats_through_the_form(
    client: httpx.AsyncClient,
) -> None:
    parent = FormParent(client)
    await parent.say("hello")
    assert parent.status == 200
    assert "OK, let's start" in parent.choices
    cookie = parent.response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert parent.response.headers["cache-control"] == "no-store"
    await parent.press("OK, let's start")
    assert "What would you like help with?" in parent.page
    assert "Hello, I'm Champion" in parent.page  # the conversation so far stays on the page
    question = "how long does the council have to decide whether to assess my son"
    await parent.say(question)
    assert "6 weeks" in parent.page
    await parent.post()  # an empty Send shows the conversation as it is
    assert question in parent.page and "6 weeks" in parent.page
    # Nothing the parent typed, and no session id or secret, is ever in a URL.
    assert 'method="post" action="/#latest"' in parent.response.text
    assert "?" not in str(parent.response.url)


async def test_a_crisis_through_the_form_gets_the_numbers(client: httpx.AsyncClient) -> None:
    parent = FormParent(client)
    await parent.say("hello")
    await parent.press("OK, let's start")
    await parent.say("my son is talking about killing himself tonight")
    assert "999" in parent.page and "116 123" in parent.page
    assert 'class="msg bot crisis" id="latest"' in parent.response.text


async def test_a_cookie_that_no_longer_opens_the_chat_is_dropped_kindly(
    client: httpx.AsyncClient,
) -> None:
    parent = await agreed_parent(client)
    session = client.cookies["champion_chat"].split(".")[0]
    replace_cookie(client, f"{session}.{'x' * 43}")  # a guessed secret
    await parent.say("what is my child's name")
    assert parent.status == 401
    assert "can only be carried on from the device and browser that started it" in parent.page
    assert SECRET not in parent.page  # nothing of that conversation is shown
    assert 'champion_chat=""' in parent.response.headers["set-cookie"]


async def test_end_and_clear_without_javascript(client: httpx.AsyncClient) -> None:
    parent = await agreed_parent(client)
    held = client.cookies["champion_chat"]
    await parent.post(end="1")
    assert "ended and cleared from this device" in parent.page
    assert SECRET not in parent.page
    replace_cookie(client, held)  # someone later, with the old cookie
    await parent.say("what did they say before")
    # A new conversation starts; nothing of the ended one can be read.
    assert "Hello, I'm Champion" in parent.page and SECRET not in parent.page
    assert client.cookies["champion_chat"] != held


async def test_the_cookie_is_only_the_form_pages_and_the_header_wins(
    client: httpx.AsyncClient,
) -> None:
    form_parent = FormParent(client)
    await form_parent.say("hello")
    held = form_parent.response.cookies["champion_chat"]
    session = held.split(".")[0]
    # The JSON API does not take the cookie: it needs the header.
    answer = await client.post("/api/chat", json={"session": session, "payload": "global:menu"})
    assert answer.status_code == 401
    # A page with JavaScript in the same browser (cookie sent too) is its own session:
    # its header decides, and it sees its own conversation, not the form's.
    page = Parent(client)
    await page.open_chat()
    assert (await client.get("/api/chat/history", headers=page.auth)).status_code == 200
    texts = [m["text"] for m in await page.history()]
    assert "hello" not in texts
    # The transcript is the JavaScript page's: without the header, the cookie opens nothing.
    assert (await client.get("/api/chat/history")).status_code == 401


async def test_a_form_from_another_site_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/", data={"message": "hello"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


async def test_too_long_a_message_is_kept_in_the_box(client: httpx.AsyncClient) -> None:
    parent = FormParent(client)
    await parent.say("hello")
    long_text = "word " * 1000
    await parent.say(long_text)
    assert parent.status == 200
    assert long_text.strip() in parent.page  # still in the box, nothing lost
