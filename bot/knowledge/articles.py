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
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationError,
    field_validator,
)

from bot.content.safe_yaml import YamlRefused, load_without_aliases
from bot.knowledge.citations import article_problems

STALE_AFTER_DAYS = 365


class Verified(BaseModel):
    """When a person last checked a source, and the page they checked it against."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    url: HttpUrl


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Annotated[str, StringConstraints(min_length=3)]
    url: HttpUrl
    section: str | None = None
    verified: Verified | None = None


# "answer:<id>" must fit in Telegram's 64 bytes of callback data.
AnswerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$", max_length=56)]
MAX_ANSWER_WORDS = 60
MIN_ANSWER_QUESTIONS = 3


class AnswerCard(BaseModel):
    """One specific question and its key fact, first (CONTENT.md "Answers").

    Keyed by id, so its text can be translated later without touching code."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: AnswerId
    questions: list[Annotated[str, StringConstraints(min_length=5)]] = Field(
        min_length=MIN_ANSWER_QUESTIONS
    )
    answer: Annotated[str, StringConstraints(min_length=10)]
    source: Source
    follow_ups: list[AnswerId] = Field(default_factory=list)

    @field_validator("answer")
    @classmethod
    def _short(cls, value: str) -> str:
        words = len(value.split())
        if words > MAX_ANSWER_WORDS:
            raise ValueError(f"has {words} words; at most {MAX_ANSWER_WORDS}")
        return value


class ArticleMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$", max_length=48)]
    title: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    summary: Annotated[str, StringConstraints(min_length=10, max_length=400)]
    tags: list[str] = Field(default_factory=list)
    intents: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    last_reviewed: dt.date
    answers: list[AnswerCard] = Field(default_factory=list)


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


@dataclass(frozen=True, slots=True)
class SourceUse:
    """A source where an article or answer card cites it, and when it was last checked."""

    file: str
    line: int
    article_id: str
    answer_id: str | None  # None: the article's own `sources`
    source: Source

    @property
    def verified(self) -> dt.date | None:
        return self.source.verified.date if self.source.verified else None

    def stale(self, today: dt.date) -> bool:
        """Never verified, or verified over 12 months before `today`."""
        return self.verified is None or (today - self.verified).days > STALE_AFTER_DAYS


@dataclass(slots=True)
class Library:
    articles: dict[str, Article] = field(default_factory=dict)
    # answer id -> (the article it belongs to, the card)
    answers: dict[str, tuple[Article, AnswerCard]] = field(default_factory=dict)
    problems: list[ArticleProblem] = field(default_factory=list)
    # every source each article and answer card cites, in file order
    sources: list[SourceUse] = field(default_factory=list)
    # article id -> (the file shown, the line of its `summary:`)
    summaries: dict[str, tuple[str, int]] = field(default_factory=dict)
    # answer id -> the line of its `id:`
    answer_lines: dict[str, int] = field(default_factory=dict)

    def has(self, article_id: str) -> bool:
        return article_id in self.articles

    @property
    def errors(self) -> list[ArticleProblem]:
        return [p for p in self.problems if not p.warning]


def body_line(text: str) -> int:
    """The file line the body of a `---` fronted file starts on (see split_front_matter)."""
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return 1
    rest = parts[1].lstrip("-")
    start = len(parts[0]) + 4 + (len(parts[1]) - len(rest)) + (len(rest) - len(rest.lstrip()))
    return text.count("\n", 0, start) + 1


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
        data = load_without_aliases(header)
    except YamlRefused as refused:
        return None, [ArticleProblem(file, 1, f"front matter: {refused}")]
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
            if key == "answers" and len(err["loc"]) > 1:
                line = _answer_line(header, data, err["loc"][1]) or line
            where = ".".join(str(p) for p in err["loc"])
            problems.append(ArticleProblem(file, line, f"{where}: {err['msg']}"))
        return None, problems
    if not body:
        return None, [ArticleProblem(file, 1, "the article has no text after its front matter")]
    problems = [
        ArticleProblem(file, problem.line, problem.message)
        for problem in article_problems(
            meta.summary,
            _front_matter_line(header, "summary"),
            body,
            body_line(text),
            len(meta.sources),
        )
    ]
    age = ((today or dt.date.today()) - meta.last_reviewed).days
    if age < 0:
        problems.append(
            ArticleProblem(
                file,
                _front_matter_line(header, "last_reviewed"),
                f"last_reviewed {meta.last_reviewed.isoformat()} is after today: "
                "give the date a person last checked it",
            )
        )
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


def _id_line(header: str, answer_id: object) -> int | None:
    """The front-matter line of an answer's `id:`, so a problem points at its card."""
    for number, line in enumerate(header.splitlines(), start=1):
        if line.strip().lstrip("- ").strip() == f"id: {answer_id}":
            return number
    return None


def _answer_line(header: str, data: dict[str, object], index: object) -> int | None:
    answers = data.get("answers")
    if not isinstance(answers, list) or not isinstance(index, int) or index >= len(answers):
        return None
    card = answers[index]
    return _id_line(header, card.get("id")) if isinstance(card, dict) else None


def _answer_problems(library: Library, files: dict[str, tuple[str, str]]) -> None:
    """Answer ids unique across the library, and every follow-up an answer that exists."""
    for article in library.articles.values():
        shown, header = files[article.id]
        for card in article.meta.answers:
            line = _id_line(header, card.id) or _front_matter_line(header, "answers")
            if card.id in library.answers:
                library.problems.append(
                    ArticleProblem(shown, line, f"answer id '{card.id}' is used twice")
                )
                continue
            library.answers[card.id] = (article, card)
    for answer_id, (article, card) in library.answers.items():
        shown, _header = files[article.id]
        missing = [f for f in card.follow_ups if f not in library.answers]
        if missing:
            library.problems.append(
                ArticleProblem(
                    shown,
                    1,
                    f"answer '{answer_id}' follows up with {', '.join(missing)}, "
                    "which no article answers",
                )
            )


def _source_lines(header: str) -> tuple[list[int], dict[str, int]]:
    """File lines of the article's sources, and of each answer card's `source:`."""
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    try:
        root = yaml.compose(header, Loader=loader)
    except yaml.YAMLError:
        return [], {}
    article: list[int] = []
    answers: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return article, answers
    for key, value in root.value:
        if key.value == "sources" and isinstance(value, yaml.SequenceNode):
            article = [item.start_mark.line + 1 for item in value.value]
        if key.value == "answers" and isinstance(value, yaml.SequenceNode):
            for card in value.value:
                if not isinstance(card, yaml.MappingNode):
                    continue
                fields = {k.value: v for k, v in card.value if isinstance(k, yaml.ScalarNode)}
                card_id, source = fields.get("id"), fields.get("source")
                if isinstance(card_id, yaml.ScalarNode) and source is not None:
                    answers[str(card_id.value)] = source.start_mark.line
    return article, answers


def _source_uses(library: Library, files: dict[str, tuple[str, str]]) -> None:
    for article in library.articles.values():
        shown, header = files[article.id]
        article_lines, answer_lines = _source_lines(header)
        library.summaries[article.id] = (shown, _front_matter_line(header, "summary"))
        fallback = _front_matter_line(header, "sources")
        for index, source in enumerate(article.meta.sources):
            line = article_lines[index] if index < len(article_lines) else fallback
            library.sources.append(SourceUse(shown, line, article.id, None, source))
        for card in article.meta.answers:
            line = answer_lines.get(card.id) or _id_line(header, card.id) or fallback
            library.answer_lines[card.id] = _id_line(header, card.id) or line
            library.sources.append(SourceUse(shown, line, article.id, card.id, card.source))


def load_library(directory: Path, today: dt.date | None = None) -> Library:
    library = Library()
    if not directory.is_dir():
        return library
    files: dict[str, tuple[str, str]] = {}  # article id -> (file shown, front matter)
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
        split = split_front_matter(path.read_text(encoding="utf-8"))
        files[article.id] = (shown, split[0] if isinstance(split, tuple) else "")
    _answer_problems(library, files)
    _source_uses(library, files)
    return library
