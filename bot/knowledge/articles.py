"""Markdown articles with YAML front matter, each citing its sources.

An article states the law in plain English; its `sources` say where each fact comes
from, and `last_reviewed` says when a person last checked it against them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, ValidationError

STALE_AFTER_DAYS = 365


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Annotated[str, StringConstraints(min_length=3)]
    url: HttpUrl
    section: str | None = None


class ArticleMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$", max_length=48)]
    title: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    summary: Annotated[str, StringConstraints(min_length=10, max_length=400)]
    tags: list[str] = Field(default_factory=list)
    intents: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    last_reviewed: dt.date


@dataclass(frozen=True, slots=True)
class Article:
    meta: ArticleMeta
    body: str

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True, slots=True)
class ArticleProblem:
    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


@dataclass(slots=True)
class Library:
    articles: dict[str, Article] = field(default_factory=dict)
    problems: list[ArticleProblem] = field(default_factory=list)

    def has(self, article_id: str) -> bool:
        return article_id in self.articles

    @property
    def errors(self) -> list[ArticleProblem]:
        return [p for p in self.problems if not p.warning]


def split_front_matter(text: str) -> tuple[str, str] | str:
    """(YAML header, Markdown body) of a `---` fronted file, or what is wrong with it."""
    if not text.startswith("---"):
        return "must start with '---' and YAML front matter"
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return "front matter is not closed with '---'"
    return parts[0][3:], parts[1].lstrip("-").strip()


def parse_article(
    text: str, file: str, today: dt.date | None = None
) -> tuple[Article | None, list[ArticleProblem]]:
    split = split_front_matter(text)
    if isinstance(split, str):
        return None, [ArticleProblem(file, 1, split)]
    header, body = split
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint = " (put text containing ': ' in quotes)" if "mapping values" in problem else ""
        return None, [
            ArticleProblem(file, line, f"front matter is not valid YAML: {problem}{hint}")
        ]
    if not isinstance(data, dict):
        return None, [ArticleProblem(file, 1, "front matter must be a mapping")]
    try:
        meta = ArticleMeta.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            line = _front_matter_line(header, key)
            where = ".".join(str(p) for p in err["loc"])
            problems.append(ArticleProblem(file, line, f"{where}: {err['msg']}"))
        return None, problems
    if not body:
        return None, [ArticleProblem(file, 1, "the article has no text after its front matter")]
    problems = []
    age = ((today or dt.date.today()) - meta.last_reviewed).days
    if age > STALE_AFTER_DAYS:
        problems.append(
            ArticleProblem(
                file,
                _front_matter_line(header, "last_reviewed"),
                f"last reviewed {meta.last_reviewed.isoformat()}, "
                "over 12 months ago: due for review",
                warning=True,
            )
        )
    return Article(meta, body), problems


def _front_matter_line(header: str, key: str) -> int:
    for number, line in enumerate(header.splitlines(), start=1):
        if key and line.startswith(f"{key}:"):
            return number
    return 1


def load_library(directory: Path, today: dt.date | None = None) -> Library:
    library = Library()
    if not directory.is_dir():
        return library
    for path in sorted(directory.glob("*.md")):
        shown = f"{directory.name}/{path.name}"
        if path.name.lower() == "readme.md":
            continue
        article, problems = parse_article(path.read_text(encoding="utf-8"), shown, today)
        library.problems.extend(problems)
        if article is None:
            continue
        if article.id in library.articles:
            library.problems.append(ArticleProblem(shown, 1, f"id '{article.id}' is used twice"))
            continue
        library.articles[article.id] = article
    return library
