"""`python -m bot check` refuses answer cards a parent could be misled by, one line each."""

from __future__ import annotations

from pathlib import Path

from tests.test_check_command import copy_content, run_check

CARD = """  - id: {id}
    questions:
      - {question} one
      - {question} two
      - {question} three
    answer: {answer}
    source:
      title: Special Educational Needs and Disability Regulations 2014
      url: https://www.legislation.gov.uk/uksi/2014/1530/regulation/5
      section: regulation 5(1)
    follow_ups: [{follow_ups}]
"""


def add_cards(knowledge: Path, cards: str, article: str = "ehcp-timescales.md") -> None:
    path = knowledge / article
    text = path.read_text()
    if "\nanswers:\n" in text:
        text = text.replace("\nanswers:\n", "\nanswers:\n" + cards, 1)
    else:
        head, _, body = text.partition("\n---\n")
        text = f"{head}\nanswers:\n{cards}---\n{body}"
    path.write_text(text)


def card(**fields: str) -> str:
    values = {
        "id": "test-card",
        "question": "when does the council decide",
        "answer": "The council must decide within 6 weeks.",
        "follow_ups": "",
    } | fields
    return CARD.format(**values)


def test_the_shipped_cards_pass_and_are_counted(tmp_path: Path) -> None:
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout
    counted = result.stdout.split("articles (")[1].split(" answers")[0]
    assert int(counted) >= 2


def test_an_answer_id_used_twice_is_refused_at_its_line(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    add_cards(knowledge, card(id="same-id"), "mediation.md")
    add_cards(knowledge, card(id="same-id"), "complaints.md")
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    assert "knowledge/mediation.md:" in result.stdout or "knowledge/complaints.md:" in result.stdout
    assert "answer id 'same-id' is used twice" in result.stdout


def test_an_answer_over_60_words_is_refused(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    long_answer = " ".join(["word"] * 61)
    add_cards(knowledge, card(id="too-long", answer=long_answer))
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "61 words" in x)
    assert line.startswith("knowledge/ehcp-timescales.md:")
    assert "at most 60" in line
    # The line named is the card's own `id:` line.
    number = int(line.split(":")[1])
    shown = (knowledge / "ehcp-timescales.md").read_text().splitlines()[number - 1]
    assert "id: too-long" in shown


def test_an_answer_without_a_source_is_refused(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    sourceless = card(id="no-source").split("    source:")[0] + "    follow_ups: []\n"
    add_cards(knowledge, sourceless)
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    assert "answers.0.source: Field required" in result.stdout


def test_a_follow_up_that_no_card_answers_is_refused(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    add_cards(knowledge, card(id="lonely", follow_ups="no-such-answer"))
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    assert "answer 'lonely' follows up with no-such-answer, which no article answers" in (
        result.stdout
    )


def test_a_card_needs_three_phrasings(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    two = card(id="two-ways").replace("      - when does the council decide three\n", "")
    add_cards(knowledge, two)
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    assert "answers.0.questions: List should have at least 3 items" in result.stdout
