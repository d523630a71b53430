"""A parent's conversation through `POST /api/chat`, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx

from tests.chat import Parent

MAIN_MENU = [
    "Your child's rights at school",
    "EHC plans",
    "Tell us what's happening",
    "Talk to a Parent Champion",
    "Drop-in sessions",
]


async def test_a_new_parent_is_greeted_with_a_privacy_notice(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.open_chat()
    assert "I'm Champion" in parent.text
    assert "Your privacy" in parent.text
    assert parent.buttons == [
        "OK, let's start",
        "Tell me more about privacy",
        "Just general information",
    ]


async def test_first_typed_message_also_gets_the_welcome(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.say("hi there")
    assert "I'm Champion" in parent.text
    assert parent.buttons == [
        "OK, let's start",
        "Tell me more about privacy",
        "Just general information",
    ]


async def test_a_first_message_that_is_a_question_is_answered_after_the_welcome(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.say("my son has been suspended from school for 3 days")
    assert "I'm Champion" in parent.replies[0]["text"]
    assert parent.replies[-1]["text"].startswith("**Suspensions and permanent exclusions**")


async def test_whole_conversation_through_the_menus(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    assert parent.buttons[:5] == MAIN_MENU

    await parent.press("EHC plans")
    assert "Education, Health and Care plan (EHCP)" in parent.text
    await parent.press("How do I ask for one?")
    # The key fact first, in one short message, with where it comes from.
    assert parent.text.startswith(
        "**Asking for an EHC needs assessment**\n\nYou can ask the council"
    )
    assert "Source: Children and Families Act 2014, section 36(1)" in parent.text
    assert parent.buttons[0] == "Read more"
    await parent.press("Read more")
    assert "You can ask yourself" in parent.text
    assert "**Where this comes from:**" in parent.text  # every source is listed
    assert "SEND Code of Practice 0 to 25 years (2015)" in parent.text
    assert parent.text.rstrip().endswith("This is general information, not legal advice.")
    assert "Work out my deadlines" in parent.buttons  # the step's own choices stay

    await parent.press("Work out my deadlines")
    assert "What date did the council get your request" in parent.text
    await parent.say("3 March 2025")
    assert "Monday 3 March 2025" in parent.text
    assert "**Monday 14 April 2025**" in parent.text  # 6 weeks
    assert "**Monday 23 June 2025**" in parent.text  # 16 weeks
    assert "**Monday 21 July 2025**" in parent.text  # 20 weeks
    assert "The 20-week date has passed" in parent.text

    await parent.press("Main menu")
    await parent.press("Your child's rights at school")
    await parent.press("What are reasonable adjustments?")
    assert "auxiliary aids" in parent.text  # in the summary itself
    await parent.press("Main menu")
    assert parent.buttons[:5] == MAIN_MENU


async def test_typing_a_button_label_or_its_number_works(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("ehc plans")
    assert "Education, Health and Care plan" in parent.text
    await parent.say("menu")
    await parent.say("1")
    assert "Equality Act 2010 protects disabled children" in parent.text


async def test_global_words_work_everywhere(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Work out my deadlines")

    await parent.say("help")  # mid-question: help, then the question again
    assert "**menu**" in parent.text and "**human**" in parent.text
    assert parent.replies[-1]["text"].startswith("What date did the council")

    await parent.say("back")
    assert "Education, Health and Care plan (EHCP) is a legal document" in parent.text

    await parent.say("Human")  # asks the area first, so the right champions see it
    assert "which council do you live in?" in parent.text

    await parent.say("MENU!")
    assert parent.buttons[:5] == MAIN_MENU

    await parent.say("stop")
    assert "Thank you for talking to Champion" in parent.text
    assert parent.buttons == []
    await parent.say("hello again")
    assert parent.buttons[:5] == MAIN_MENU

    await parent.say("/menu")
    assert parent.buttons[:5] == MAIN_MENU


async def test_back_at_the_start_says_so(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.open_chat()
    await parent.say("back")
    assert "We're at the start already" in parent.text
    assert "OK, let's start" in parent.buttons


async def test_state_is_kept_between_messages(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    await parent.say("9")
    await parent.press("Special school")
    await parent.press("Skip this question")
    await parent.say("He's being sent home at lunchtime")
    await parent.press("Done")
    for _ in range(2):
        await parent.press("Skip this question")
    await parent.say("Leeds")
    assert "- Age: 9" in parent.text
    assert "- School: Special school" in parent.text
    assert "- EHC plan: not given" in parent.text
    assert "- Worries: Exclusion or being sent home" in parent.text
    assert "- Council: Leeds" in parent.text


async def test_a_second_parent_has_their_own_conversation(client: httpx.AsyncClient) -> None:
    first, second = Parent(client), Parent(client)
    await first.at_main_menu()
    await first.press("EHC plans")
    await second.open_chat()
    assert "I'm Champion" in second.text
    await first.press("Main menu")
    assert first.buttons[:5] == MAIN_MENU


async def test_many_messages_from_one_parent_at_once_all_get_answers(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    bodies = [{"session": parent.session, "text": "help"} for _ in range(8)]
    responses = await asyncio.gather(
        *(client.post("/api/chat", json=b, headers=parent.auth) for b in bodies)
    )
    for response in responses:
        assert response.status_code == 200
        assert "**menu**" in response.json()["replies"][0]["text"]
    history = await parent.history()
    assert sum(1 for m in history if m["direction"] == "in" and m["text"] == "help") == 8


async def test_history_lets_a_reloaded_page_show_the_conversation(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    history = await parent.history()
    # What the parent pressed is recorded as the words on the button.
    assert [m["text"] for m in history if m["direction"] == "in"][-2:] == [
        "OK, let's start",
        "EHC plans",
    ]
    assert history[-1]["direction"] == "out"
    assert history[-1]["buttons"][0]["label"] == "How do I ask for one?"
