"""Finding the question in a parent's message, and saying so when no card covers it."""

from __future__ import annotations

import httpx
import pytest

from bot.config import load_settings
from bot.knowledge.answer_index import AnswerHit, AnswerIndex
from bot.knowledge.articles import load_library
from bot.reading.answering import decide
from bot.reading.questions import question_sentences
from bot.reading.sentences import split_sentences
from tests.chat import Parent


def asked(text: str) -> list[str]:
    return [q.text for q in question_sentences(split_sentences(text))]


@pytest.mark.parametrize(
    "text",
    [
        # A relative clause is not a question, whatever its first word.
        "We need a ramp for our daughter, who has cerebral palsy and cannot manage the stairs",
        "Our son, who is 8 and autistic, has been in the same class since reception",
        "He moved to a new school, which is much further away",
        "When he was 5 he got an EHCP",
        "We saw the OT, whose report said he needs help",
        "Where he goes now they don't have a SENCO",
        # Statements with a modal inside are not questions.
        "my son is 8 and he can read well",
        "School won't let her wear her ear defenders in assembly",
        # "is that" carrying a statement on is not the short question at the end.
        "the problem is that the school won't listen to anything i say about his needs",
        "u wouldnt believe the week we have had",
    ],
)
def test_statements_and_relative_clauses_do_not_ask(text: str) -> None:
    assert asked(text) == []


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("who do i complain to", "who do i complain to"),
        ("Who is responsible for the transport", "Who is responsible for the transport"),
        ("which school should we choose", "which school should we choose"),
        ("when is the deadline for the appeal", "when is the deadline for the appeal"),
        ("I'm wondering if he can get an ehcp", "I'm wondering if he can get an ehcp"),
        ("not sure whether i should appeal", "not sure whether i should appeal"),
        ("any advice would be great", "any advice would be great"),
        ("contact helpline numbr pls", "contact helpline numbr pls"),
        (
            "he has been too ill to go to school since october, whose job is it",
            "whose job is it",
        ),
        ("He is 8 and autistic?", "He is 8 and autistic?"),
        # A question after what it is about, with no punctuation: short, the whole of it.
        (
            "my last day for the tribunal apeal is a saturday what happens then",
            "my last day for the tribunal apeal is a saturday what happens then",
        ),
        (
            "my sons got an ehcp so does he get free transport",
            "my sons got an ehcp so does he get free transport",
        ),
        # The relative clause is skipped; the question after it is found.
        (
            "our son has adhd, which is why he struggles, can they exclude him for that",
            "can they exclude him for that",
        ),
        (
            "Our daughter, who has cerebral palsy and cannot manage the stairs, has been "
            "given a classroom upstairs, is the school allowed to do that",
            "is the school allowed to do that",
        ),
    ],
)
def test_questions_are_found(text: str, question: str) -> None:
    assert asked(text) == [question]


@pytest.mark.parametrize(
    "text",
    [
        # Text speak: the question words spelled the quick way.
        "hw do i ask for an ehcp",
        "cn the school send him home every lunchtime",
        "wot do i do now the council said no",
        "wen shud i tell them which college she wants",
        # A short "is that ..." or "what now" closing a statement.
        "they sent him home at 11 today is that an exclusion",
        "school say its his behaviour not his autism is tht right",
        "the council said no to assessing him what now",
    ],
)
def test_questions_in_text_speak_or_closing_a_statement_are_found(text: str) -> None:
    assert asked(text) == [text]


def test_text_speak_mid_way_through_a_long_run_on_is_cut_where_it_starts() -> None:
    text = (
        "my daughter is 9 and has dyspraxia and has been on sen support for three years "
        "and the school keep saying she is fine cn they refuse to let me ask for an assessment"
    )
    assert asked(text) == ["cn they refuse to let me ask for an assessment"]


def test_a_long_run_on_is_asked_from_where_its_question_starts() -> None:
    text = (
        "my son is 12 and has adhd and dyslexia and he has been on sen support since year 3 "
        "and nothing has really changed and the senco keeps saying they are doing their best "
        "so will the council assess him if i ask them myself"
    )
    assert asked(text) == ["will the council assess him if i ask them myself"]


@pytest.fixture(scope="module")
def index() -> AnswerIndex:
    return AnswerIndex.cached(load_library(load_settings().knowledge_dir))


def test_words_the_knowledge_base_never_uses_are_unknown_but_typos_are_not(
    index: AnswerIndex,
) -> None:
    assert index.unknown_words("how do i apply for a blue badge in birmingham") == [
        "blue",
        "badge",
        "birmingham",
    ]
    assert index.unknown_words("how long do i hav to apeal the councils decison") == []


def test_an_unknown_word_needs_a_stronger_match_to_be_answered() -> None:
    hits = [AnswerHit("a", 0.3), AnswerHit("b", 0.1)]
    assert decide(hits) == "answer"
    assert decide(hits, unknown=1) == "unknown"
    assert decide([AnswerHit("a", 0.45)], unknown=1) == "answer"


async def test_a_relative_clause_in_a_long_message_does_not_hide_its_question(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(
        "Hi, we asked the council to assess our daughter, who has cerebral palsy and "
        "cannot manage the stairs, back in early March. how long do they have to decide "
        "whether to assess her"
    )
    answers = [r for r in parent.replies if r.get("kind") == "answer"]
    assert answers and "6 weeks" in answers[0]["text"], parent.text


async def test_a_question_in_text_speak_gets_the_fact_not_the_topic_overview(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    replies = await parent.say("hw long do i have 2 appeal the councils decision")
    assert replies[0].get("kind") == "answer", parent.text
    assert "2 months" in replies[0]["text"], replies[0]["text"]


async def test_a_question_about_something_we_do_not_cover_is_not_answered(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for question in (
        "Can you recommend a good weighted blanket to help my son sleep?",
        "What are the opening hours of Birmingham council's SEND team office?",
    ):
        replies = await parent.say(question)
        assert replies[0].get("kind") != "answer", replies[0]["text"]
