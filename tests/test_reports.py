"""Admins' reports: week-by-week counts and a CSV, with no personal data in either."""

from __future__ import annotations

import csv
import io

from tests.chat import Parent
from tests.test_handoff import champion_of
from tests.test_privacy import SECRET_WORDS, triage_with_a_story


async def test_reports_count_without_naming_anyone(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await triage_with_a_story(parent)
    await parent.press("Talk to a Parent Champion")
    await parent.say(SECRET_WORDS)
    champion = await champion_of(app, ["Leeds"])
    [ticket_id] = [
        line.split("/console/tickets/")[1].split('"')[0]
        for line in (await champion.client.get("/console")).text.splitlines()
        if "/console/tickets/" in line
    ][:1]
    await champion.claim(int(ticket_id))
    await champion.close(int(ticket_id), "referred_sendiass")

    admin = await champion_of(app, [], role="admin")
    page = await admin.client.get("/console/reports")
    assert page.status_code == 200
    assert "Referrals by category" in page.text and "Exclusion" in page.text
    exported = await admin.client.get("/console/reports.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    figures = {(r["measure"], r["label"]): r["value"] for r in rows if not r["week_starting"]}
    assert figures[("referrals_by_category", "exclusion")] == "1"
    assert figures[("handoffs_by_local_authority", "Leeds")] == "1"
    assert figures[("handoff_outcomes", "referred_sendiass")] == "1"
    this_week = [r for r in rows if r["measure"] == "conversations_started"][-1]
    assert this_week["value"] == "1"
    weekly = [r for r in rows if r["measure"] == "referrals_by_category" and r["week_starting"]]
    assert [(r["week_starting"], r["label"], r["value"]) for r in weekly] == [
        (this_week["week_starting"], "exclusion", "1")
    ]
    for text in (page.text, exported.text):
        assert parent.session not in text and SECRET_WORDS not in text
    assert (await champion.client.get("/console/reports")).status_code == 403
    assert (await champion.client.get("/console/reports.csv")).status_code == 403
