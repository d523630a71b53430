"""Announce, then move focus (issue #17): in headless Chromium, each bot reply is in the
chat's live region before focus moves to its first choice (or to the message box),
and the live region is never aria-busy while focus moves.

An init script logs, with performance.now() times, every node added to the log,
every aria-busy change on it, and every focus move (with the log's text and
aria-busy at that moment). Chromium's accessibility tree (CDP
Accessibility.getFullAXTree) then shows what a screen reader is given. No real
screen reader runs here: what it speaks, and whether a focus move cuts speech
short, is not measured (README, "Screen readers").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_webchat_browser import browser_page, chat_server

pytestmark = pytest.mark.browser

RECORDER = """
(() => {
  const events = (window.__announcements = []);
  const now = () => performance.now();
  const log = () => document.getElementById("log");
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "attributes") {
          events.push({ kind: "busy", at: now(), busy: log().getAttribute("aria-busy") });
        } else {
          for (const node of record.addedNodes) {
            events.push({ kind: "added", at: now(), text: node.textContent || "" });
          }
        }
      }
    }).observe(log(), { childList: true, attributes: true, attributeFilter: ["aria-busy"] });
  });
  document.addEventListener("focusin", (event) => {
    events.push({
      kind: "focus", at: now(),
      target: (event.target.textContent || event.target.id || "").trim(),
      busy: log() ? log().getAttribute("aria-busy") : null,
      logText: log() ? log().textContent : "",
    });
  }, true);
})();
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chat_server(tmp_path_factory, "announcements") as base:
        yield base


def focus_after(events: list[dict[str, Any]], reply: str, target: str) -> tuple[float, float]:
    """(when the log's observer heard of `reply`, when focus first moved to `target`)."""
    added = [e for e in events if e["kind"] == "added" and reply in e["text"]]
    assert added, f"{reply!r} never reached the log"
    # The observer hears of an addition a moment after it happens (a microtask), so an
    # addition and a focus move in one go are logged focus first.
    focus = [e for e in events if e["kind"] == "focus" and e["target"] == target]
    assert focus, f"focus never moved to {target!r}"
    added, focus = added[0], focus[0]
    assert reply in focus["logText"], f"focus moved to {target!r} before {reply!r} was in the log"
    assert focus["busy"] != "true", f"the log was aria-busy when focus moved to {target!r}"
    return added["at"], focus["at"]


def ax_tree(page: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Chromium's accessibility tree: (nodes by id, all nodes)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Accessibility.enable")
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return {n["nodeId"]: n for n in nodes}, nodes


def properties(node: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["value"].get("value") for p in node.get("properties", [])}


def text_under(by_id: dict[str, Any], node: dict[str, Any]) -> str:
    words = []
    for child_id in node.get("childIds", []):
        child = by_id.get(child_id)
        if child is None:
            continue
        if child.get("role", {}).get("value") == "StaticText":
            words.append(child.get("name", {}).get("value", ""))
        words.append(text_under(by_id, child))
    return " ".join(w for w in words if w)


def test_replies_are_in_the_live_region_before_focus_moves(base_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(base_url) as page:
        page.add_init_script(RECORDER)
        page.goto("/")
        log = page.get_by_role("log")
        start = page.get_by_role("button", name="OK, let's start")
        expect(start).to_be_focused()
        page.keyboard.press("Enter")  # a choice: focus goes to the next reply's first choice
        rights = page.get_by_role("button", name="Your child's rights at school")
        expect(rights).to_be_focused()
        page.get_by_role("button", name="Tell us what's happening").click()
        expect(log).to_contain_text("How old is your child?")
        box = page.get_by_label("Your message")
        expect(box).to_be_focused()  # a typed question: the box, not "Skip this question"
        events = page.evaluate("window.__announcements")

        moves = [
            focus_after(events, "Your privacy", "OK, let's start"),
            focus_after(events, "What would you like help with?", "Your child's rights at school"),
            focus_after(events, "How old is your child?", "message"),
        ]
        for added, focused in moves:
            # Announce first: the move waits a frame and 100 ms after the reply is in.
            assert focused - added >= 95, moves
        # Never busy at all: a screen reader would hold the reply back until it cleared.
        assert not [e for e in events if e["kind"] == "busy" and e["busy"] == "true"]

        # What a screen reader is given: a polite log, not busy, holding the question,
        # and the message box focused.
        by_id, nodes = ax_tree(page)
        logs = [n for n in nodes if n.get("role", {}).get("value") == "log"]
        assert len(logs) == 1
        shown = properties(logs[0])
        assert shown.get("live") == "polite" and shown.get("relevant") == "additions"
        assert shown.get("busy") in (None, False)
        assert "How old is your child?" in text_under(by_id, logs[0])
        focused = [
            (n["role"]["value"], n.get("name", {}).get("value"))
            for n in nodes
            if properties(n).get("focused") and n["role"]["value"] != "RootWebArea"
        ]
        assert focused == [("textbox", "Your message")]
