"""Find Section F (special educational provision) in a plan's text.

Plans name their sections in many ways: "Section F: Special educational provision",
"F. Special Educational Provision", a table whose first cell is "F". A contents page
names Section F too, so of every place that starts Section F, the one followed by
the most text before the next section wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line that starts a section: "Section F", "F:", "F.", "F -", or the section's title.
_SECTION_START = re.compile(
    r"^\s*(?:section\s+(?P<a>[a-k])\b|(?P<b>[a-k])\s*(?:[:.)\-–—]|\s{2,}|$))",
    re.IGNORECASE,
)
_F_TITLE = re.compile(r"^\s*(?:section\s+f\b.*|special\s+educational\s+provision\b.*)$", re.I)
_OTHER_TITLES = re.compile(
    r"^\s*(?:health\s+(?:care\s+)?provision|social\s+care\s+provision|placement|"
    r"personal\s+budget|"
    r"advice\s+and\s+information)\b",
    re.I,
)
_PLAN_WORDS = re.compile(
    r"education,?\s+health\s+and\s+care\s+plan|\behc\s*p\b|\behcp\b|special\s+educational",
    re.I,
)


@dataclass(frozen=True, slots=True)
class SectionF:
    found: bool
    text: str  # Section F if found, else the whole text


def _section_letter(line: str) -> str | None:
    if len(line) > 160:
        return None
    match = _SECTION_START.match(line)
    if match:
        letter = (match.group("a") or match.group("b") or "").lower()
        # "F" alone, "F:" or "Section F" must not be a sentence starting "A ..." or "I ...".
        if (
            match.group("b")
            and letter in ("a", "i")
            and not re.match(rf"^\s*{letter}\s*(?:[:.)\-–—]|$)", line, re.I)
        ):
            return None
        if match.group("b") and re.match(rf"^\s*{letter}\.\s*[a-z]", line):
            return None  # "A. word" lower-case: a list item, not a heading
        return letter
    if _F_TITLE.match(line):
        return "f"
    if _OTHER_TITLES.match(line) and len(line.split()) <= 8:
        return "other"
    return None


def find_section_f(text: str) -> SectionF:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _section_letter(line) == "f"]
    best: tuple[int, int, int] | None = None  # (letters, start, end)
    for start in starts:
        end = len(lines)
        for j in range(start + 1, len(lines)):
            letter = _section_letter(lines[j])
            if letter is not None and letter != "f":
                end = j
                break
        body = "\n".join(lines[start + 1 : end])
        letters = sum(c.isalpha() for c in body)
        if best is None or letters > best[0]:
            best = (letters, start, end)
    if best is None or best[0] < 40:
        return SectionF(False, text)
    _letters, start, end = best
    return SectionF(True, "\n".join(lines[start + 1 : end]).strip())


def looks_like_a_plan(text: str) -> bool:
    return bool(_PLAN_WORDS.search(text))
