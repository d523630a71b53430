"""Fitting a Reply into a messaging platform's limits: splitting long text, short titles."""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, then line, then word ends."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def telegram_html(text: str) -> str:
    """Our Markdown-lite (**bold**) as the HTML Telegram understands; the rest escaped."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def plain(text: str) -> str:
    """WhatsApp shows *single* asterisks as bold."""
    return _BOLD.sub(r"*\1*", text)


def short_title(label: str, limit: int) -> str:
    """A button title within `limit` characters, cut at a word end with an ellipsis."""
    label = label.strip()
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-")
    if len(cut) < limit // 2:
        cut = label[: limit - 1]
    return cut + "…"


def unique_titles(labels: list[str], limit: int) -> list[str]:
    """Shortened titles, numbered where shortening made two the same."""
    titles = [short_title(label, limit) for label in labels]
    for index, title in enumerate(titles):
        if titles.count(title) > 1:
            suffix = f" {index + 1}"
            titles[index] = short_title(title.rstrip("…"), limit - len(suffix)) + suffix
    return titles
