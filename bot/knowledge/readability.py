"""Reading grades: how hard each summary and answer is to read (CONTENT.md "Voice").

Flesch-Kincaid grades from textstat 0.7.4, pinned: later releases download a
dictionary at run time, and `check` must work with no network. Markers ("[1]") are
taken out first, as parents never see them in a summary or an answer.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bot.knowledge.articles import Library
from bot.knowledge.citations import strip_markers

AIM_GRADE = 7.0  # the median we aim for
MAX_GRADE = 10.0  # above this: a warning


def grade(text: str) -> float:
    """The Flesch-Kincaid grade of a short text, to one decimal place."""
    import textstat  # imported here: it takes a moment, and only `check` needs it

    return round(float(textstat.flesch_kincaid_grade(strip_markers(text))), 1)


@dataclass(slots=True)
class FileGrades:
    file: str
    grades: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return round(statistics.median(self.grades), 1) if self.grades else 0.0


@dataclass(slots=True)
class Readability:
    files: list[FileGrades] = field(default_factory=list)
    # "file:line: warning: ..." for each summary or answer above MAX_GRADE
    warnings: list[str] = field(default_factory=list)
    # why there are no grades, if there are none (textstat missing)
    unavailable: str = ""

    @property
    def median(self) -> float:
        every = [g for f in self.files for g in f.grades]
        return round(statistics.median(every), 1) if every else 0.0

    @property
    def count(self) -> int:
        return sum(len(f.grades) for f in self.files)

    def lines(self) -> list[str]:
        """One line per knowledge file, then the overall median."""
        if self.unavailable:
            return [self.unavailable]
        out = [
            f"{f.file}: reading grade median {f.median:.1f} "
            f"(summary and {len(f.grades) - 1} answer(s))"
            for f in self.files
        ]
        out.append(
            f"reading grade: median {self.median:.1f} over {self.count} summaries and "
            f"answers (aim: {AIM_GRADE:.0f} or below); {len(self.warnings)} above "
            f"{MAX_GRADE:.0f}"
        )
        return out


def library_readability(library: Library) -> Readability:
    result = Readability()
    try:
        import textstat  # noqa: F401
    except ImportError:
        result.unavailable = (
            "reading grade: not measured: textstat is not installed (pip install textstat==0.7.4)"
        )
        return result
    for article in library.articles.values():
        file, summary_line = library.summaries.get(article.id, (article.id, 1))
        grades = FileGrades(file)
        texts = [("summary", None, article.meta.summary)]
        texts += [(f"answer '{c.id}'", c.id, c.answer) for c in article.meta.answers]
        for label, answer_id, text in texts:
            value = grade(text)
            grades.grades.append(value)
            if value > MAX_GRADE:
                line = library.answer_lines.get(answer_id, 1) if answer_id else summary_line
                result.warnings.append(
                    f"{file}:{line}: warning: {label} reads at grade {value:.1f} "
                    f"(aim for {AIM_GRADE:.0f} or below, at most {MAX_GRADE:.0f}): "
                    "shorter sentences and words"
                )
        result.files.append(grades)
    return result
