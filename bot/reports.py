"""Counts for commissioners and funders: week by week, with no personal data.

Everything here is a count or a time span; no chat id, message or answer leaves
this module. Rows that outlived an erased parent (tickets, referrals, bookings)
still count, which is why erasure keeps them anonymised.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from bot.core.dates import week_start
from bot.core.types import PREVIEW_CHANNEL
from bot.handoff import ratings
from bot.handoff.config import HandoffConfig
from bot.handoff.service_level import answered_within_target
from bot.store.models import (
    Booking,
    Conversation,
    DropInSession,
    Parent,
    Referral,
    Ticket,
    as_utc,
    utcnow,
)

WEEKS = 12


@dataclass(slots=True)
class Report:
    weeks: list[dt.date]
    conversations: Counter[dt.date] = field(default_factory=Counter)
    referrals: Counter[str] = field(default_factory=Counter)
    urgency: Counter[str] = field(default_factory=Counter)
    areas: Counter[str] = field(default_factory=Counter)
    handoffs: Counter[dt.date] = field(default_factory=Counter)
    wait_minutes: dict[dt.date, float] = field(default_factory=dict)  # median to claim
    booked: Counter[dt.date] = field(default_factory=Counter)
    attended: Counter[dt.date] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    # The first-response target: requests a champion has replied to, and of those,
    # how many within the target (in opening hours), by the week they were made.
    target_minutes: int = 0
    answered: Counter[dt.date] = field(default_factory=Counter)
    answered_in_target: Counter[dt.date] = field(default_factory=Counter)
    # The same figures week by week: (week, label) -> count.
    referrals_weekly: Counter[tuple[dt.date, str]] = field(default_factory=Counter)
    urgency_weekly: Counter[tuple[dt.date, str]] = field(default_factory=Counter)
    areas_weekly: Counter[tuple[dt.date, str]] = field(default_factory=Counter)
    # "How did it go?": parents' 1-5 ratings by the week they gave them (no comments here).
    rated: ratings.WeeklyRatings = field(default_factory=ratings.WeeklyRatings)


def build_report(
    connection: Connection,
    now: dt.datetime | None = None,
    handoff: HandoffConfig | None = None,
) -> Report:
    now = now or utcnow()
    handoff = handoff or HandoffConfig()
    this_week = week_start(now)
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    since = dt.datetime.combine(weeks[0], dt.time(), tzinfo=dt.UTC)
    report = Report(weeks, target_minutes=handoff.first_response_minutes)
    conversations = Conversation.__table__
    parents = Parent.__table__
    for (created,) in connection.execute(
        select(conversations.c.created_at)
        .join(parents, parents.c.id == conversations.c.parent_id)
        # Admins trying drafts in the editor's preview are not families.
        .where(conversations.c.created_at >= since, parents.c.channel != PREVIEW_CHANNEL)
    ):
        report.conversations[week_start(created)] += 1
    referrals = Referral.__table__
    for category, urgency, created in connection.execute(
        select(referrals.c.category, referrals.c.urgency, referrals.c.created_at).where(
            referrals.c.created_at >= since
        )
    ):
        report.referrals[category] += 1
        report.urgency[urgency] += 1
        report.referrals_weekly[(week_start(created), category)] += 1
        report.urgency_weekly[(week_start(created), urgency)] += 1
    tickets = Ticket.__table__
    waits: dict[dt.date, list[float]] = {}
    for row in connection.execute(
        select(
            tickets.c.created_at,
            tickets.c.claimed_at,
            tickets.c.local_authority,
            tickets.c.urgency,
            tickets.c.outcome,
            tickets.c.first_response_at,
        ).where(tickets.c.created_at >= since)
    ):
        week = week_start(row.created_at)
        report.handoffs[week] += 1
        report.areas[row.local_authority or "Not given"] += 1
        report.areas_weekly[(week, row.local_authority or "Not given")] += 1
        if row.outcome:
            report.outcomes[row.outcome] += 1
        if row.claimed_at is not None:
            waited = as_utc(row.claimed_at) - as_utc(row.created_at)
            waits.setdefault(week, []).append(waited.total_seconds() / 60)
        if row.first_response_at is not None:
            report.answered[week] += 1
            if answered_within_target(handoff, row.created_at, row.first_response_at):
                report.answered_in_target[week] += 1
    report.wait_minutes = {week: statistics.median(values) for week, values in waits.items()}
    report.rated = ratings.weekly(connection, since)
    bookings = Booking.__table__
    sessions = DropInSession.__table__
    for starts, attended in connection.execute(
        select(sessions.c.starts_at, bookings.c.attended)
        .join(sessions, sessions.c.id == bookings.c.session_id)
        .where(sessions.c.starts_at >= since, bookings.c.status == "booked")
    ):
        week = week_start(starts)
        report.booked[week] += 1
        if attended:
            report.attended[week] += 1
    return report


def report_csv(report: Report) -> str:
    """One row per figure: measure, week (or blank), label, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure", "week_starting", "label", "value"])
    for week in report.weeks:
        day = week.isoformat()
        writer.writerow(["conversations_started", day, "", report.conversations[week]])
        writer.writerow(["handoff_requests", day, "", report.handoffs[week]])
        wait = report.wait_minutes.get(week)
        writer.writerow(
            ["median_minutes_to_claim", day, "", "" if wait is None else round(wait, 1)]
        )
        writer.writerow(["handoffs_answered", day, "", report.answered[week]])
        writer.writerow(
            [
                f"answered_within_{report.target_minutes}_open_minutes",
                day,
                "",
                report.answered_in_target[week],
            ]
        )
        writer.writerow(["dropin_places_booked", day, "", report.booked[week]])
        writer.writerow(["dropin_attended", day, "", report.attended[week]])
        average = report.rated.average(week)
        writer.writerow(["ratings_given", day, "", report.rated.count(week)])
        writer.writerow(["ratings_average", day, "", "" if average is None else round(average, 1)])
        for score in ratings.SCORES:
            if report.rated.of(week, score):
                writer.writerow(["ratings_by_score", day, score, report.rated.of(week, score)])
    for measure, weekly in (
        ("referrals_by_category", report.referrals_weekly),
        ("referrals_by_urgency", report.urgency_weekly),
        ("handoffs_by_local_authority", report.areas_weekly),
    ):
        for (week, label), count in sorted(weekly.items()):
            writer.writerow([measure, week.isoformat(), label, count])
    # Totals over the whole period (week_starting left empty).
    for label, count in sorted(report.referrals.items()):
        writer.writerow(["referrals_by_category", "", label, count])
    for label, count in sorted(report.urgency.items()):
        writer.writerow(["referrals_by_urgency", "", label, count])
    for label, count in sorted(report.areas.items()):
        writer.writerow(["handoffs_by_local_authority", "", label, count])
    for label, count in sorted(report.outcomes.items()):
        writer.writerow(["handoff_outcomes", "", label, count])
    return out.getvalue()
