"""Statutory SEND timescales turned into dates a parent can act on.

Sources (see the articles in knowledge/ that cite them):
- EHC needs assessment: decision whether to assess within 6 weeks of the request
  (SEND Regulations 2014 reg 5(1)); notice that no plan will be issued within 16
  weeks (reg 10(1)); final plan within 20 weeks (reg 13(2)).
- Annual review: the council decides within 4 weeks of the review meeting (reg 20(10)).
- Phase transfer: plan amended by 15 February in the year of the move, or 31 March
  for a move from secondary school to post-16 (reg 18(1)).
- Appeals: 2 months from the decision letter, or 1 month from the mediation
  certificate if later (reg 33 and Tribunal Procedure (First-tier Tribunal) (HESC)
  Rules 2008 r.20); a deadline on a non-working day moves to the next working day,
  and in a SEND case one falling on 25 December to 1 January or in August moves
  to the first working day after 1 January or 31 August (r.12).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

from bot.core.actions import ActionContext, ActionRegistry, ActionResult


@dataclass(frozen=True, slots=True)
class EhcpTimeline:
    decision_to_assess: dt.date
    decision_not_to_issue: dt.date
    final_plan: dt.date


def ehcp_timeline(request_date: dt.date) -> EhcpTimeline:
    return EhcpTimeline(
        decision_to_assess=request_date + dt.timedelta(weeks=6),
        decision_not_to_issue=request_date + dt.timedelta(weeks=16),
        final_plan=request_date + dt.timedelta(weeks=20),
    )


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.UnitedKingdom(subdiv="ENG", years=[year])


def is_working_day(day: dt.date) -> bool:
    """Not a weekend, and not a bank holiday in England (Christmas and Good Friday included)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself if it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def appeal_deadline(decision_letter: dt.date, certificate: dt.date | None = None) -> dt.date:
    """The last day to register a SEND appeal (see the module docstring for the rules)."""
    deadline = decision_letter + relativedelta(months=2)  # 31 Dec -> 28 or 29 Feb
    if certificate is not None:
        deadline = max(deadline, certificate + relativedelta(months=1))
    if (deadline.month == 12 and deadline.day >= 25) or (deadline.month == 1 and deadline.day == 1):
        year = deadline.year + 1 if deadline.month == 12 else deadline.year
        return next_working_day(dt.date(year, 1, 2))
    if deadline.month == 8:
        return next_working_day(dt.date(deadline.year, 9, 1))
    return next_working_day(deadline)


def annual_review_decision(meeting: dt.date) -> dt.date:
    return meeting + dt.timedelta(weeks=4)


def phase_transfer_deadline(move: str, today: dt.date, move_year: str = "this") -> dt.date:
    """15 February (31 March for post-16) in the calendar year of the September move."""
    first_september = today.year if today.month < 9 else today.year + 1
    year = first_september + (1 if move_year == "next" else 0)
    return dt.date(year, 3, 31) if move == "post16" else dt.date(year, 2, 15)


# -- actions: they compute; the flow's own words say what the dates mean ----------


def _date(variables: dict[str, Any], name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(variables.get(name)))
    except ValueError:
        return None


def _dated(name: str, day: dt.date, context: ActionContext) -> dict[str, str]:
    """The date (shown in words by the flow) and whether it has passed."""
    passed = day < context.today
    status = context.flow_data.get("passed" if passed else "upcoming", "")
    return {
        f"{name}_date": day.isoformat(),
        f"{name}_passed": "yes" if passed else "no",
        f"{name}_status": str(status),
    }


def ehcp_deadlines_action(context: ActionContext) -> ActionResult:
    requested = _date(context.variables, "request_date")
    if requested is None:
        return ActionResult(variables={"deadlines_known": "no"})
    timeline = ehcp_timeline(requested)
    found: dict[str, str] = {"deadlines_known": "yes", "reminder_date": ""}
    for name in ("decision_to_assess", "decision_not_to_issue", "final_plan"):
        found.update(_dated(name, getattr(timeline, name), context))
    upcoming = [
        getattr(timeline, n)
        for n in ("decision_to_assess", "decision_not_to_issue", "final_plan")
        if getattr(timeline, n) >= context.today
    ]
    found["reminder_date"] = upcoming[0].isoformat() if upcoming else ""
    return ActionResult(variables=found)


def appeal_deadline_action(context: ActionContext) -> ActionResult:
    letter = _date(context.variables, "decision_letter_date")
    if letter is None:
        return ActionResult(variables={"deadlines_known": "no"})
    certificate = _date(context.variables, "certificate_date")
    deadline = appeal_deadline(letter, certificate)
    found = _dated("appeal_deadline", deadline, context)
    found["reminder_date"] = deadline.isoformat() if deadline >= context.today else ""
    return ActionResult(variables=found)


def annual_review_action(context: ActionContext) -> ActionResult:
    meeting = _date(context.variables, "review_meeting_date")
    if meeting is None:
        return ActionResult(variables={"deadlines_known": "no"})
    decision = annual_review_decision(meeting)
    found = _dated("review_decision", decision, context)
    found["reminder_date"] = decision.isoformat() if decision >= context.today else ""
    return ActionResult(variables=found)


def phase_transfer_action(context: ActionContext) -> ActionResult:
    move = str(context.variables.get("transfer_move") or "school")
    when = str(context.variables.get("transfer_when") or "this")
    deadline = phase_transfer_deadline(move, context.today, when)
    found = _dated("transfer_deadline", deadline, context)
    found["reminder_date"] = deadline.isoformat() if deadline >= context.today else ""
    return ActionResult(variables=found)


# A deadline reminder goes a week before, at 9am UK time; if that has passed, the
# day before; if that has passed too, the date is too close for a reminder to help.
REMINDER_DAYS_BEFORE = (7, 1)
REMINDER_HOUR = dt.time(9)


UK = ZoneInfo("Europe/London")


def reminder_time(day: dt.date, now: dt.datetime) -> dt.datetime | None:
    for days in REMINDER_DAYS_BEFORE:
        at = dt.datetime.combine(day - dt.timedelta(days=days), REMINDER_HOUR, tzinfo=UK)
        if at > now:
            return at
    return None


def offer_reminder_action(context: ActionContext) -> ActionResult:
    """Store a reminder for the date the flow computed, if the parent said yes."""
    day = _date(context.variables, "reminder_date")
    if context.variables.get("wants_reminder") != "yes" or day is None:
        return ActionResult(variables={"reminder_set": "no"})
    now = context.now or dt.datetime.now(dt.UTC)
    send_at = reminder_time(day, now)
    if send_at is None:
        return ActionResult(variables={"reminder_set": "soon"})
    kind = str(context.flow_data.get("reminder_kind", "deadline"))
    return ActionResult(
        variables={"reminder_set": "yes", "reminder_send_date": send_at.date().isoformat()},
        reminder={"due_on": day.isoformat(), "due_at": send_at.isoformat(), "kind": kind},
    )


def register(registry: ActionRegistry) -> None:
    registry.register("ehcp_deadlines")(ehcp_deadlines_action)
    registry.register("appeal_deadline")(appeal_deadline_action)
    registry.register("annual_review_deadline")(annual_review_action)
    registry.register("phase_transfer_deadline")(phase_transfer_action)
    registry.register("offer_reminder")(offer_reminder_action)
