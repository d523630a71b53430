"""An article as a chat message: the text, then its sources, then the disclaimer.

The whole article keeps its citation markers ("[2]") and numbers its sources to
match; a short reply (a summary, an answer card) shows one source line, so its
markers are taken out (bot/knowledge/citations.py).
"""

from __future__ import annotations

import re

from bot.knowledge.articles import Article, Source
from bot.knowledge.citations import strip_markers

# Buttons: Telegram shows about 40 characters on a phone; WhatsApp rows are cut further
# by the adapter (bot/channels/rendering.py).
BUTTON_CHARS = 40


def render_article(article: Article, sources_heading: str, disclaimer: str) -> str:
    """The text names each source and section, numbered so each "[n]" in the text
    finds its source; their links travel as the Reply's `sources`, which the web chat
    folds under "Sources" so the answer isn't buried."""
    lines = [f"**{article.meta.title}**", "", article.body.strip(), "", sources_heading]
    lines += [
        f"{number}. {source_label(source)}"
        for number, source in enumerate(article.meta.sources, start=1)
    ]
    lines += ["", disclaimer]
    return "\n".join(lines)


def source_label(source: Source) -> str:
    """A source, short: 'Children and Families Act 2014, section 36(1)'."""
    return f"{source.title}, {source.section}" if source.section else source.title


def source_line(article: Article) -> str:
    """The article's first source, short."""
    return source_label(article.meta.sources[0])


def source_record(source: Source) -> dict[str, str]:
    """A source as the Reply record (DESIGN.md): the web chat folds these under "Sources"."""
    record = {"title": source.title, "url": str(source.url)}
    if source.section:
        record["section"] = source.section
    return record


def button_text(question: str, limit: int = BUTTON_CHARS) -> str:
    """A parent's phrasing as a button: capitalised, no trailing '?', cut at a word."""
    text = re.sub(r"\s+", " ", question).strip().rstrip("?").strip()
    text = text[:1].upper() + text[1:]
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


def render_summary(article: Article, source_template: str) -> str:
    """The key fact first: title, summary and where it comes from, in one short message."""
    source = source_template.replace("{source}", source_line(article))
    summary = strip_markers(article.meta.summary)
    return f"**{article.meta.title}**\n\n{summary}\n\n{source}"


def answer_text(answer: str) -> str:
    """An answer card's text as sent: one source line follows it, so no markers."""
    return strip_markers(answer)
