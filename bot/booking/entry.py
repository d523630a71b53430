"""Reading a session typed by a person (console form or a CSV row) into SessionDetails.

One set of rules for both, and errors a person can act on: "start: '25:00' is not
a time; write it like 10:00".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from bot.booking.sessions import SessionDetails
from bot.booking.times import UK
from bot.core.text import whole_number
from bot.triage.local_authorities import LocalAuthorities

CSV_COLUMNS = (
    "title",
    "local_authority",
    "venue",
    "address",
    "online_link",
    "date",
    "start",
    "end",
    "capacity",
    "notes",
    "host_email",
)
REQUIRED_COLUMNS = ("title", "local_authority", "date", "start", "end", "capacity")
MAX_CSV_ROWS = 1000


class EntryError(ValueError):
    """What is wrong with one typed session, in one line."""


def _date(text: str) -> dt.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise EntryError(f"date: '{text}' is not a date; write it like 2026-12-02 or 02/12/2026")


def _time(name: str, text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise EntryError(f"{name}: '{text.strip()}' is not a time; write it like 10:00") from None


def _uk_time(name: str, day: dt.date, text: str) -> dt.datetime:
    """The moment a UK wall-clock time names, in UTC; a time the clocks skip or repeat
    is refused rather than guessed (a session at 1:30am on those two nights is surely
    a typing slip, and a wrong guess would send parents an hour out)."""
    wall = dt.datetime.combine(day, _time(name, text))
    first, second = wall.replace(tzinfo=UK, fold=0), wall.replace(tzinfo=UK, fold=1)
    if first.utcoffset() != second.utcoffset():
        said = f"{name}: {wall:%H:%M}"
        on = f"on {day:%d/%m/%Y} in the UK"
        if first.astimezone(dt.UTC).astimezone(UK).replace(tzinfo=None) != wall:
            raise EntryError(
                f"{said} does not exist {on}: the clocks go forward from 1am to 2am "
                "that night; choose a time before 1am or from 2am"
            )
        raise EntryError(
            f"{said} happens twice {on}: the clocks go back from 2am to 1am "
            "that night; choose a time before 1am or from 2am"
        )
    return first.astimezone(dt.UTC)


def read_session(
    fields: dict[str, str],
    authorities: LocalAuthorities,
    host_by_email: Callable[[str], int | None] | None = None,
    host_id: int | None = None,
) -> SessionDetails:
    """A SessionDetails from typed fields, or EntryError saying what to fix."""
    missing = [name for name in REQUIRED_COLUMNS if not (fields.get(name) or "").strip()]
    if missing:
        raise EntryError(f"{', '.join(missing)}: missing")
    area = authorities.by_name(fields["local_authority"].strip())
    if area is None:
        raise EntryError(
            f"local_authority: '{fields['local_authority'].strip()}' is not a council we know"
        )
    day = _date(fields["date"])
    starts = _uk_time("start", day, fields["start"])
    ends = _uk_time("end", day, fields["end"])
    capacity_text = fields["capacity"].strip()
    capacity = whole_number(capacity_text)
    if capacity is None:
        raise EntryError(f"capacity: '{capacity_text}' is not a whole number")
    host_email = (fields.get("host_email") or "").strip()
    if host_email and host_by_email is not None:
        host_id = host_by_email(host_email)
        if host_id is None:
            raise EntryError(f"host_email: no champion has the address {host_email}")
    try:
        return SessionDetails(
            title=fields["title"],
            local_authority=area.name,
            venue=fields.get("venue") or "",
            address=fields.get("address") or "",
            online_link=fields.get("online_link") or "",
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            notes=fields.get("notes") or "",
            host_id=host_id,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise EntryError(f"{where}: {message}" if where else message) from None


@dataclass(slots=True)
class CsvResult:
    sessions: list[SessionDetails]
    problems: list[str]  # "line 4: capacity: 'ten' is not a whole number"


def read_csv(
    raw: bytes,
    authorities: LocalAuthorities,
    host_by_email: Callable[[str], int | None],
) -> CsvResult:
    """Every row, or every problem: a file with any bad row imports nothing."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CsvResult([], ["the file is not UTF-8 text; save it as 'CSV UTF-8' and try again"])
    if "\x00" in text:
        # A database refuses NUL in text; it usually means a spreadsheet's own format.
        line = text.count("\n", 0, text.index("\x00")) + 1
        return CsvResult([], [f"line {line}: a NUL character; save the file as 'CSV UTF-8'"])
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read_rows(reader, authorities, host_by_email)
    except csv.Error:
        # In practice a field over csv.field_size_limit() (131,072 characters), e.g.
        # a stray quote that swallows the rest of the file.
        return CsvResult(
            [],
            [
                f"line {reader.line_num}: a field is longer than "
                f"{csv.field_size_limit():,} characters; "
                'check for a quote mark (") that is never closed'
            ],
        )


def _read_rows(
    reader: csv.DictReader[str],
    authorities: LocalAuthorities,
    host_by_email: Callable[[str], int | None],
) -> CsvResult:
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return CsvResult([], [f"line 1: the header has no column {', '.join(missing)}"])
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    if unknown:
        return CsvResult([], [f"line 1: unknown column {', '.join(unknown)}"])
    sessions: list[SessionDetails] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if len(sessions) + len(problems) >= MAX_CSV_ROWS:
            problems.append(f"line {line}: more than {MAX_CSV_ROWS} rows; split the file")
            break
        fields = {(k or "").strip(): (v or "") for k, v in row.items() if k}
        if not any(value.strip() for value in fields.values()):
            continue  # a blank line
        try:
            sessions.append(read_session(fields, authorities, host_by_email))
        except EntryError as exc:
            problems.append(f"line {line}: {exc}")
    if not sessions and not problems:
        problems.append("the file has no sessions in it")
    return CsvResult(sessions if not problems else [], problems)
