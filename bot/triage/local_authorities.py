"""England's local authorities, found from whatever a parent types.

"hull", "Kingston upon Hull", "BCP" and "Brighton" all find their council; a
typo like "Manchestr" still does. When several could be meant, the few best are
offered as buttons.

Councils change (Surrey's twelve councils become East Surrey and West Surrey on
1 April 2027), so a record may carry `valid_from` / `valid_to` (both days
included) and lookups take the date they are for: "Surrey" finds Surrey County
Council before the change and offers the two new councils after it.

Each record's shape is checked with pydantic (`council_problems`, used by
`bot check`): extra keys are refused, and contact details (Local Offer,
SENDIASS) need the date they were checked against the council's own page.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.content.safe_yaml import YamlRefused, load_without_aliases

log = logging.getLogger(__name__)

_NOISE = re.compile(
    r"\b(?:council|county|borough|city|metropolitan|district|royal|of|the|in|i live|we live|"
    r"we're|we are|im|i'm|area|la|local authority)\b"
)

# The nine English regions (ONS), used to show the nearest drop-in sessions first.
Region = Literal[
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https://[^\s/]+\.[^\s]+$")
_PHONE = re.compile(r"^0[0-9 ]{9,12}[0-9]$")


def _https(value: str | None) -> str | None:
    if value is not None and not _URL.match(value):
        raise ValueError(f"'{value}' is not a web address starting https://")
    return value


def _key(text: str) -> str:
    folded = text.casefold().replace("&", " and ").replace("-", " ")
    folded = re.sub(r"[^\w\s]", " ", folded)
    folded = _NOISE.sub(" ", folded)
    return re.sub(r"\s+", " ", folded).strip()


class SendiassRecord(BaseModel):
    """The council's SEND Information, Advice and Support Service."""

    model_config = ConfigDict(extra="forbid")
    url: str
    phone: str | None = None

    _url = field_validator("url")(_https)

    @field_validator("phone")
    @classmethod
    def _uk_number(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise ValueError(f"'{value}' is not a UK phone number like 0113 378 5020")
        return value


class CouncilRecord(BaseModel):
    """One council in knowledge/local_authorities.yml (DESIGN.md's council record)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    name: str = Field(min_length=1)
    full_name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    region: Region
    local_offer: str | None = None
    sendiass: SendiassRecord | None = None
    verified: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    _local_offer = field_validator("local_offer")(_https)

    @field_validator("id")
    @classmethod
    def _lower_hyphens(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"'{value}' is not lower-case-hyphens, like 'north-tyneside'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CouncilRecord:
        if (self.local_offer or self.sendiass) and self.verified is None:
            raise ValueError(
                "local_offer and sendiass need `verified: <date>`, the day they were "
                "checked on the council's own page"
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class CouncilFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    local_authorities: list[CouncilRecord] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> CouncilFile:
        for attribute in ("id", "name"):
            seen: set[str] = set()
            for record in self.local_authorities:
                value = getattr(record, attribute)
                if value in seen:
                    raise ValueError(f"two councils have the {attribute} '{value}'")
                seen.add(value)
        return self


@dataclass(frozen=True, slots=True)
class LocalAuthority:
    name: str
    aliases: tuple[str, ...] = ()
    region: str = ""
    id: str = ""
    full_name: str = ""
    local_offer: str | None = None
    sendiass_url: str | None = None
    sendiass_phone: str | None = None
    verified: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def in_force(self, on: dt.date) -> bool:
        """Whether this council exists on that day (both ends included)."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    @property
    def official_name(self) -> str:
        return self.full_name or self.name


@dataclass(slots=True)
class LocalAuthorities:
    authorities: list[LocalAuthority] = field(default_factory=list)
    _index: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for position, authority in enumerate(self.authorities):
            for label in (authority.name, *authority.aliases):
                positions = self._index.setdefault(_key(label), [])
                if position not in positions:
                    positions.append(position)

    def current(self, on: dt.date | None = None) -> list[LocalAuthority]:
        """The councils that exist on that day (today if not given)."""
        day = on or dt.date.today()
        return [a for a in self.authorities if a.in_force(day)]

    def find(self, typed: str, limit: int = 3, on: dt.date | None = None) -> list[LocalAuthority]:
        """Best matches first, among the councils in force on `on` (today if not given);
        exactly one when the typed text is unambiguous."""
        day = on or dt.date.today()
        key = _key(typed)
        if not key:
            return []

        def live(positions: list[int]) -> list[int]:
            return [p for p in positions if self.authorities[p].in_force(day)]

        exact = live(self._index.get(key, []))
        if exact:
            return [self.authorities[p] for p in exact[:limit]]
        # Whole words first ("tyneside" -> North and South Tyneside), then typos.
        found = [
            position
            for label, positions in self._index.items()
            if re.search(rf"\b{re.escape(key)}\b", label)
            for position in live(positions)
        ]
        if not found:
            labels = [label for label, positions in self._index.items() if live(positions)]
            close = difflib.get_close_matches(key, labels, n=limit * 2, cutoff=0.75)
            found = [p for label in close for p in live(self._index[label])]
        unique = list(dict.fromkeys(found))
        return [self.authorities[p] for p in unique[:limit]]

    def neighbours(self, name: str) -> set[str]:
        """The other councils in the same region (empty if the region is not known)."""
        home = self.by_name(name)
        if home is None or not home.region:
            return set()
        return {a.name for a in self.authorities if a.region == home.region and a != home}

    def by_name(self, name: str, on: dt.date | None = None) -> LocalAuthority | None:
        """The council with this name (or alias). A stored name always finds its own
        record; with `on`, an alias finds only a council in force that day."""
        key = _key(name)
        positions = self._index.get(key, [])
        for position in positions:
            if _key(self.authorities[position].name) == key:
                return self.authorities[position]
        if on is not None:
            positions = [p for p in positions if self.authorities[p].in_force(on)]
        return self.authorities[positions[0]] if positions else None


# Variables the triage flow words into local help (flows/triage.yml, `local_help`).
CONTACT_VARIABLES = (
    "council_full_name",
    "council_local_offer",
    "council_sendiass_url",
    "council_sendiass_phone",
)


def contact_variables(authority: LocalAuthority | None) -> dict[str, str | None]:
    """The council's official name and its checked links, for the flow to put into
    words; every key is always present (None when unknown) so that an earlier
    council's links never linger."""
    if authority is None:
        return dict.fromkeys(CONTACT_VARIABLES)
    checked = authority.verified is not None
    return {
        "council_full_name": authority.official_name,
        "council_local_offer": authority.local_offer if checked else None,
        "council_sendiass_url": authority.sendiass_url if checked else None,
        "council_sendiass_phone": authority.sendiass_phone if checked else None,
    }


def _authority(record: CouncilRecord) -> LocalAuthority:
    return LocalAuthority(
        name=record.name,
        aliases=tuple(record.aliases),
        region=record.region,
        id=record.id,
        full_name=record.full_name,
        local_offer=record.local_offer,
        sendiass_url=record.sendiass.url if record.sendiass else None,
        sendiass_phone=record.sendiass.phone if record.sendiass else None,
        verified=record.verified,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
    )


def _where(items: list[Any], loc: tuple[Any, ...]) -> str:
    """'local_authorities[3] (Barnsley).sendiass.phone' for an error's location."""
    if len(loc) >= 2 and loc[0] == "local_authorities" and isinstance(loc[1], int):
        item = items[loc[1]] if loc[1] < len(items) else None
        name = f" ({item.get('name')})" if isinstance(item, dict) and item.get("name") else ""
        rest = "".join(f".{part}" for part in loc[2:])
        return f"local_authorities[{loc[1]}]{name}{rest}"
    return ".".join(str(part) for part in loc) or "local_authorities"


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        loc = tuple(error["loc"])
        if "sendiass" in loc[:-1]:
            return "unknown key (sendiass has url and phone)"
        if loc[:1] == ("local_authorities",):
            return (
                "unknown key (a council has id, name, full_name, aliases, region, "
                "local_offer, sendiass, verified, valid_from, valid_to)"
            )
        return "unknown key (the file has only local_authorities:)"
    if error["type"] == "missing":
        return "missing"
    return str(error["msg"]).removeprefix("Value error, ")


def read_councils(path: Path) -> tuple[LocalAuthorities, list[str]]:
    """The councils in the file and what is wrong with it, one line each.

    A bad record is left out (and reported); the good ones still load, so one typo
    never leaves parents without a council list.
    """
    where = f"knowledge/{path.name}"
    try:
        data = load_without_aliases(path.read_text(encoding="utf-8")) or {}
    except (OSError, YamlRefused, ValueError) as exc:
        return LocalAuthorities(), [f"{where}: {exc}"]
    if not isinstance(data, dict):
        return LocalAuthorities(), [f"{where}: expected `local_authorities:` with a list"]
    items = data.get("local_authorities")
    if not isinstance(items, list):
        items = []
    try:
        checked = CouncilFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{where}: {_where(items, tuple(e['loc']))}: {_message(e)}" for e in exc.errors()
        ]
        records = []
        for item in items:
            try:
                records.append(CouncilRecord.model_validate(item))
            except ValidationError:
                continue
        return LocalAuthorities([_authority(r) for r in records]), problems
    return LocalAuthorities([_authority(r) for r in checked.local_authorities]), []


def council_problems(path: Path) -> list[str]:
    """What `bot check` reports about knowledge/local_authorities.yml."""
    return read_councils(path)[1]


def load_local_authorities(path: Path) -> LocalAuthorities:
    authorities, problems = read_councils(path)
    for problem in problems:
        log.error("%s", problem)
    return authorities
