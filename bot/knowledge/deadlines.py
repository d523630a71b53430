"""Statutory SEND timescales turned into dates a parent can act on.

Sources (see the articles in knowledge/ that cite them):
- EHC needs assessment: decision whether to assess within 6 weeks of the request
  (SEND Regulations 2014 reg 5(1)); notice that no plan will be issued within 16
  weeks (reg 10(1)); final plan within 20 weeks (reg 13(2)).
- Annual review: the council decides within 4 weeks of the review meeting (reg 20(10)).
- Amending a plan after a review (reg 22): the parent has at least 15 days, beginning
  with the day the proposed changes were served, to comment (reg 22(2)(c)); the final
  amended plan is due within 8 weeks of the council sending them (reg 22(3)).
  https://www.legislation.gov.uk/uksi/2014/1530/regulation/22
- Draft EHC plan: the parent has at least 15 days, beginning with the day the draft
  was served, to comment and ask for a school (reg 13(1)(a)), so the last day is at
  least the day it arrived plus 14; the council's covering letter may give longer.
  https://www.legislation.gov.uk/uksi/2014/1530/regulation/13
- Phase transfer: plan reviewed and amended *before* 15 February in the calendar year
  of the move, or before 31 March for a move from secondary school to post-16 (reg
  18(1)), so the last day is 14 February or 30 March; a move between post-16
  institutions at any other time: at least five months before it (reg 18(2)).
  https://www.legislation.gov.uk/uksi/2014/1530/part/2/crossheading/reviews-and-reassessments
- Appeals: 2 months from the decision letter, or 1 month from the mediation
  certificate if later (reg 33 and Tribunal Procedure (First-tier Tribunal) (HESC)
  Rules 2008 r.20); a deadline on a non-working day moves to the next working day,
  and in a SEND case one falling on 25 December to 1 January or in August moves
  to the first working day after 1 January or 31 August (r.12).
- Independent review panel after governors uphold a permanent exclusion: apply within
  15 school days after the day the parent is given the governors' decision in writing
  (School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012,
  Schedule 1 para 2(1); the panel itself is arranged under reg 7, 16 or 25).
  http://www.legislation.gov.uk/uksi/2012/1033/schedules/made
  School days follow the school's own term dates, which we do not know, so we show
  the earliest likely date: 15 weekdays that are not bank holidays in England.
- School transport: councils' published policies, following the Department for
  Education's two-stage review process, give 20 working days from receiving the
  decision to ask for a stage one review (e.g. Cambridgeshire County Council,
  https://www.cambridgeshire.gov.uk/residents/children-and-families/schools-learning/school-transport/home-to-school-transport-reviews-appeals).
  The department's own guidance page was not in our stored sources: see the flow's
  words, which tell the parent to check their council's letter.
- Local Government and Social Care Ombudsman: a complaint is made within 12 months
  beginning with the day the person first had notice of the matter; the Ombudsman
  can disapply the limit (Local Government Act 1974 s.26B).
  https://legislation.gov.uk/ukpga/1974/7/section/26B/2012-01-16
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
    """The last day for the amended plan: "before 15 February" (before 31 March for
    post-16) in the calendar year of the September move is 14 February (30 March)."""
    first_september = today.year if today.month < 9 else today.year + 1
    year = first_september + (1 if move_year == "next" else 0)
    return dt.date(year, 3, 30) if move == "post16" else dt.date(year, 2, 14)


def post16_move_deadline(move: dt.date) -> dt.date:
    """The last day for the amended plan: at least five months before a move between
    post-16 institutions. No matching day (a 31 July move) gives the month's last day
    (28 or 29 February), which is still at least five months before."""
    return move - relativedelta(months=5)


@dataclass(frozen=True, slots=True)
class AmendmentDates:
    comments: dt.date  # the 15th day, counting the day the changes were served as day 1
    final_plan: dt.date


def amended_plan_dates(notice: dt.date) -> AmendmentDates:
    """After a review proposes changes: 15 days beginning with the day served to
    comment, and the final amended plan within 8 weeks of the notice."""
    return AmendmentDates(
        comments=notice + dt.timedelta(days=14), final_plan=notice + dt.timedelta(weeks=8)
    )


def draft_plan_comments_deadline(served: dt.date) -> dt.date:
    """The 15th day, counting the day the draft plan was served as day 1: the last
    day the law guarantees for comments (the council may give longer)."""
    return served + dt.timedelta(days=14)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`th working day after `day` (`day` itself is not counted)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def exclusion_review_earliest(notice: dt.date) -> dt.date:
    """The earliest the 15th school day after the governors' written decision can be:
    every weekday that is not a bank holiday counted as a school day. Holidays and
    training days only make the real deadline later."""
    return add_working_days(notice, 15)


def transport_review_deadline(received: dt.date) -> dt.date:
    """20 working days from getting the council's transport decision."""
    return add_working_days(received, 20)


def ombudsman_deadline(aware: dt.date) -> dt.date:
    """The last day of the 12 months beginning with the day the parent first knew.
    For 29 February the earlier reading (27 February) is shown: safe to act by."""
    return aware + relativedelta(months=12) - dt.timedelta(days=1)


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


Rule = Callable[[dt.date], dt.date]


def _one_date(context: ActionContext, asked: str, name: str, compute: Rule) -> ActionResult:
    """Read one saved date, compute one deadline, and offer a reminder if it is ahead."""
    given = _date(context.variables, asked)
    if given is None:
        return ActionResult(variables={"deadlines_known": "no"})
    day = compute(given)
    found = _dated(name, day, context)
    found["reminder_date"] = day.isoformat() if day >= context.today else ""
    return ActionResult(variables=found)


def amended_plan_action(context: ActionContext) -> ActionResult:
    notice = _date(context.variables, "amendment_notice_date")
    if notice is None:
        return ActionResult(variables={"deadlines_known": "no"})
    dates = amended_plan_dates(notice)
    found = _dated("comments", dates.comments, context)
    found.update(_dated("amended_plan", dates.final_plan, context))
    upcoming = [d for d in (dates.comments, dates.final_plan) if d >= context.today]
    found["reminder_date"] = upcoming[0].isoformat() if upcoming else ""
    return ActionResult(variables=found)


def draft_comments_action(context: ActionContext) -> ActionResult:
    """The last day for comments on a draft plan, from the day it arrived
    (`draft_arrived_date`) or from the council's own deadline (`council_comments_date`),
    as the parent chose (`draft_date_kind`). An arrival still to come is refused
    (`draft_date_problem: future`) so the flow can say so and ask again."""
    if context.variables.get("draft_date_kind") == "council":
        given = _date(context.variables, "council_comments_date")
        day = given
    else:
        given = _date(context.variables, "draft_arrived_date")
        if given is not None and given > context.today:
            return ActionResult(variables={"draft_date_problem": "future"})
        day = draft_plan_comments_deadline(given) if given is not None else None
    if day is None:
        return ActionResult(variables={"draft_date_problem": "missing"})
    found = _dated("draft_comments", day, context)
    return ActionResult(variables=found | {"draft_date_problem": ""})


def post16_move_action(context: ActionContext) -> ActionResult:
    return _one_date(context, "post16_move_date", "post16_deadline", post16_move_deadline)


def exclusion_review_action(context: ActionContext) -> ActionResult:
    return _one_date(context, "governors_notice_date", "review_panel", exclusion_review_earliest)


def transport_review_action(context: ActionContext) -> ActionResult:
    return _one_date(
        context, "transport_decision_date", "transport_review", transport_review_deadline
    )


def ombudsman_action(context: ActionContext) -> ActionResult:
    return _one_date(context, "aware_date", "ombudsman", ombudsman_deadline)


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
    registry.register("amended_plan_deadline")(amended_plan_action)
    registry.register("post16_move_deadline")(post16_move_action)
    registry.register("draft_comments_deadline")(draft_comments_action)
    registry.register("exclusion_review")(exclusion_review_action)
    registry.register("transport_review")(transport_review_action)
    registry.register("ombudsman_deadline")(ombudsman_action)
    registry.register("offer_reminder")(offer_reminder_action)
