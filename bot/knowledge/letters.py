"""Model letters: templates in knowledge/letters/*.md, filled with a parent's answers.

A letter is only produced when every answer it needs is there, so no parent ever
sends a letter with "{child_name}" in it. The same text goes in the chat and in
a Word (.docx) file to download.

Every letter is laid out the same way: the sender's name and address, the date,
who it is to, a subject line naming the child and their date of birth, then the
template's body. Dates are written "3 March 2017" (no weekday), and a council is
named by its full name from knowledge/local_authorities.yml ("Leeds City Council").
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
from bot.triage.local_authorities import LocalAuthorities

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What every letter's layout needs, asked first.
LAYOUT_FIELDS = ("parent_name", "parent_address", "child_name", "child_dob")
# A placeholder worked out from another answer: the council's full name comes from
# the council the parent chose (in triage or in the letter flow).
DERIVED_FIELDS = {"council_full_name": "local_authority"}
# The day the letter was made, kept so the Word file has the same date as the chat.
LETTER_DATE = "letter_date"


class LetterMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    # Who it is to; each ", " starts a new line ("The SEND team, {council_full_name}").
    to: str
    sources: list[Source] = Field(min_length=1)
    last_reviewed: dt.date


@dataclass(frozen=True, slots=True)
class Letter:
    meta: LetterMeta
    body: str

    @property
    def fields(self) -> list[str]:
        """The placeholders in this letter's layout and template, in order."""
        names = _PLACEHOLDER.findall(self.meta.to + "\n" + self.body)
        return list(dict.fromkeys([*LAYOUT_FIELDS, *names]))

    @property
    def questions(self) -> list[str]:
        """The answers to ask the parent for (a node of that name in flows/letters.yml)."""
        return list(dict.fromkeys(DERIVED_FIELDS.get(name, name) for name in self.fields))


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


def day_in_words(day: dt.date) -> str:
    """'3 March 2017': the way a date is written in a letter (no weekday)."""
    return f"{day.day} {day:%B %Y}"


def letter_value(value: Any) -> str:
    """An answer as a letter writes it: dates without the weekday."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return day_in_words(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return show_value(value).strip()


def council_full_name(name: Any, authorities: LocalAuthorities | None) -> str | None:
    """'Leeds City Council' for 'Leeds'; None when no council was chosen."""
    if name in (None, ""):
        return None
    found = authorities.by_name(str(name)) if authorities is not None else None
    return found.official_name if found is not None else f"{name} Council"


def letter_answers(answers: dict[str, Any], authorities: LocalAuthorities | None) -> dict[str, Any]:
    """The parent's answers plus what is worked out from them (the council's full name,
    always from the council chosen now, never a name left over from earlier)."""
    values = dict(answers)
    values["council_full_name"] = council_full_name(values.get("local_authority"), authorities)
    return values


def missing_answers(letter: Letter, answers: dict[str, Any]) -> list[str]:
    """The questions (see Letter.questions) still without an answer."""
    return [name for name in letter.questions if answers.get(name) in (None, "")]


@dataclass(frozen=True, slots=True)
class FilledLetter:
    title: str
    to: str
    text: str
    missing: list[str]


def _lines(text: str) -> str:
    """An address typed on one line ("12 Park Road, Leeds, LS1 2AB") as lines."""
    parts = [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
    return "\n".join(parts)


def fill_letter(
    letter: Letter,
    answers: dict[str, Any],
    today: dt.date,
    authorities: LocalAuthorities | None = None,
) -> FilledLetter:
    values = letter_answers(answers, authorities)
    missing = missing_answers(letter, values)

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return letter_value(value) if value not in (None, "") else match.group(0)

    def filled(template: str) -> str:
        return _PLACEHOLDER.sub(replace, template)

    made = values.get(LETTER_DATE)
    day = dt.date.fromisoformat(made) if isinstance(made, str) and _ISO_DATE.match(made) else today
    to_lines = [filled(part.strip()) for part in letter.meta.to.split(", ")]
    to = "\n".join(to_lines)
    sender = filled("{parent_name}")
    address = values.get("parent_address")
    if address not in (None, ""):
        sender = f"{sender}\n{_lines(str(address))}"
    subject = filled("Re: {child_name}, date of birth {child_dob}")
    body = filled(letter.body).strip()
    text = f"{sender}\n\n{day_in_words(day)}\n\n{to}\n\n{subject}\n\n{body}"
    return FilledLetter(letter.meta.title, ", ".join(to_lines), text, missing)


def letter_docx(filled: FilledLetter) -> bytes:
    document = Document()
    for block in filled.text.split("\n\n"):
        paragraph = document.add_paragraph()
        lines = block.strip().split("\n")
        for number, line in enumerate(lines):
            run = paragraph.add_run(line)
            if line.startswith("Re: "):
                run.bold = True
            if number < len(lines) - 1:
                run.add_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
