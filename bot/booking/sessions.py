"""Drop-in sessions: adding, changing, cancelling and finding them (store functions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Connection, and_, case, func, insert, select, update

from bot.booking.times import short_when, when_in_words
from bot.store.models import Booking, DropInSession, StaffUser, as_utc, utcnow

dropin_sessions = DropInSession.__table__
bookings = Booking.__table__
staff_users = StaffUser.__table__


class SessionDetails(BaseModel):
    """What a champion fills in for a session; the same rules for the form and CSV."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=120)
    local_authority: str = Field(min_length=1, max_length=80)
    venue: str = Field(default="", max_length=160)
    address: str = Field(default="", max_length=300)
    online_link: str = Field(default="", max_length=300)
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(ge=1, le=500)
    notes: str = Field(default="", max_length=2000)
    host_id: int | None = None

    @field_validator("online_link")
    @classmethod
    def _link(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("the online link must start with https://")
        return value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        # Held and stored in UTC, so lengths and order are real time even across a
        # clock change (two times in one zone compare by their wall-clock digits).
        if value.tzinfo is None:
            raise ValueError("times must include their time zone")
        return value.astimezone(dt.UTC)

    @model_validator(mode="after")
    def _sensible(self) -> SessionDetails:
        if self.ends_at <= self.starts_at:
            raise ValueError("the session must end after it starts")
        if self.ends_at - self.starts_at > dt.timedelta(hours=12):
            raise ValueError("a session can last at most 12 hours")
        if not (self.venue or self.online_link):
            raise ValueError("give a venue, an online link, or both")
        return self


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    title: str
    host_id: int | None
    host: str | None
    local_authority: str
    venue: str
    address: str
    online_link: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    notes: str
    status: str
    booked: int
    waitlisted: int

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def place(self) -> str:
        """Where, in one line: "Leeds Central Library, Calverley St" or "Online"."""
        if self.venue:
            return f"{self.venue}, {self.address}" if self.address else self.venue
        return "Online"

    @property
    def when(self) -> str:
        return when_in_words(self.starts_at, self.ends_at)

    @property
    def button_label(self) -> str:
        label = f"{short_when(self.starts_at)}, {self.venue or 'online'}"
        return label if len(label) <= 60 else label[:59] + "…"

    def variables(self) -> dict[str, Any]:
        """What flows/dropin.yml can put into words about this session."""
        return {
            "dropin_title": self.title,
            "dropin_when": self.when,
            "dropin_place": self.place,
            "dropin_link": self.online_link,
            "dropin_area": self.local_authority,
            "dropin_places_left": self.places_left,
        }


_COUNTS = (
    select(
        bookings.c.session_id,
        func.sum(case((bookings.c.status == "booked", 1), else_=0)).label("booked"),
        func.sum(case((bookings.c.status == "waitlisted", 1), else_=0)).label("waitlisted"),
    )
    .group_by(bookings.c.session_id)
    .subquery()
)
_VIEW = select(
    dropin_sessions,
    func.coalesce(staff_users.c.name, staff_users.c.email).label("host"),
    func.coalesce(_COUNTS.c.booked, 0).label("booked"),
    func.coalesce(_COUNTS.c.waitlisted, 0).label("waitlisted"),
).select_from(
    dropin_sessions.outerjoin(staff_users, staff_users.c.id == dropin_sessions.c.host_id).outerjoin(
        _COUNTS, _COUNTS.c.session_id == dropin_sessions.c.id
    )
)


def _view(row: Any) -> SessionView:
    return SessionView(
        id=row.id,
        title=row.title,
        host_id=row.host_id,
        host=row.host,
        local_authority=row.local_authority,
        venue=row.venue,
        address=row.address,
        online_link=row.online_link,
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        capacity=row.capacity,
        notes=row.notes,
        status=row.status,
        booked=int(row.booked or 0),
        waitlisted=int(row.waitlisted or 0),
    )


def add_session(connection: Connection, details: SessionDetails) -> int:
    now = utcnow()
    return connection.execute(
        insert(dropin_sessions)
        .values(**details.model_dump(), status="scheduled", created_at=now, updated_at=now)
        .returning(dropin_sessions.c.id)
    ).scalar_one()


def change_session(connection: Connection, session_id: int, details: SessionDetails) -> None:
    connection.execute(
        update(dropin_sessions)
        .where(dropin_sessions.c.id == session_id)
        .values(**details.model_dump(), updated_at=utcnow())
    )


def get_session(connection: Connection, session_id: int) -> SessionView | None:
    row = connection.execute(_VIEW.where(dropin_sessions.c.id == session_id)).first()
    return _view(row) if row else None


def upcoming(
    connection: Connection,
    now: dt.datetime,
    areas: list[str] | None,
    include_cancelled: bool = True,
) -> list[SessionView]:
    """Sessions that have not ended, soonest first (areas None: every area)."""
    conditions = [dropin_sessions.c.ends_at > now]
    if areas is not None:
        conditions.append(dropin_sessions.c.local_authority.in_(areas))
    if not include_cancelled:
        conditions.append(dropin_sessions.c.status == "scheduled")
    query = _VIEW.where(and_(*conditions)).order_by(dropin_sessions.c.starts_at).limit(500)
    return [_view(row) for row in connection.execute(query)]


def bookable_for(
    connection: Connection,
    now: dt.datetime,
    local_authority: str | None,
    nearby: frozenset[str] = frozenset(),
) -> list[SessionView]:
    """What a parent can book: their own area first, then nearby councils (same
    region), then online sessions anyone can join, then the rest."""
    found = [s for s in upcoming(connection, now, None, False) if s.starts_at > now]

    def rank(session: SessionView) -> int:
        if local_authority and session.local_authority == local_authority:
            return 0
        if session.local_authority in nearby:
            return 1
        return 2 if session.online_link and not session.venue else 3

    return sorted(found, key=lambda s: (rank(s), s.starts_at))
