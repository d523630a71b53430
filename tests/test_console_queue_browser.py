"""The queue on a phone, in headless Chromium (issue #18): at 390 CSS px the queue (with
filters) and the ticket page never scroll sideways, a champion claims from the row and
reaches the reply box; axe-core finds nothing on the filtered queue, wide or narrow.

Uses test_accessibility's server, browser and axe helpers (one server per module).
"""

from __future__ import annotations

import re

import pytest

from tests.test_accessibility import (  # noqa: F401  (base_url and browser are fixtures)
    CHAMPION,
    WIDEST,
    ask_for_a_champion,
    assert_none,
    base_url,
    browser,
    check_axe,
    new_page,
    sign_in,
)
from tests.test_webchat_browser import ARTIFACTS

pytestmark = pytest.mark.browser
PHONE = 390
LONG = (
    "He has been sent home at lunchtime every day this week and the school says "
    "https://example.org/a-very-long-link-without-any-spaces-at-all-to-wrap-on is the policy"
)


def sideways(page, name: str, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Note it in `failures` if the page is wider than the phone's screen."""
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        failures.append(
            f"{name}: scrolls sideways at {inner} CSS px ({scroll}px wide): {page.evaluate(WIDEST)}"
        )
    page.screenshot(path=str(ARTIFACTS / "axe" / f"{name}.png"), full_page=True)


def test_queue_and_ticket_on_a_phone(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    parent = new_page(browser, base_url, PHONE, 800)
    ask_for_a_champion(parent)
    parent.get_by_label("Your message").fill(LONG)
    parent.keyboard.press("Enter")
    expect(parent.get_by_role("log")).to_contain_text("I've passed that on")

    failures: list[str] = []
    sam = new_page(browser, base_url, PHONE, 800)
    sign_in(sam, CHAMPION)
    # sign_in's wait also matches the sign-in page's own address: wait for the queue
    # before going elsewhere, or the goto can cut the sign-in short.
    expect(sam.get_by_role("heading", name="Queue")).to_be_visible()
    sam.goto("/console?area=Leeds&urgency=routine&waiting=soon")
    expect(sam.locator("#filter-problems")).to_contain_text("whole number of minutes")
    expect(sam.get_by_label("Area", exact=True)).to_have_value("Leeds")
    row = sam.locator("tr[data-ticket]").last
    expect(row).to_contain_text("He has been sent home at lunchtime")
    expect(row).to_contain_text("1 unread")
    # Live, with the filters kept: the parent writes again and the row changes by itself.
    parent.get_by_label("Your message").fill("Also he has no transport home")
    parent.keyboard.press("Enter")
    expect(row).to_contain_text("2 unread")
    expect(row).to_contain_text("Also he has no transport home")
    expect(sam.get_by_label("Area", exact=True)).to_have_value("Leeds")
    check_axe(sam, "queue-filtered-390", failures)
    sideways(sam, "queue-filtered-390", failures)

    # The filter form works as a plain GET form.
    sam.get_by_label("Waiting longer than (minutes)").fill("")
    sam.get_by_label("Channel", exact=True).select_option(label="Telegram")
    sam.get_by_role("button", name="Show tickets").click()
    expect(sam.locator("#empty-queue")).to_contain_text("No open tickets match these filters")
    assert re.search(r"channel=telegram", sam.url)
    sam.get_by_role("link", name="Clear filters").click()
    expect(sam.locator("tr[data-ticket]").last).to_contain_text("2 unread")
    # Unfiltered, the form is folded away (the queue comes first on a phone) and opens.
    expect(sam.get_by_label("Urgency")).to_be_hidden()
    sam.get_by_text("Filter and search").click()
    expect(sam.get_by_label("Urgency")).to_be_visible()
    check_axe(sam, "queue-filters-open-390", failures)

    wide = new_page(browser, base_url)
    sign_in(wide, CHAMPION)
    expect(wide.get_by_role("heading", name="Queue")).to_be_visible()
    wide.goto("/console?area=Leeds&q=leeds")
    expect(wide.locator("tr[data-ticket]").last).to_be_visible()
    check_axe(wide, "queue-filtered-1280", failures)

    sam.locator("tr[data-ticket]").last.get_by_role("button", name=re.compile("^Claim")).click()
    expect(sam.locator("p.notice")).to_contain_text("You have claimed this ticket")
    # The claim reloaded the page: send once console.js runs, or the reply posts the
    # plain way and reloads the page again.
    sam.wait_for_load_state()
    reply = sam.get_by_label("Reply to the parent")
    reply.scroll_into_view_if_needed()
    expect(reply).to_be_in_viewport()
    box = reply.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    sideways(sam, "ticket-390", failures)
    reply.fill("Hello, I'm Sam. Which school is he at?")
    sam.get_by_role("button", name="Send to parent").click()
    expect(reply).to_have_value("")
    expect(parent.get_by_role("log")).to_contain_text("Which school is he at?")

    sam.goto("/console")
    mine = sam.locator("tr[data-ticket]").last
    expect(mine).to_contain_text("Answered")
    expect(mine).not_to_contain_text("unread")
    sideways(sam, "queue-390-claimed", failures)
    assert_none(failures, "console-queue-phone")
