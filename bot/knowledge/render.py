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


def source_line(article: Article) -> str:
    """The first source, short: 'Children and Families Act 2014, section 36(1)'."""
    source = article.meta.sources[0]
    return f"{source.title}, {source.section}" if source.section else source.title


def render_summary(article: Article, source_template: str) -> str:
    """The key fact first: title, summary and where it comes from, in one short message."""
    source = source_template.replace("{source}", source_line(article))
    return f"**{article.meta.title}**\n\n{article.meta.summary}\n\n{source}"
