"""Champion presence: a parent is told a Parent Champion is online only when one who
covers their area has said they are available and has a console page open (a
heartbeat in the last 2 minutes). Opening hours only choose the words otherwise.

Time is moved the way the store functions allow it: they take `now`, so a heartbeat
is written as if it came three minutes ago rather than the test sleeping.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bot.config import Settings
from bot.staff import presence
from bot.staff.accounts import all_members, update_member
from bot.store.models import StaffSession, as_utc, utcnow
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import Champion, add_account, ask_for_a_champion, client_for
from tests.server import set_champion_hours

ONLINE = "A Parent Champion is online now and should reply soon"
NOT_ONLINE_IN_HOURS = "No one is online this minute, but one usually replies within 2 hours"
CLOSED = "Parent Champions are not online right now"


async def signed_in(app: Any, areas: list[str], role: str = "champion") -> Champion:
    champion = Champion(client_for(app), await add_account(app, role, areas, "Sam"))
    assert (await champion.sign_in()).status_code == 303
    return champion


async def set_available(champion: Champion, available: bool) -> None:
    response = await champion.post(
        "/console/presence", available="yes" if available else "no", back="/console"
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console"


async def member_id(app: Any, email: str) -> int:
    members = await app.state.services.database.read(all_members)
    return next(m.id for m in members if m.email == email)


async def last_beat_at(app: Any, champion: Champion, when: dt.datetime) -> None:
    """The champion's last heartbeat was at `when` (their page closed then)."""
    who = await member_id(app, champion.email)
    async with app.state.services.database.transaction() as transaction:
        await transaction.run(presence.heartbeat, who, when)


async def parent_asks(client: Any, council: str = "Leeds") -> Parent:
    parent = Parent(client)
    await ask_for_a_champion(parent, council)
    return parent


async def test_an_available_champion_for_the_area_is_online(app_and_client: tuple) -> None:
    app, client = app_and_client
    sam = await signed_in(app, ["Leeds"])
    queue = await sam.client.get("/console")
    assert "You're away" in queue.text and "Set me available" in queue.text

    await set_available(sam, True)
    queue = await sam.client.get("/console")
    assert "You're available" in queue.text and "Set me away" in queue.text

    parent = await parent_asks(client, "Leeds")
    assert ONLINE in parent.text
    assert "not online" not in parent.text and "No one is online" not in parent.text


async def test_a_stale_heartbeat_means_the_parent_is_told_the_truth(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    sam = await signed_in(app, ["Leeds"])
    await set_available(sam, True)
    # Sam's laptop closed three minutes ago: still "available", but no page open.
    await last_beat_at(app, sam, utcnow() - dt.timedelta(minutes=3))

    parent = await parent_asks(client, "Leeds")
    assert NOT_ONLINE_IN_HOURS in parent.text  # in hours: when someone usually replies
    assert ONLINE not in parent.text

    # Sam opens the console again: the page's heartbeat makes him count once more.
    beat = await sam.post("/console/presence/heartbeat")
    assert beat.status_code == 204
    assert ONLINE in (await parent_asks(client, "Leeds")).text

    # A beat 1 min 50 s old still counts; 2 min 10 s does not.
    await last_beat_at(app, sam, utcnow() - dt.timedelta(seconds=110))
    assert ONLINE in (await parent_asks(client, "Leeds")).text
    await last_beat_at(app, sam, utcnow() - dt.timedelta(seconds=130))
    assert NOT_ONLINE_IN_HOURS in (await parent_asks(client, "Leeds")).text


async def test_an_away_champion_does_not_count(app_and_client: tuple) -> None:
    app, client = app_and_client
    sam = await signed_in(app, ["Leeds"])
    await sam.post("/console/presence/heartbeat")  # signed in, page open, but away
    assert NOT_ONLINE_IN_HOURS in (await parent_asks(client, "Leeds")).text

    await set_available(sam, True)
    await set_available(sam, False)
    queue = await sam.client.get("/console")
    assert "You're away" in queue.text
    parent = await parent_asks(client, "Leeds")
    assert NOT_ONLINE_IN_HOURS in parent.text and ONLINE not in parent.text


async def test_a_champion_for_another_area_does_not_count(app_and_client: tuple) -> None:
    app, client = app_and_client
    bradford = await signed_in(app, ["Bradford"])
    await set_available(bradford, True)

    assert NOT_ONLINE_IN_HOURS in (await parent_asks(client, "Leeds")).text
    assert ONLINE in (await parent_asks(client, "Bradford")).text


async def test_outside_opening_hours_the_parent_is_told_when(
    settings: Settings, content_dirs: tuple[Path, Path]
) -> None:
    flows, _knowledge = content_dirs
    set_champion_hours(flows, {"monday": "03:00-03:01", "bank_holidays": "open"})
    async with running_app(settings) as (app, client):
        parent = await parent_asks(client, "Leeds")
        assert CLOSED in parent.text and "at 3am" in parent.text

        # Someone on late is the truth too: the parent hears they are online.
        sam = await signed_in(app, ["Leeds"])
        await set_available(sam, True)
        parent = await parent_asks(client, "Leeds")
        assert ONLINE in parent.text and CLOSED not in parent.text

        await last_beat_at(app, sam, utcnow() - dt.timedelta(minutes=5))
        parent = await parent_asks(client, "Leeds")
        assert CLOSED in parent.text and "at 3am" in parent.text


async def test_admins_see_who_is_on_and_champions_do_not(app_and_client: tuple) -> None:
    app, _client = app_and_client
    sam = await signed_in(app, ["Leeds"])
    await set_available(sam, True)
    kim = await signed_in(app, ["Bradford"])  # signed in, never said available
    admin = await signed_in(app, [], role="admin")

    page = await admin.client.get("/console/users")
    assert page.status_code == 200
    who_is_on = page.text.split('id="presence-list"')[1].split("</table>")[0]
    sam_row, kim_row = (
        next(r for r in who_is_on.split("<tr>") if e in r) for e in (sam.email, kim.email)
    )
    assert "Online" in sam_row and "Leeds" in sam_row and "Sam" in sam_row
    assert "Away" in kim_row and "Bradford" in kim_row

    refused = await sam.client.get("/console/users")
    assert refused.status_code == 403
    assert kim.email not in refused.text


async def test_the_availability_form_needs_the_page_csrf_token(app_and_client: tuple) -> None:
    app, client = app_and_client
    sam = await signed_in(app, ["Leeds"])
    forged = await sam.client.post("/console/presence", data={"available": "yes"})
    assert forged.status_code == 403
    wrong = await sam.client.post(
        "/console/presence", data={"available": "yes", "csrf_token": "not-the-token"}
    )
    assert wrong.status_code == 403
    no_token_beat = await sam.client.post("/console/presence/heartbeat")
    assert no_token_beat.status_code == 403
    assert NOT_ONLINE_IN_HOURS in (await parent_asks(client, "Leeds")).text

    # Nonsense is refused with a message, and the way back stays inside the console.
    odd = await sam.post("/console/presence", available="maybe")
    assert odd.status_code == 403 and "Choose available or away" in odd.text
    away = await sam.post("/console/presence", available="yes", back="//evil.example/")
    assert away.headers["location"] == "/console"

    signed_out = client_for(app)
    beat = await signed_out.post("/console/presence/heartbeat", data={"csrf_token": sam.csrf})
    assert beat.status_code == 401


async def test_a_heartbeat_does_not_keep_an_idle_session_alive(app_and_client: tuple) -> None:
    app, _client = app_and_client
    sam = await signed_in(app, ["Leeds"])
    database = app.state.services.database
    sessions = StaffSession.__table__
    ten_minutes_ago = utcnow() - dt.timedelta(minutes=10)
    async with database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(update(sessions).values(last_seen_at=ten_minutes_ago))
        )

    assert (await sam.post("/console/presence/heartbeat")).status_code == 204
    seen = await database.read(lambda c: c.execute(select(sessions.c.last_seen_at)).scalar_one())
    assert abs(as_utc(seen) - ten_minutes_ago) < dt.timedelta(seconds=1)
    # The heartbeat itself was recorded (the admins' "last seen").
    on = await database.read(presence.who_is_on)
    assert on[0].member.email == sam.email and on[0].last_seen is not None


async def test_who_counts_for_an_area(app_and_client: tuple) -> None:
    """An admin answers any area; a parent who gave no council is anyone's; an account
    switched off never counts, whatever it said before."""
    app, _client = app_and_client
    database = app.state.services.database
    now = utcnow()
    bradford = await member_id(app, await add_account(app, "champion", ["Bradford"]))
    admin = await member_id(app, await add_account(app, "admin", []))

    async def online_for(area: str | None) -> bool:
        return await database.read(presence.someone_online_for, area, now)

    async with database.transaction() as transaction:
        await transaction.run(presence.set_available, bradford, True, now)
    assert not await online_for("Leeds")
    assert await online_for("Bradford") and await online_for(None)

    async with database.transaction() as transaction:
        await transaction.run(presence.set_available, admin, True, now)
    assert await online_for("Leeds")

    async with database.transaction() as transaction:
        await transaction.run(update_member, admin, active=False)
        await transaction.run(update_member, bradford, active=False)
    assert not await online_for("Leeds") and not await online_for(None)
    assert [p.member.id for p in await database.read(presence.who_is_on, now)] == []
