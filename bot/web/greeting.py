"""The greeting, written into the chat page's HTML so a slow phone isn't blank.

The page (templates/chat.html) carries a `<!-- greeting -->` mark inside the
message log. It is replaced with the welcome flow's first message; the script
(static/chat.js) removes it as soon as it shows the real conversation.
"""

from __future__ import annotations

import html
import re

from bot.core.content import Content

MARK = "<!-- greeting -->"
WELCOME_FLOW = "welcome"


def greeting_text(content: Content) -> str | None:
    """The welcome flow's first message, or None when there is none to say."""
    start = content.start_of(WELCOME_FLOW)
    node = content.node(WELCOME_FLOW, start) if start else None
    return node.say.strip() if node is not None and node.say else None


def greeting_html(text: str) -> str:
    """The text as the script would show it: escaped, **bold**, one paragraph a line."""
    lines = [html.escape(line.strip()) for line in text.splitlines() if line.strip()]
    paragraphs = "".join(
        "<p>" + re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line) + "</p>" for line in lines
    )
    return (
        '<div class="msg bot" id="greeting"><span class="visually-hidden">Champion said: </span>'
        f"<div>{paragraphs}</div></div>"
    )


def with_greeting(page: str, content: Content) -> str:
    text = greeting_text(content)
    return page.replace(MARK, greeting_html(text), 1) if text else page
