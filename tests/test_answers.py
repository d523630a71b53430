"""A parent's question gets its fact first: the reply a parent sees through /api/chat."""

from __future__ import annotations

import httpx
import pytest

from tests.chat import Parent

SIX_WEEKS = "how long does the council have to decide if they will assess my son for an ehcp"


async def test_a_specific_question_gets_its_fact_first_with_source_and_next_steps(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    replies = await parent.say(SIX_WEEKS)
    answer = replies[0]
    assert answer["kind"] == "answer"
    assert "6 weeks" in answer["text"].split("\n")[0]  # the fact is the first line
    assert (
        "Source: Special Educational Needs and Disability Regulations 2014, regulation 5(1)"
        in (answer["text"])
    )
    assert answer["sources"][0]["url"] == (
        "https://www.legislation.gov.uk/uksi/2014/1530/regulation/5"
    )
    labels = [b["label"] for b in answer["buttons"]]
    assert labels[0] == "Read more"
    assert labels[-1] == "Talk to a person"
    # "Read more" is the whole article the answer comes from.
    await parent.press("Read more")
    assert parent.text.startswith("**EHC plan timescales**")
    assert parent.text.rstrip().endswith("This is general information, not legal advice.")


async def test_context_first_and_the_question_last(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(
        "Hi, my son is 9 and autistic, he's in year 4 and really struggling. School have "
        "been brilliant but say he needs more help than they can give. We sent the council "
        "a letter asking for an EHC needs assessment at the start of March. how long do "
        "they have to tell us if they will do it"
    )
    assert parent.replies[0]["kind"] == "answer"
    assert "6 weeks" in parent.replies[0]["text"]


async def test_two_questions_answer_the_first_and_offer_the_second(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(
        "how long does the council have to decide whether to assess? "
        "and when should we get the final ehc plan?"
    )
    first = parent.replies[0]
    assert first["kind"] == "answer"
    assert "6 weeks" in first["text"]
    assert "20 weeks" not in first["text"]
    # The second question waits behind a button of its own.
    second = [b for b in first["buttons"] if b["payload"] == "answer:final-plan-20-weeks"]
    assert second, [b["label"] for b in first["buttons"]]
    await parent.send(payload=second[0]["payload"])
    assert "20 weeks" in parent.replies[0]["text"]


async def test_a_question_we_cannot_answer_never_gets_an_unrelated_fact(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for question in (
        "what is the law on ehcps in scotland",
        "how do i get a blue badge for my car",
        "can you recommend a dentist in york for autistic kids",
    ):
        replies = await parent.say(question)
        first = replies[0]
        assert first.get("kind") != "answer", first["text"]
        honest = ("don't know", "Are you asking about", "I can't help with that")
        assert any(words in first["text"] for words in honest), first["text"]
        assert {"Talk to a person", "Talk to a Parent Champion"} & {
            b["label"] for b in first["buttons"]
        }


async def test_are_you_asking_about_leads_to_the_answer_chosen(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.send(payload="answer:assessment-decision-6-weeks")
    assert "6 weeks" in parent.replies[0]["text"]
    # An answer that no longer exists (content changed) is a stale button, not an error.
    await parent.send(payload="answer:no-longer-here")
    assert "earlier step" in parent.text


async def test_typed_requests_still_go_to_their_flows(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("can you help me write a letter to the council")
    assert "Which letter would you like?" in parent.text
    await parent.say("menu")
    await parent.say("how do I book a drop in session")
    assert "Drop-in sessions are run by Parent Champions" in parent.text
    await parent.say("menu")
    await parent.say("can I speak to a real person please")
    assert "Parent Champion" in parent.text
    assert parent.replies[0].get("kind") != "answer"


CRISIS_AND_QUESTION = [
    "We asked for an assessment in May. Last night he said he wants to kill himself. "
    "How long does the council have to decide whether to assess him?",
    # No full stop between them, as parents write in a hurry: the crisis clause carries
    # the risk, and the question after "and" is still answered.
    "my son has taken a whole packet of paracetamol and i need to know how long the "
    "council has to decide whether to assess him",
]


@pytest.mark.parametrize("message", CRISIS_AND_QUESTION)
async def test_a_crisis_with_a_question_gets_the_numbers_then_the_fact(
    client: httpx.AsyncClient, message: str
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(message)
    assert parent.replies[0]["kind"] == "crisis"
    answers = [r for r in parent.replies if r.get("kind") == "answer"]
    assert answers and "6 weeks" in answers[0]["text"], parent.text


async def test_helpline_numbers_are_answered_not_refused(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for question, number in (
        ("what's the number for childline", "0800 1111"),
        ("what is the phone number for Contact the charity", "0808 808 3555"),
        ("samaritans number", "116 123"),
    ):
        replies = await parent.say(question)
        assert replies[0].get("kind") == "answer", replies[0]["text"]
        assert number in replies[0]["text"]


async def test_everyday_words_and_text_speak_do_not_make_a_question_unknown(
    client: httpx.AsyncClient,
) -> None:
    # "bcos" and "fobbing" are in no article; they are how parents write, not a sign the
    # question is off topic (before, both got "I'm sorry, I don't know that one").
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("council wont assess him bcos he has no diagnosis yet, can they do that")
    assert parent.replies[0]["kind"] == "answer", parent.text
    assert "diagnosis" in parent.replies[0]["text"].split("\n")[0]
    await parent.say("hw do i ask for an ehcp, the senco keeps fobbing me off")
    assert parent.replies[0]["kind"] == "answer", parent.text
