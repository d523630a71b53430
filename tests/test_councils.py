"""Councils (knowledge/local_authorities.yml): the record's shape, lookups on a date
(Surrey's reorganisation on 1 April 2027), and the local help triage ends with."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.check import check_content
from bot.config import PROJECT_ROOT
from bot.core.actions import ActionContext
from bot.core.content import Content
from bot.triage.local_authorities import (
    LocalAuthority,
    council_problems,
    load_local_authorities,
    read_councils,
)
from bot.triage.referral import triage_referral_action
from tests.chat import Parent

COUNCILS = PROJECT_ROOT / "knowledge" / "local_authorities.yml"
LAS = load_local_authorities(COUNCILS)
BEFORE = dt.date(2027, 3, 31)  # Surrey County Council's last day
AFTER = dt.date(2027, 4, 1)  # East Surrey and West Surrey's first day
GOOD = (
    "  - {id: leeds, name: Leeds, full_name: Leeds City Council, region: Yorkshire and the Humber}"
)


# -- the record's shape ---------------------------------------------------------


def test_the_shipped_file_is_valid_and_every_council_has_an_id_and_full_name() -> None:
    assert council_problems(COUNCILS) == []
    assert all(la.id and la.full_name for la in LAS.authorities)
    assert LAS.by_name("Leeds").full_name == "Leeds City Council"
    assert LAS.by_name("Barnet").full_name == "London Borough of Barnet"
    assert LAS.by_name("Greenwich").full_name == "Royal Borough of Greenwich"


def test_every_link_and_number_was_checked_on_a_date() -> None:
    for la in LAS.authorities:
        if la.local_offer or la.sendiass_url or la.sendiass_phone:
            assert la.verified is not None, la.name
            assert all(u.startswith("https://") for u in (la.local_offer, la.sendiass_url) if u)


def write(tmp_path: Path, *records: str) -> Path:
    path = tmp_path / "local_authorities.yml"
    path.write_text("local_authorities:\n" + "\n".join(records) + "\n")
    return path


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: South East,"
            " website: https://www.kent.gov.uk}",
            "local_authorities[1] (Kent).website: unknown key",
        ),
        (
            "  - {id: Kent CC, name: Kent, full_name: Kent County Council, region: South East}",
            "local_authorities[1] (Kent).id: 'Kent CC' is not lower-case-hyphens",
        ),
        (
            "  - {id: kent, name: Kent, region: South East}",
            "local_authorities[1] (Kent).full_name: missing",
        ),
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: Kentshire}",
            "local_authorities[1] (Kent).region: Input should be",
        ),
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: South East,"
            " local_offer: https://www.kent.gov.uk/send}",
            "local_authorities[1] (Kent): local_offer and sendiass need `verified: <date>`",
        ),
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: South East,"
            " verified: 2026-12-06, local_offer: www.kent.gov.uk/send}",
            "local_authorities[1] (Kent).local_offer: 'www.kent.gov.uk/send' is not a web "
            "address starting https://",
        ),
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: South East,"
            " verified: 2026-12-06, sendiass: {url: https://www.iask.org.uk, phone: call us}}",
            "local_authorities[1] (Kent).sendiass.phone: 'call us' is not a UK phone number",
        ),
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: South East,"
            " verified: 2026-12-06, sendiass: {url: https://www.iask.org.uk, email: a@b.c}}",
            "local_authorities[1] (Kent).sendiass.email: unknown key (sendiass has url and phone)",
        ),
        (
            "  - {id: kent, name: Kent, full_name: Kent County Council, region: South East,"
            " valid_from: 2027-04-01, valid_to: 2027-03-31}",
            "local_authorities[1] (Kent): valid_to is before valid_from",
        ),
        (
            "  - {id: leeds, name: Leeds Again, full_name: Leeds City Council,"
            " region: Yorkshire and the Humber}",
            "local_authorities: two councils have the id 'leeds'",
        ),
    ],
)
def test_a_bad_record_is_one_line_naming_the_council(
    tmp_path: Path, record: str, problem: str
) -> None:
    problems = council_problems(write(tmp_path, GOOD, record))
    assert len(problems) == 1, problems
    assert "\n" not in problems[0]
    assert problems[0].startswith("knowledge/local_authorities.yml: ")
    assert problem in problems[0], problems


def test_the_good_records_still_load_beside_a_bad_one(tmp_path: Path) -> None:
    bad = "  - {id: kent, name: Kent, region: South East}"
    authorities, problems = read_councils(write(tmp_path, GOOD, bad))
    assert [la.name for la in authorities.authorities] == ["Leeds"]
    assert len(problems) == 1


def test_check_reports_a_bad_council_record(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    path = knowledge / "local_authorities.yml"
    path.write_text(
        path.read_text().replace(
            "full_name: Kent County Council,", "full_name: Kent County Council, phone: 0300,"
        )
    )
    result = check_content(PROJECT_ROOT / "flows", knowledge)
    council_lines = [e for e in result.errors if e.startswith("knowledge/local_authorities.yml")]
    kent = [la.name for la in LAS.authorities].index("Kent")
    assert council_lines == [
        f"knowledge/local_authorities.yml: local_authorities[{kent}] (Kent).phone: unknown key "
        "(a council has id, name, full_name, aliases, region, local_offer, sendiass, "
        "verified, valid_from, valid_to)"
    ]


# -- lookups on a date (Surrey, 1 April 2027) -------------------------------------


def names(found: list[LocalAuthority]) -> list[str]:
    return [la.name for la in found]


def test_surrey_is_surrey_county_council_until_31_march_2027() -> None:
    assert names(LAS.find("Surrey", on=BEFORE)) == ["Surrey"]
    assert names(LAS.find("surrey county council", on=BEFORE)) == ["Surrey"]
    assert names(LAS.find("Guildford", on=BEFORE)) == ["Surrey"]
    assert names(LAS.find("we live in Epsom", on=BEFORE)) == ["Surrey"]
    assert LAS.find("Surrey", on=BEFORE)[0].full_name == "Surrey County Council"
    assert names(LAS.find("East Surrey", on=BEFORE)) != ["East Surrey"]


def test_from_1_april_2027_surrey_offers_the_two_new_councils() -> None:
    assert names(LAS.find("Surrey", on=AFTER)) == ["East Surrey", "West Surrey"]
    assert names(LAS.find("surrey county council", on=AFTER)) == ["East Surrey", "West Surrey"]


@pytest.mark.parametrize(
    ("town", "council"),
    [
        ("Guildford", "West Surrey"),
        ("Woking", "West Surrey"),
        ("Surrey Heath", "West Surrey"),
        ("Spelthorne", "West Surrey"),
        ("Epsom", "East Surrey"),
        ("Reigate", "East Surrey"),
        ("Elmbridge", "East Surrey"),
        ("Tandridge", "East Surrey"),
    ],
)
def test_from_1_april_2027_a_surrey_district_finds_its_new_council(town: str, council: str) -> None:
    found = LAS.find(town, on=AFTER)
    assert names(found) == [council]
    assert found[0].full_name == f"{council} Council"


def test_councils_in_force_on_a_day() -> None:
    before, after = LAS.current(BEFORE), LAS.current(AFTER)
    assert "Surrey" in names(before) and "East Surrey" not in names(before)
    assert "Surrey" not in names(after) and {"East Surrey", "West Surrey"} <= set(names(after))


def test_a_stored_name_always_finds_its_own_record() -> None:
    # Referrals and drop-in areas keep the name; it must still mean that council later.
    surrey = LAS.by_name("Surrey")
    assert surrey is not None and surrey.full_name == "Surrey County Council"
    assert LAS.by_name("Surrey", on=AFTER).full_name == "Surrey County Council"
    assert LAS.by_name("Guildford", on=AFTER).name == "West Surrey"
    assert LAS.by_name("Guildford", on=BEFORE).name == "Surrey"


def run_triage_action(council: str | None, today: dt.date) -> dict[str, object]:
    context = ActionContext(
        {"local_authority": council} if council else {},
        "web",
        today,
        content=Content(local_authorities=LAS),
    )
    return triage_referral_action(context).variables


def test_the_triage_action_names_the_council_of_the_day() -> None:
    assert run_triage_action("Surrey", BEFORE)["council_full_name"] == "Surrey County Council"
    assert run_triage_action("West Surrey", AFTER)["council_full_name"] == "West Surrey Council"
    nothing = run_triage_action(None, BEFORE)
    assert nothing["council_full_name"] is None and nothing["council_local_offer"] is None


# -- the local help at the end of triage, over /api/chat --------------------------


def verified_council() -> LocalAuthority:
    return next(la for la in LAS.current() if la.verified and la.local_offer and la.sendiass_url)


def unverified_council() -> LocalAuthority:
    return next(
        la
        for la in LAS.current()
        if not la.verified and len(LAS.find(la.name)) == 1 and la.name != la.full_name
    )


async def triage_to_the_end(parent: Parent, council: str) -> None:
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    while "Which council area do you live in?" not in parent.text:
        if "Skip this question" in parent.buttons:
            await parent.press("Skip this question")
        else:
            await parent.press("Done")
    await parent.say(council)


async def test_a_verified_council_gets_its_local_offer_and_sendiass_links(
    client: object,
) -> None:
    council = verified_council()
    parent = Parent(client)  # type: ignore[arg-type]
    await triage_to_the_end(parent, council.name)
    assert "Here's what I've understood" in parent.text
    assert f"Help near you, from {council.full_name}" in parent.text
    assert str(council.local_offer) in parent.text
    assert str(council.sendiass_url) in parent.text
    if council.sendiass_phone:
        assert council.sendiass_phone in parent.text
    assert "Search for" not in parent.text
    assert "Talk to a Parent Champion" in parent.buttons


def partly_verified_council(has_local_offer: bool) -> LocalAuthority:
    return next(
        la
        for la in LAS.current()
        if la.verified
        and bool(la.local_offer) == has_local_offer
        and bool(la.sendiass_url) != has_local_offer
        and len(LAS.find(la.name)) == 1
    )


@pytest.mark.parametrize(
    "has_local_offer", [True, False], ids=["local-offer-only", "sendiass-only"]
)
async def test_a_partly_verified_council_gets_its_link_and_a_hint_for_the_rest(
    client: object, has_local_offer: bool
) -> None:
    council = partly_verified_council(has_local_offer)
    parent = Parent(client)  # type: ignore[arg-type]
    await triage_to_the_end(parent, council.name)
    assert f"Help near you, from {council.full_name}" in parent.text
    if has_local_offer:
        assert str(council.local_offer) in parent.text
        assert f'search for "{council.full_name} SENDIASS"' in parent.text
    else:
        assert str(council.sendiass_url) in parent.text
        assert f'search for "{council.full_name} Local Offer"' in parent.text
    assert "Talk to a Parent Champion" in parent.buttons


async def test_an_unverified_council_gets_an_honest_search_hint(client: object) -> None:
    council = unverified_council()
    parent = Parent(client)  # type: ignore[arg-type]
    await triage_to_the_end(parent, council.name)
    assert "Here's what I've understood" in parent.text
    assert f"I don't have checked links for {council.full_name} yet" in parent.text
    assert f'Search for "{council.full_name} Local Offer"' in parent.text
    assert f'Search for "{council.full_name} SENDIASS"' in parent.text
    assert "http" not in parent.text
    assert "Talk to a Parent Champion" in parent.buttons


async def test_no_council_given_means_no_local_help_message(client: object) -> None:
    parent = Parent(client)  # type: ignore[arg-type]
    await triage_to_the_end(parent, "skip")
    assert "Here's what I've understood" in parent.text
    assert "Help near you" not in parent.text
    assert "Talk to a Parent Champion" in parent.buttons
