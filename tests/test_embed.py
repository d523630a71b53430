"""The chat on a council's page (issue #17): who may frame /embed, the council preset
(validated on the server, landing where triage saves the council), the title and
colour, and the snippet's check. Browser tests: tests/test_embed_browser.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.web.embed_colours import contrast, text_colour_on
from tests.chat import Parent
from tests.conftest import running_app
from tests.dropins import add_dropin

LEEDS_SITE = "https://www.leeds.gov.uk"
OTHER_SITE = "https://send.example.org"
ALLOWED = f"{LEEDS_SITE}=Leeds, {OTHER_SITE}"


def csp(response: httpx.Response) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in response.headers["content-security-policy"].split(";")
    }


@pytest.fixture
async def embedding(settings: Settings) -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    """The app with two sites allowed: Leeds's own (tied to Leeds) and an untied one."""
    async with running_app(settings.model_copy(update={"embed_allowed_origins": ALLOWED})) as pair:
        yield pair


@pytest.fixture
async def no_embedding(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings) as (_app, client):
        yield client


def data_council(page: str) -> str | None:
    found = re.search(r'<body[^>]*data-council="([^"]*)"', page)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("www.leeds.gov.uk", "'www.leeds.gov.uk' is not an origin"),
        ("https://www.leeds.gov.uk/send", "no path"),
        ("https://www.leeds.gov.uk=", "has '=' but no council after it"),
    ],
)
def test_a_bad_allowed_origin_stops_the_server_with_one_line(value: str, problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(embed_allowed_origins=value)
    message = str(raised.value)
    assert message.startswith("setting EMBED_ALLOWED_ORIGINS is invalid:") and problem in message
    assert "\n" not in message


async def test_nobody_may_frame_the_chat_when_no_site_is_allowed(no_embedding) -> None:  # type: ignore[no-untyped-def]
    for path in ("/embed", f"/embed?origin={LEEDS_SITE}&council=Leeds", "/", "/widget.js"):
        response = await no_embedding.get(path)
        assert response.status_code == 200, path
        assert csp(response)["frame-ancestors"] == "'none'", path
        assert response.headers["x-frame-options"] == "DENY", path
    page = (await no_embedding.get(f"/embed?origin={LEEDS_SITE}&council=Leeds")).text
    assert data_council(page) is None


async def test_only_the_embed_page_may_be_framed_and_only_by_allowed_sites(embedding) -> None:  # type: ignore[no-untyped-def]
    _app, client = embedding
    # Every other page, whatever it is asked, refuses every frame.
    for path in ("/", f"/?origin={LEEDS_SITE}", "/console/login", "/healthz", "/widget.js"):
        response = await client.get(path)
        assert csp(response)["frame-ancestors"] == "'none'", path
        assert response.headers["x-frame-options"] == "DENY", path
    # /embed naming an allowed site: that site only.
    response = await client.get(f"/embed?origin={LEEDS_SITE}")
    assert csp(response)["frame-ancestors"] == LEEDS_SITE
    assert "x-frame-options" not in response.headers
    # Naming no site, or one not on the list: the whole list, and no preset.
    for query in ("", "?origin=https://evil.example", "?origin=javascript:alert(1)"):
        response = await client.get(f"/embed{query}")
        assert csp(response)["frame-ancestors"] == f"{LEEDS_SITE} {OTHER_SITE}", query


async def test_the_council_is_preset_only_for_the_site_it_is_tied_to(embedding) -> None:  # type: ignore[no-untyped-def]
    _app, client = embedding

    async def preset(query: str) -> str | None:
        response = await client.get(f"/embed?{query}")
        assert response.status_code == 200
        return data_council(response.text)

    assert await preset(f"origin={LEEDS_SITE}&council=Leeds") == "Leeds"
    # The page hands its session only to the site frame-ancestors names alone.
    page = (await client.get(f"/embed?origin={LEEDS_SITE}&council=Leeds")).text
    assert f'data-host="{LEEDS_SITE}"' in page and "/static/embed_storage.js" in page
    assert "data-host" not in (await client.get("/embed?origin=https://evil.example")).text
    assert await preset(f"origin={LEEDS_SITE}&council=Leeds%20City%20Council") == "Leeds"
    # Leeds is tied to its own site: no other site can preset it, and Leeds's site
    # can preset no other council.
    assert await preset(f"origin={OTHER_SITE}&council=Leeds") is None
    assert await preset(f"origin={LEEDS_SITE}&council=Kent") is None
    # An untied site may preset a council that no site is tied to.
    assert await preset(f"origin={OTHER_SITE}&council=Kent") == "Kent"
    assert await preset(f"origin={OTHER_SITE}&council=Bucks") == "Buckinghamshire"
    # Unknown councils, sites not on the list, no site at all: no preset.
    assert await preset(f"origin={OTHER_SITE}&council=Atlantis") is None
    assert await preset("origin=https://evil.example&council=Kent") is None
    assert await preset("council=Kent") is None


async def test_the_snippet_can_ask_what_the_server_makes_of_it(embedding) -> None:  # type: ignore[no-untyped-def]
    _app, client = embedding
    response = await client.get(f"/embed/check?council=leeds&origin={LEEDS_SITE}")
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json() == {"council": "Leeds", "framing": True, "preset": True}
    response = await client.get(f"/embed/check?council=Atlantis&origin={LEEDS_SITE}")
    assert response.json() == {"council": None, "framing": True, "preset": False}
    response = await client.get("/embed/check?council=Leeds&origin=https://evil.example")
    assert response.json() == {"council": "Leeds", "framing": False, "preset": False}
    response = await client.get("/embed/check?council=" + "x" * 5000)
    assert response.status_code == 200 and response.json()["council"] is None


async def test_title_and_colour_are_cleaned_and_the_title_stays_readable(embedding) -> None:  # type: ignore[no-untyped-def]
    _app, client = embedding
    page = (await client.get(f"/embed?origin={LEEDS_SITE}&colour=%23ffdd00&title=Leeds+SEND")).text
    assert "<h1>Leeds SEND</h1>" in page and "<title>Leeds SEND</title>" in page
    assert 'style="--brand: #ffdd00; --brand-ink: #000000"' in page
    assert '<link rel="stylesheet" href="/static/embed.css">' in page
    dark = (await client.get("/embed?colour=%23036")).text
    assert "--brand: #003366; --brand-ink: #ffffff" in dark
    # Not a colour, script in the title, a huge title: ignored, escaped, cut.
    odd = (await client.get("/embed?colour=red;x:expression(1)&title=<script>x</script>")).text
    assert "--brand" not in odd and "<h1>&lt;script&gt;x&lt;/script&gt;</h1>" in odd
    huge = (await client.get("/embed?title=" + "Leeds " * 2000)).text
    heading = re.search(r"<h1>(.*?)</h1>", huge)
    assert heading is not None and len(heading.group(1)) <= 60 and heading.group(1).endswith("…")
    plain = (await client.get("/embed")).text
    assert "<h1>Champion</h1>" in plain and 'id="composer"' in plain


@pytest.mark.parametrize("colour", ["#777777", "#767676", "#808080", "#ffdd00", "#1d70b8", "#000"])
def test_text_on_any_colour_keeps_at_least_4_5_to_1(colour: str) -> None:
    full = colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])
    assert contrast(full, text_colour_on(full)) >= 4.5


async def test_the_preset_council_is_where_triage_saves_it(embedding) -> None:  # type: ignore[no-untyped-def]
    """A parent on Leeds's page asks for a drop-in: Leeds's sessions, without being
    asked which council (as if they had told triage)."""
    app, client = embedding
    await add_dropin(app, "Leeds coffee morning", "Leeds")
    parent = Parent(client)
    await parent.send(payload="global:start", council="Leeds")
    await parent.press("OK, let's start")
    await parent.say("can I book a drop in session please")
    assert "Which council area do you live in?" not in parent.text
    assert "Leeds coffee morning" in parent.text


async def test_a_council_is_only_preset_when_the_conversation_starts(embedding) -> None:  # type: ignore[no-untyped-def]
    app, client = embedding
    await add_dropin(app, "Leeds coffee morning", "Leeds")
    # Unknown: no preset, so the question is asked.
    stranger = Parent(client)
    await stranger.send(payload="global:start", council="Atlantis")
    await stranger.press("OK, let's start")
    await stranger.say("can I book a drop in session please")
    assert "Which council area do you live in?" in stranger.text
    # Sent later in a conversation already under way: ignored.
    later = Parent(client)
    await later.at_main_menu()
    await later.send(text="can I book a drop in session please", council="Leeds")
    assert "Which council area do you live in?" in later.text
    # Too long to be a council: a clear refusal, not a 500.
    response = await later.post(text="hello", council="L" * 500)
    assert response.status_code == 422 and "council" in response.text


async def test_triage_uses_the_preset_council_without_asking(embedding) -> None:  # type: ignore[no-untyped-def]
    """Next steps are local: triage's summary names Leeds and its help, and the
    council question is neither asked nor able to lose the preset by a skip."""
    _app, client = embedding
    parent = Parent(client)
    await parent.send(payload="global:start", council="Leeds")
    await parent.press("OK, let's start")
    await parent.press("Tell us what's happening")
    for _ in range(20):
        if "Here's what I've understood" in parent.text:
            break
        assert "Which council area do you live in?" not in parent.text
        await parent.press(
            "Skip this question" if "Skip this question" in parent.buttons else "Done"
        )
    assert "Council: Leeds" in parent.text
    assert "Leeds City Council" in parent.text


# The setting as people write it: spaces around entries and '=', a trailing slash,
# a council suffix, an empty entry.
UNTIDY = f" {LEEDS_SITE}/ = Leeds ,  {OTHER_SITE}/,, "
PADDED = LEEDS_SITE + " " * 300 + "x"  # padding that a cut to 300 characters would drop


@pytest.mark.parametrize(
    ("claim", "expected_host"),
    [
        (LEEDS_SITE, LEEDS_SITE),
        (f" {LEEDS_SITE}/ ", LEEDS_SITE),
        ("HTTPS://WWW.LEEDS.GOV.UK:443", LEEDS_SITE),
        (f"{OTHER_SITE}/", OTHER_SITE),
        (f"{LEEDS_SITE}=Leeds", None),
        (f"{LEEDS_SITE}/send", None),
        (PADDED, None),
        ("", None),
    ],
)
async def test_the_page_and_its_csp_read_the_allowed_origins_alike(
    settings: Settings, claim: str, expected_host: str | None
) -> None:
    """One parse of EMBED_ALLOWED_ORIGINS and one reading of `origin=`: the site the
    page trusts (data-host, the council preset, /embed/check) is the site its
    frame-ancestors names alone, or else the page trusts none and the CSP lists all."""
    assert load_settings(embed_allowed_origins=UNTIDY).embed_allowed_origins == UNTIDY
    update = {"embed_allowed_origins": UNTIDY}
    async with running_app(settings.model_copy(update=update)) as (_app, client):
        response = await client.get("/embed", params={"origin": claim, "council": "Leeds"})
        check = await client.get("/embed/check", params={"origin": claim, "council": "Leeds"})
    host = re.search(r'<body[^>]*data-host="([^"]*)"', response.text)
    ancestors = csp(response)["frame-ancestors"]
    assert (host.group(1) if host else None) == expected_host
    if expected_host is None:
        assert ancestors == f"{LEEDS_SITE} {OTHER_SITE}"
        assert data_council(response.text) is None
        assert check.json()["framing"] is False and check.json()["preset"] is False
    else:
        assert ancestors == expected_host
        assert check.json()["framing"] is True
        # Leeds is tied to its own site only, written with its suffix and spaces.
        assert data_council(response.text) == ("Leeds" if expected_host == LEEDS_SITE else None)
