"""Citation markers: every sentence that states a checkable fact names its source.

An article's `sources` are numbered from 1 in the order its front matter lists them.
A sentence in the summary or the body that states a fact a parent may act on ends
with a marker such as `[1]` (or several, `[1][3]`) before its full stop:

    The council must decide within 6 weeks of your request [1].

What counts as such a fact (`fact_kinds`), and nothing else:

- a **deadline**: a number, in digits or words ("6", "six", "forty-five"), followed
  by a time unit: day(s), week(s), month(s) or year(s), optionally with "school",
  "working", "calendar" or "clear" between ("15 school days", "6-week", "12-month").
  Ages are not deadlines: "5 years old", "a 16-year-old" and the "0 to 25 years" the
  SEND system covers do not count. A number with no time unit after it never counts:
  "Year 11", "section 19", "reg 5(1)", "16 to 25", "age 25", "2 miles", "15 February".
  Ordinals ("the sixth school day") do not count either.
- an **amount**: any "£".
- a **phone number**: a number starting 0 with 7 to 11 digits in groups
  ("0808 808 3555", "0800 1111"), a 116 number ("116 123"), 999, 111, or a
  text short code ("text SHOUT to 85258").
- a **duty**: the word "must" (so "must not" and "mustn't" too).

Sentences: the body is cut into blocks first (a paragraph, or one list item with its
continuation lines; headings are skipped), then each block into sentences at ".", "!"
or "?" followed by a space and a capital, digit, quote, bracket or "*". A marker
straight after the full stop ("request.[1]") still belongs to the sentence before it.
Answer cards need no markers: each card cites its `source`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"\[(\d+)\](?!\()")
# A marker and the space before it, as removed from short replies.
_MARKERS_WITH_SPACE = re.compile(r"\s*(?:\[\d+\](?!\())+")

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety"
)
_NUMBER = rf"(?:\d+(?:[.,]\d+)?|(?:{_NUMBER_WORDS})(?:-(?:{_NUMBER_WORDS}))?)"
_DEADLINE = re.compile(
    rf"(?<![\w£])(?P<n>{_NUMBER})(?:\*\*|\s|-)+(?:(?:school|working|calendar|clear)[\s-]+)?"
    r"(?:days?|weeks?|months?|years?)\b(?![\s-]*olds?\b)",
    re.IGNORECASE,
)
_AGE_RANGE = re.compile(r"\b0\s*(?:to|-|–)\s*25\s*years?\b", re.IGNORECASE)
_AMOUNT = re.compile(r"£")
_PHONE = re.compile(
    r"(?<![\d£])(?:\b0\d{2,4}(?:[ -]?\d{3,4}){1,2}\b|\b116[ -]?\d{3}\b|\b(?:999|111)\b)"
    r"|\btext\b[^.]{0,40}?\bto\s+\**\d{5}\b",
    re.IGNORECASE,
)
_DUTY = re.compile(r"\bmust\b", re.IGNORECASE)

_SENTENCE_END = re.compile(r"(?<=[.!?])((?:\[\d+\](?!\())*[\"”’')*]*)\s+(?=[A-Z0-9\"“‘'(*\[])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def fact_kinds(sentence: str) -> list[str]:
    """What in this sentence needs a source: 'deadline', 'amount', 'phone number', 'duty'."""
    text = MARKER.sub(" ", sentence)
    kinds = []
    without_ages = _AGE_RANGE.sub(" ", text)
    if _DEADLINE.search(without_ages):
        kinds.append("deadline")
    if _AMOUNT.search(text):
        kinds.append("amount")
    if _PHONE.search(text):
        kinds.append("phone number")
    if _DUTY.search(text):
        kinds.append("duty")
    return kinds


def markers(sentence: str) -> list[int]:
    return [int(n) for n in MARKER.findall(sentence)]


def strip_markers(text: str) -> str:
    """The text without its markers, for replies that show a single source line."""
    return _MARKERS_WITH_SPACE.sub("", text)


def split_sentences(block: str) -> list[str]:
    """One block (a paragraph or a list item) as its sentences."""
    block = " ".join(block.split())
    if not block:
        return []
    pieces = _SENTENCE_END.split(block)
    # re.split keeps the captured trailing markers: glue them back on.
    sentences = [pieces[0]]
    for index in range(1, len(pieces), 2):
        sentences[-1] += pieces[index]
        sentences.append(pieces[index + 1])
    return [s.strip() for s in sentences if s.strip()]


def body_blocks(body: str, first_line: int) -> list[tuple[int, str]]:
    """(file line, text) of each paragraph and list item; headings are left out."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = first_line

    def close() -> None:
        if current:
            blocks.append((start, " ".join(current)))
            current.clear()

    in_fence = False
    for offset, line in enumerate(body.splitlines()):
        stripped = line.strip()
        if stripped.startswith("```"):
            close()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not stripped or stripped.startswith("#") or stripped.startswith("|"):
            close()
            continue
        if _LIST_ITEM.match(line) or not current:
            close()
            start = first_line + offset
            current.append(_LIST_ITEM.sub("", line).strip())
        else:
            current.append(stripped)
    close()
    return blocks


@dataclass(frozen=True, slots=True)
class CitationProblem:
    line: int
    message: str


def _short(sentence: str, limit: int = 80) -> str:
    text = sentence.replace("**", "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _kinds_text(kinds: list[str]) -> str:
    named = [f"a {k}" for k in kinds]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def check_text(blocks: list[tuple[int, str]], source_count: int) -> list[CitationProblem]:
    """Every uncited fact, and every marker that points past the sources list."""
    problems = []
    for line, block in blocks:
        for sentence in split_sentences(block):
            cited = markers(sentence)
            for number in cited:
                if not 1 <= number <= source_count:
                    problems.append(
                        CitationProblem(
                            line,
                            f"citation [{number}] points past the sources list "
                            f"(this article has {source_count} source"
                            f"{'' if source_count == 1 else 's'})",
                        )
                    )
            kinds = fact_kinds(sentence)
            if kinds and not cited:
                problems.append(
                    CitationProblem(
                        line,
                        f'sentence "{_short(sentence)}" states {_kinds_text(kinds)} '
                        "but cites no source",
                    )
                )
    return problems


def article_problems(
    summary: str, summary_line: int, body: str, body_line: int, source_count: int
) -> list[CitationProblem]:
    """Citation problems in an article's summary (all reported at its `summary:` line)
    and body (each at the line its paragraph or list item starts)."""
    return check_text([(summary_line, summary)], source_count) + check_text(
        body_blocks(body, body_line), source_count
    )
