"""The draft-plan checker (issue #19): a parent's pasted Section F, a .docx or a PDF
comes back with each vague provision sentence quoted and what it lacks; every bad file
gets its own clear message; the upload needs the session's secret."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from bot.plan.checker import check_sentence, check_text
from bot.plan.reading import MAX_DOCX_PARAGRAPHS, PlanReadError, read_upload
from bot.plan.section_f import find_section_f
from tests.chat import Parent
from tests.plan_files import PLAN_LINES, SECTION_F, plan_docx, plan_pdf

VAGUE_ONE = SECTION_F[0]
SPECIFIC_ONE = SECTION_F[2]

# -- the rules ---------------------------------------------------------------


def test_vague_words_and_missing_details_are_named() -> None:
    finding = check_sentence(
        "Sam would benefit from regular opportunities to practise social skills."
    )
    assert finding.vague
    assert {"who", "frequency", "duration", "non_binding", "vague_words"} <= set(finding.gaps)
    assert "would benefit from" in finding.words and "regular" in finding.words


def test_specific_provision_is_fine() -> None:
    finding = check_sentence(SPECIFIC_ONE)
    assert not finding.vague and finding.gaps == ()


def test_a_teaching_assistant_without_training_lacks_a_qualification() -> None:
    finding = check_sentence("A teaching assistant will read with Sam for 20 minutes each day.")
    assert "qualification" in finding.gaps


@pytest.mark.parametrize(
    ("sentence", "vague"),
    [
        # Specific provision that happens to say "support", "monitor", "up to", "May"...
        ("Jo will have access to a trained ELSA for 30 minutes twice a week on her own.", False),
        ("The SENCO will monitor Jo's reading progress every half term.", False),
        (
            "Jo will be taught in a group of up to 4 pupils by a trained TA for 20 minutes daily.",
            False,
        ),
        (
            "From May 2026, a specialist teacher will teach Jo for one hour three times a week.",
            False,
        ),
        ("A therapist will see Jo individually for 30 minutes every fortnight.", False),
        (
            "A trained adult will sit with Jo during every lunchtime so that she could eat "
            "with other pupils.",
            False,
        ),
        # ...and the same words where who, how often or how long is missing.
        ("A trained TA will help Jo with dressing for PE where possible.", True),
        ("A trained adult will consider Jo's sensory needs when planning lessons.", True),
        ("The class teacher will monitor Jo's progress.", True),
        ("Jo will have up to 5 hours a week of support from a teaching assistant.", True),
        ("Regular sessions with the school counsellor.", True),
        ("Jo may require up to 10 sessions with the educational psychologist.", True),
    ],
)
def test_soft_words_are_vague_only_when_nothing_pins_them_down(sentence: str, vague: bool) -> None:
    assert check_sentence(sentence).vague is vague


@pytest.mark.parametrize(
    ("sentence", "vague"),
    [
        # How often, said in other ways: a block of sessions in a term, every six
        # months, before each new topic.
        (
            "An HCPC-registered occupational therapist will give Sam a block of 6 sessions "
            "of 45 minutes, 1:1, in the spring term.",
            False,
        ),
        ("A dietitian will review Sam's eating plan for one hour every six months.", False),
        ("Sam's TA will pre-teach new words for 15 minutes before each new topic, 1:1.", False),
        # Whenever the thing happens: all written tasks, all examinations, all personal care.
        ("Sam will use a writing slope for all written tasks.", False),
        ("Sam will have 25% extra time in all examinations, with a trained reader.", False),
        ("A trained TA will support Sam 1:1 for all personal care.", False),
        ("Sam will use his radio aid across the curriculum.", False),
        # A session says how long: how often alone is not enough.
        ("Sam will see the school counsellor weekly.", True),
        ("A trained TA will work with Sam on his reading three times a week.", True),
        ("A trained TA will meet Sam at the school gate every morning.", False),
        # Hedges the council could hide behind.
        ("Where resources allow, a TA will read with Sam 1:1 for 20 minutes each day.", True),
        ("If available, a mentor will meet Sam for 30 minutes each week.", True),
        ("A teaching assistant will work with Sam 1:1 for 20 minutes daily if required.", True),
        ("A trained adult will be with Sam throughout the day if he needs one.", True),
        # Table shorthand, and whenever the thing happens, in more words.
        ("Spelling programme (Units of Sound): 25 mins, 3 x week, 1:1 with a trained HLTA.", False),
        (
            "Sam will be given 25% extra time, a separate room and a reader in all internal "
            "and external exams, organised by the exams officer.",
            False,
        ),
        (
            "Sam will be taught in a class of no more than 8 pupils, with a qualified teacher "
            "and two TAs, for the whole school week.",
            False,
        ),
        (
            "Sam will attend a 30-minute nurture group with 5 other children, run by a trained "
            "practitioner, every afternoon.",
            False,
        ),
        # "1:1 sessions" says who is in the room, not how long; "for 6 weeks" how long the
        # block runs, not each session.
        ("Sam will have regular 1:1 sessions with a trained learning mentor each week.", True),
        ("A trained ELSA will see Sam 1:1 every week for 6 weeks.", True),
        # A group with no size, a group or visit with no length, support by nobody named.
        ("A trained HLTA will run a 30-minute Lego therapy group for Sam twice weekly.", True),
        ("Sam will attend a social skills group run by the ELSA every week.", True),
        # A visit needs saying how many or how often, not how long (it is not a lesson).
        ("Sam will have extra visits to his new school before transfer.", True),
        ("An advisory teacher will visit the nursery twice a term to observe Sam.", False),
        ("Sam will have 1:1 support for 25 hours a week.", True),
        # Done once or kept in place, pinned to a date, a time or every occasion: specific
        # without a frequency. Left open, it is not.
        (
            "A hoist will be installed in the accessible toilet before Sam starts in September.",
            False,
        ),
        ("Sam will arrive at 8.55am via the office entrance, where his TA will meet him.", False),
        ("All staff will complete Makaton Level 1 training by the end of the autumn term.", False),
        ("Staff will be trained in understanding autism.", True),
        # The child's permission is not a hedge; "may need" is.
        (
            "Sam may leave any lesson with his exit card and go to the Hub, where a TA will be.",
            False,
        ),
        ("Sam may need help to organise his equipment.", True),
        # Caps that protect the child, and places and papers that only mention support.
        ("Sam may leave any lesson for up to 10 minutes to go to the Hub with his TA.", False),
        ("Exams: 25% extra time in a separate room with up to 5 candidates.", False),
        (
            "Whenever there is a supply teacher, Sam will spend that lesson in the learning "
            "support room with Mrs Ali.",
            False,
        ),
        ("A TA will accompany Sam at lunchtimes for up to 45 minutes.", True),
        # The review's cases: a heading or lead-in does not hide the provision after it;
        # staff's "may" is a hedge; "most lessons", "most days" and a paragraph number are
        # not how often; abstract padding is not detail; year and tutor groups are no
        # unsized group; "to support his handwriting" is a purpose, not support given.
        ("Section F: Sam should have some support in class where possible.", True),
        ("Sam will receive the following provision: therapy when needed.", True),
        ("Staff may choose to offer Sam a movement break.", True),
        ("Sam will have a TA in most lessons.", True),
        ("Sam will have a sensory break on most days.", True),
        ("3.12 Sam will receive therapy from a qualified SaLT for 30 minutes.", True),
        (
            "Sam's teachers will adapt the curriculum to his needs and make sure that he is "
            "included in the life of the school.",
            True,
        ),
        ("Sam will be taught with his year group in all lessons by his class teacher.", False),
        ("Sam will have a writing slope to support his handwriting in all lessons.", False),
        # Headings and needs are not provision to check.
        ("Section F: Communication and interaction", False),
        ("Sam's receptive language is at the level of a typical four-year-old.", False),
    ],
)
def test_how_often_how_long_and_hedges_said_in_other_ways(sentence: str, vague: bool) -> None:
    assert check_sentence(sentence).vague is vague


def test_needs_outcomes_and_views_in_section_f_are_not_checked_as_provision() -> None:
    section = "\n".join(
        [
            "Sam has a diagnosis of autism and a speech sound disorder.",
            "Sam finds it hard to join in with games at playtime.",
            "By the end of Year 4, Sam will be able to read a short book on his own.",
            "Outcome: Sam will ask an adult for help when he is stuck.",
            "Sam's parents would like him to make a friend in his class.",
            "Sam has difficulty with handwriting and would benefit from a laptop.",
            "Sam struggles to settle, so a trained TA will meet him for 10 minutes each morning.",
        ]
    )
    checked = check_text(section).findings
    # Only the last two say what Sam is given; the first is a hedge, the second is fine.
    assert [(f.sentence[:20], f.vague) for f in checked] == [
        ("Sam has difficulty w", True),
        ("Sam struggles to set", False),
    ]
    assert "non_binding" in checked[0].gaps
    assert not check_sentence("Sam has a diagnosis of autism and a speech sound disorder.").vague


# -- reading files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plan.txt", "\n".join(PLAN_LINES).encode()),
        ("plan.docx", plan_docx()),
        ("plan.docx", plan_docx(in_table=False)),
        ("plan.pdf", plan_pdf()),
        ("plan.pdf", plan_pdf(encrypt="")),  # locked against editing only
    ],
)
def test_section_f_is_found_in_text_docx_and_pdf(name: str, data: bytes) -> None:
    section = find_section_f(read_upload(name, data).text)
    assert section.found
    assert "Section G" not in section.text and "paediatrician" not in section.text
    result = check_text(section.text)
    assert [f.vague for f in result.findings] == [True, True, False, False]


def _docx_with_paragraphs(count: int) -> bytes:
    document = docx.Document()
    for _ in range(count):
        document.add_paragraph("x")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/padding.bin", b"\0" * (51 * 1024 * 1024))
    return out.getvalue()


BAD_FILES = [
    ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "too_large"),
    ("long.pdf", plan_pdf([["Page text for a long plan, with words."]] * 61), "too_many_pages"),
    ("bomb.docx", _zip_bomb(), "docx_too_big"),
    ("many.docx", _docx_with_paragraphs(MAX_DOCX_PARAGRAPHS + 1), "docx_too_many_paragraphs"),
    ("locked.pdf", plan_pdf(encrypt="secret"), "encrypted"),
    ("scan.pdf", plan_pdf([[""]]), "no_text"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "doc"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, "image"),
    ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "unreadable"),
    ("sheet.xlsx.zip", b"PK\x03\x04broken", "unreadable"),
    ("data.bin", b"\x00\x01\x02", "unknown_type"),
]


@pytest.mark.parametrize(("name", "data", "problem"), BAD_FILES, ids=[b[2] for b in BAD_FILES])
def test_each_bad_file_is_refused_with_its_reason(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(PlanReadError) as refused:
        read_upload(name, data)
    assert refused.value.problem == problem


def test_a_30_page_plan_is_checked_within_2_seconds() -> None:
    page = [*PLAN_LINES[9:14]] * 6
    data = plan_pdf([page] * 30)
    started = time.perf_counter()
    text = read_upload("plan.pdf", data).text
    result = check_text(find_section_f(text).text)
    assert time.perf_counter() - started < 2.0
    assert result.vague


# -- the chat ----------------------------------------------------------------


async def _at_plan_question(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.say("can you check section F of my son's draft plan")
    assert "paste the text of Section F" in parent.text


async def test_pasted_section_f_is_checked_in_the_chat(client) -> None:
    parent = Parent(client)
    await _at_plan_question(parent)
    await parent.say("\n".join(SECTION_F))
    text = parent.text
    assert f'"{VAGUE_ONE}"' in text and "Ask them to add: who will give it" in text
    assert "what good looks like" in text and SPECIFIC_ONE in text
    assert "9.69" in text and "Worcestershire" in text
    # Then the comments letter is offered (tests/test_plan_letter.py), then a person.
    assert "a letter of comments" in text and "No letter for now" in parent.buttons
    await parent.press("No letter for now")
    assert "Talk to a Parent Champion" in parent.buttons


async def test_the_ehc_plans_menu_offers_the_check(client) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Check my draft plan")
    assert "paste the text of Section F" in parent.text


async def test_without_agreement_the_plan_is_not_read_or_kept(app_and_client) -> None:
    from bot.store import conversations as store

    app, client = app_and_client
    parent = Parent(client)
    await parent.open_chat()
    await parent.press("Just general information")
    await parent.say("check my draft plan")
    assert "Is that OK?" in parent.text  # asked to agree first
    await parent.say("\n".join(SECTION_F))
    database = app.state.services.database
    entries = await database.read(store.transcript, "web", parent.session)
    assert not any(VAGUE_ONE in (e.text or "") for e in entries)
    variables = await database.read(store.conversation_variables, "web", parent.session)
    assert not any(VAGUE_ONE in str(value) for value in (variables or {}).values())


async def test_after_the_check_the_plan_text_itself_is_not_kept(app_and_client) -> None:
    from bot.store import conversations as store

    app, client = app_and_client
    parent = Parent(client)
    await _at_plan_question(parent)
    await parent.say("\n".join(SECTION_F))
    database = app.state.services.database
    variables = await database.read(store.conversation_variables, "web", parent.session)
    assert not (variables or {}).get("plan_text")


@pytest.mark.parametrize(
    ("name", "data", "media"),
    [
        (
            "plan.docx",
            plan_docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("plan.pdf", plan_pdf(), "application/pdf"),
    ],
)
async def test_an_uploaded_plan_is_checked(client, name: str, data: bytes, media: str) -> None:
    parent = Parent(client)
    await _at_plan_question(parent)
    response = await client.post(
        "/api/chat/upload",
        data={"session": parent.session},
        files={"file": (name, data, media)},
        headers=parent.auth,
    )
    assert response.status_code == 200, response.text
    text = "\n".join(r["text"] for r in response.json()["replies"])
    assert f'"{VAGUE_ONE}"' in text and "paediatrician" not in text


async def test_an_upload_needs_the_session_secret(client) -> None:
    parent = Parent(client)
    await _at_plan_question(parent)
    files = {"file": ("plan.pdf", plan_pdf(), "application/pdf")}
    for headers in ({}, {"Authorization": "Bearer " + "A" * 43}):
        refused = await client.post(
            "/api/chat/upload", data={"session": parent.session}, files=files, headers=headers
        )
        assert refused.status_code == 401
        assert refused.json()["replies"][0]["text"]
    unknown = await client.post(
        "/api/chat/upload", data={"session": "nobody-knows-this"}, files=files, headers=parent.auth
    )
    assert unknown.status_code == 401


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("locked.pdf", plan_pdf(encrypt="secret"), 422, "locked with a password"),
        ("scan.pdf", plan_pdf([[""]]), 422, "scan"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, 422, ".doc"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, 422, "picture"),
        ("shopping.txt", b"Milk, eggs, bread and butter for the week ahead.", 422, "EHC plan"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10), 413, "10 MB"),
    ],
)
async def test_a_bad_upload_gets_its_message(
    client, name: str, data: bytes, status: int, words: str
) -> None:
    parent = Parent(client)
    await _at_plan_question(parent)
    response = await client.post(
        "/api/chat/upload",
        data={"session": parent.session},
        files={"file": (name, data, "application/octet-stream")},
        headers=parent.auth,
    )
    assert response.status_code == status, response.text
    assert words in response.json()["replies"][0]["text"]


async def test_a_body_far_over_the_cap_is_refused_before_reading(client) -> None:
    parent = Parent(client)
    await _at_plan_question(parent)
    response = await client.post(
        "/api/chat/upload",
        content=b"x" * (12 * 1024 * 1024),
        headers={**parent.auth, "Content-Type": "multipart/form-data; boundary=zz"},
    )
    assert response.status_code == 413


async def test_an_upload_away_from_the_plan_question_says_where_to_start(client) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    response = await client.post(
        "/api/chat/upload",
        data={"session": parent.session},
        files={"file": ("plan.pdf", plan_pdf(), "application/pdf")},
        headers=parent.auth,
    )
    assert response.status_code == 409
    assert "Check my draft plan" in response.json()["replies"][0]["text"]


async def test_a_plan_sent_as_a_telegram_document_is_checked(settings) -> None:
    from tests.test_telegram import TelegramParent, telegram_app

    async with telegram_app(settings) as (_app, fake):
        parent = TelegramParent(fake, 4711)
        parent.say("/start")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("check my draft plan")
        await parent.expect("paste the text of Section F")
        fake.add_document(parent.chat_id, "plan.pdf", plan_pdf())
        found = await parent.expect("not clear enough")
        assert VAGUE_ONE in found["text"] and "paediatrician" not in found["text"]
        await parent.press("No letter for now")  # the comments letter: tests/test_plan_letter.py
        await parent.press("Check another part")
        await parent.expect("paste the text of Section F")
        fake.add_document(parent.chat_id, "locked.pdf", plan_pdf(encrypt="secret"))
        await parent.expect("locked with a password")
