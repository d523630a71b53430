"""Model letters: templates in knowledge/letters/*.md, filled with a parent's answers.

A letter is only produced when every placeholder has an answer, so no parent ever
sends a letter with "{child_name}" in it. The same text goes in the chat and in
a Word (.docx) file to download.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.text import show_value
from bot.knowledge.articles import Source, split_front_matter

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class LetterMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    to: str
    sources: list[Source] = Field(min_length=1)
    last_reviewed: dt.date


@dataclass(frozen=True, slots=True)
class Letter:
    meta: LetterMeta
    body: str

    @property
    def fields(self) -> list[str]:
        """The answers this letter needs, in the order they appear."""
        names = _PLACEHOLDER.findall(self.meta.to + "\n" + self.body)
        return list(dict.fromkeys(names))


@dataclass(slots=True)
class Letters:
    letters: dict[str, Letter] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def load_letters(directory: Path) -> Letters:
    found = Letters()
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.md")):
        shown = f"{directory.parent.name}/{directory.name}/{path.name}"
        split = split_front_matter(path.read_text(encoding="utf-8"))
        if isinstance(split, str):
            found.problems.append(f"{shown}:1: {split}")
            continue
        header, body = split
        try:
            meta = LetterMeta.model_validate(yaml.safe_load(header))
        except (ValidationError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0]
            found.problems.append(f"{shown}:1: {first}")
            continue
        found.letters[meta.id] = Letter(meta, body)
    return found


@dataclass(frozen=True, slots=True)
class FilledLetter:
    title: str
    to: str
    text: str
    missing: list[str]


def fill_letter(letter: Letter, answers: dict[str, Any], today: dt.date) -> FilledLetter:
    missing = [name for name in letter.fields if answers.get(name) in (None, "")]

    def replace(match: re.Match[str]) -> str:
        value = answers.get(match.group(1))
        return show_value(value) if value not in (None, "") else match.group(0)

    date_line = f"{today:%A} {today.day} {today:%B %Y}"
    to = _PLACEHOLDER.sub(replace, letter.meta.to)
    body = _PLACEHOLDER.sub(replace, letter.body)
    return FilledLetter(letter.meta.title, to, f"{to}\n\n{date_line}\n\n{body}", missing)


def letter_docx(filled: FilledLetter) -> bytes:
    document = Document()
    for paragraph in filled.text.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
