"""Accuracy you can check (issue #15): citation markers, verified sources, reading grades."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.check import check_content
from bot.config import PROJECT_ROOT
from bot.knowledge.articles import parse_article
from bot.knowledge.citations import body_blocks, fact_kinds, split_sentences, strip_markers
from bot.knowledge.readability import grade
from bot.knowledge.render import answer_text, render_article, render_summary
from tests.test_handoff import champion_of

TODAY = dt.date(2026, 12, 6)


def article_text(
    summary: str = "You can ask for help [1].",
    body: str = "The council must decide within 6 weeks [1].",
    last_reviewed: str = "2026-11-22",
    verified: str = "",
) -> str:
    check = (
        f"\n    verified: {{date: {verified}, url: https://example.org/page}}" if verified else ""
    )
    return (
        textwrap.dedent(
            """\
        ---
        id: sample
        title: A sample article
        summary: {summary}
        sources:
          - title: Special Educational Needs and Disability Regulations 2014
            url: https://www.legislation.gov.uk/uksi/2014/1530/regulation/5
            section: regulation 5(1){check}
        last_reviewed: {last_reviewed}
        ---
        """
        ).format(summary=summary, last_reviewed=last_reviewed, check=check)
        + body
        + "\n"
    )


def problems_of(text: str) -> list[str]:
    _article, problems = parse_article(text, "knowledge/sample.md", TODAY)
    return [str(p) for p in problems]


# -- what needs a citation -----------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("The council has 6 weeks to decide.", ["deadline"]),
        ("You have at least fifteen days to comment.", ["deadline"]),
        ("At most 45 school days in a school year.", ["deadline"]),
        ("Contact them within 3 working days.", ["deadline"]),
        ("It lasts a 12-month period.", ["deadline"]),
        ("The fine is £80.", ["amount"]),
        ("Call Samaritans on 116 123.", ["phone number"]),
        ("Ring IPSEA on 0808 808 3555 today.", ["phone number"]),
        ("Childline 0800 1111: for children.", ["phone number"]),
        ("In danger, call 999.", ["phone number"]),
        ("Shout: text SHOUT to **85258**.", ["phone number"]),
        ("Schools must use their best endeavours.", ["duty"]),
        ("They must not charge you.", ["duty"]),
        ("It must decide within 16 weeks.", ["deadline", "duty"]),
    ],
)
def test_deadlines_amounts_phone_numbers_and_duties_need_a_source(
    sentence: str, kinds: list[str]
) -> None:
    assert fact_kinds(sentence) == kinds


@pytest.mark.parametrize(
    "sentence",
    [
        "After the last Friday in June of Year 11, the young person decides.",
        "Ask for education under section 19 of the Education Act 1996.",
        "See reg 5(1) and regulation 13(2).",
        "Plans can run for young people aged 16 to 25.",
        "The SEND Code of Practice 0 to 25 years explains it.",
        "Her son is 5 years old.",
        "Support for 16-year-olds differs.",
        "The plan must name a school before 15 February.".replace("must ", ""),
        "It is more than 2 miles away.",
        "From the sixth school day, work is set.",
    ],
)
def test_section_numbers_years_ages_and_dates_are_not_deadlines(sentence: str) -> None:
    assert fact_kinds(sentence) == []


def test_bullets_are_sentences_of_their_own_and_a_marker_after_the_stop_still_counts() -> None:
    body = "Timescales:\n\n- **6 weeks:** to decide\n- **20 weeks:** for the plan\n  in all\n\n## Must\n"
    assert body_blocks(body, 10) == [
        (10, "Timescales:"),
        (12, "**6 weeks:** to decide"),
        (13, "**20 weeks:** for the plan in all"),
    ]
    assert split_sentences("It must decide.[1] Then 6 weeks pass [2]. Done.") == [
        "It must decide.[1]",
        "Then 6 weeks pass [2].",
        "Done.",
    ]


# -- check refuses uncited facts -----------------------------------------------


def test_an_uncited_sentence_is_an_error_naming_its_file_and_line() -> None:
    body = "Some background.\n\n- fine\n- The council must decide within 6 weeks.\n"
    problems = problems_of(article_text(body=body))
    assert problems == [
        'knowledge/sample.md:14: sentence "The council must decide within 6 weeks." states '
        "a deadline and a duty but cites no source"
    ]


def test_an_uncited_summary_is_an_error_at_its_line() -> None:
    problems = problems_of(article_text(summary="Call 0808 808 3555 for advice."))
    assert problems == [
        'knowledge/sample.md:4: sentence "Call 0808 808 3555 for advice." states a phone '
        "number but cites no source"
    ]


def test_a_marker_past_the_sources_list_is_an_error() -> None:
    problems = problems_of(article_text(body="The council must decide within 6 weeks [2]."))
    assert problems == [
        "knowledge/sample.md:11: citation [2] points past the sources list "
        "(this article has 1 source)"
    ]


def test_each_sentence_needs_its_own_marker_but_plain_sentences_need_none() -> None:
    body = "Ask in writing. It must reply within 6 weeks [1]. The plan comes in 20 weeks."
    problems = problems_of(article_text(body=body))
    assert len(problems) == 1 and '"The plan comes in 20 weeks."' in problems[0]
    assert problems_of(article_text(body="Ask in writing, and keep a copy.")) == []


def test_last_reviewed_after_today_is_an_error() -> None:
    problems = problems_of(article_text(last_reviewed="2027-01-01"))
    assert problems == [
        "knowledge/sample.md:9: last_reviewed 2027-01-01 is after today: "
        "give the date a person last checked it"
    ]


def test_check_fails_with_one_line_per_uncited_sentence(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "sample.md").write_text(
        article_text(body="It must decide.\n\n- within 6 weeks\n- and £5 [3]\n")
    )
    checked = check_content(PROJECT_ROOT / "flows", knowledge, today=TODAY)
    mine = [e for e in checked.errors if e.startswith("knowledge/sample.md")]
    assert mine == [
        'knowledge/sample.md:11: sentence "It must decide." states a duty but cites no source',
        'knowledge/sample.md:13: sentence "within 6 weeks" states a deadline but cites no source',
        "knowledge/sample.md:14: citation [3] points past the sources list "
        "(this article has 1 source)",
    ]


# -- rendering -------------------------------------------------------------------


def test_the_full_article_numbers_its_sources_and_short_replies_drop_markers() -> None:
    article, _ = parse_article(
        article_text(summary="It must decide within 6 weeks [1]."), "knowledge/s.md", TODAY
    )
    assert article is not None
    full = render_article(article, "Sources:", "Not legal advice.")
    assert "The council must decide within 6 weeks [1]." in full
    assert "Sources:\n1. Special Educational Needs and Disability Regulations 2014, " in full
    short = render_summary(article, "Source: {source}")
    assert "It must decide within 6 weeks." in short and "[1]" not in short
    assert answer_text("Call 116 123 [2][3], any time [1].") == "Call 116 123, any time."
    assert strip_markers("See [the guide](https://example.org) [1].") == (
        "See [the guide](https://example.org)."
    )


# -- verified sources ----------------------------------------------------------


def test_sources_never_verified_or_verified_over_a_year_ago_are_warnings(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name, verified in (("never", ""), ("old", "2025-01-02"), ("fresh", "2026-12-01")):
        (knowledge / f"{name}.md").write_text(
            article_text(verified=verified).replace("id: sample", f"id: {name}")
        )
    checked = check_content(PROJECT_ROOT / "flows", knowledge, today=TODAY)
    assert [e for e in checked.errors if e.startswith("knowledge/")] == []
    sources = [w for w in checked.warnings if "source of" in w]
    assert sources == [
        "knowledge/never.md:6: warning: source of the article (Special Educational Needs and "
        "Disability Regulations 2014, regulation 5(1)) has never been verified",
        "knowledge/old.md:6: warning: source of the article (Special Educational Needs and "
        "Disability Regulations 2014, regulation 5(1)) was last verified 2025-01-02, "
        "over 12 months ago",
    ]
    assert checked.sources_total == (
        "sources: 1 of 3 verified in the last 12 months; 1 never verified, "
        "1 verified over 12 months ago"
    )


async def test_the_editor_lists_sources_to_check(app_and_client: tuple) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin")
    index = html.unescape((await admin.client.get("/console/content")).text)
    table = index.split('id="unverified"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>.*?</tr>", table, re.S)
    # article (answer), source, and when it was last verified: a date or "never"
    assert rows and all(re.search(r"<td>(never|\d{4}-\d\d-\d\d)</td></tr>$", r) for r in rows)
    assert any(r.endswith("<td>never</td></tr>") for r in rows)
    assert ">accessibility-plans</a>" in table
    assert "verified in the last 12 months" in index


# -- reading grades --------------------------------------------------------------


def test_grades_ignore_markers_and_hard_text_grades_high() -> None:
    easy = "The council must decide within 6 weeks."
    assert grade(easy + " [1]") == grade(easy) < 7
    hard = (
        "Notwithstanding the aforementioned considerations, the determination of eligibility "
        "necessitates comprehensive multidisciplinary evaluation of educational requirements."
    )
    assert grade(hard) > 10


def test_a_hard_answer_is_a_warning_not_an_error(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    text = article_text().replace(
        "last_reviewed: 2026-11-22",
        textwrap.dedent(
            """\
            last_reviewed: 2026-11-22
            answers:
              - id: hard-answer
                questions: [how long, how many weeks, what is the time limit]
                answer: >-
                  Notwithstanding the aforementioned considerations, determination of
                  eligibility necessitates comprehensive multidisciplinary evaluation.
                source:
                  title: Special Educational Needs and Disability Regulations 2014
                  url: https://www.legislation.gov.uk/uksi/2014/1530/regulation/5"""
        ),
    )
    (knowledge / "sample.md").write_text(text)
    checked = check_content(PROJECT_ROOT / "flows", knowledge, today=TODAY)
    assert not [e for e in checked.errors if "sample.md" in e]
    hard = [w for w in checked.warnings if "reads at grade" in w]
    assert len(hard) == 1
    assert hard[0].startswith("knowledge/sample.md:11: warning: answer 'hard-answer' reads at")
    lines = checked.readability.lines()
    assert lines[0].startswith("knowledge/sample.md: reading grade median ")
    assert lines[-1].startswith("reading grade: median ") and "1 above 10" in lines[-1]


def test_without_textstat_check_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "textstat", None)  # import textstat: ImportError
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "sample.md").write_text(article_text())
    checked = check_content(tmp_path / "flows", knowledge, today=TODAY)
    assert checked.readability.lines() == [
        "reading grade: not measured: textstat is not installed (pip install textstat==0.7.4)"
    ]


NO_NETWORK = """\
import socket

def _refuse(*args, **kwargs):
    raise OSError("network is off in this test")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def test_check_reports_grades_with_the_network_off_quickly(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(NO_NETWORK)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DATA_DIR": str(tmp_path / "data")}
    probe = (
        "import sys, socket\n"
        "from bot.__main__ import main\n"
        "try:\n    socket.create_connection(('pypi.org', 443))\n"
        "except OSError:\n    print('network off')\n"
        "sys.argv = ['bot', 'check']\n"
        "code = main()\n"
        "print('sklearn loaded' if 'sklearn' in sys.modules else 'no sklearn')\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "network off"
    assert any(
        line.startswith("knowledge/ehcp-timescales.md: reading grade median") for line in lines
    )
    assert any(line.startswith("reading grade: median ") for line in lines)
    assert any(line.startswith("sources: ") for line in lines)
    # Fast: scikit-learn alone takes about 3 seconds to import, and check needs none of it.
    assert lines[-1] == "no sklearn"
