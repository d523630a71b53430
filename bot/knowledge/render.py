"""An article as a chat message: the text, then its sources, then the disclaimer."""

from __future__ import annotations

from bot.knowledge.articles import Article


def render_article(article: Article, sources_heading: str, disclaimer: str) -> str:
    lines = [f"**{article.meta.title}**", "", article.body.strip(), "", sources_heading]
    for source in article.meta.sources:
        where = f", {source.section}" if source.section else ""
        lines.append(f"- {source.title}{where}: {source.url}")
    lines += ["", disclaimer]
    return "\n".join(lines)
