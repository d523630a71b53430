"""The embedded chat's council: a name or alias from knowledge/local_authorities.yml,
saved as `local_authority`, the variable triage, drop-ins and a hand-off already use.

`POST /api/chat` accepts `council` from any page of ours; it only ever describes the
sender's own new conversation (as if the parent had typed their council), and the
API is same-origin only (no CORS), so a council's site cannot preset another
council through it: only through `/embed`, whose rules are in embed_origins.py.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.services import Services
from bot.triage.local_authorities import LocalAuthorities, LocalAuthority

# The flows' variable for the parent's council (flows/triage.yml, dropin.yml, champion.yml).
COUNCIL_VARIABLE = "local_authority"
UK = ZoneInfo("Europe/London")


def _authorities(services: Services) -> LocalAuthorities:
    return services.content.current.local_authorities


def find_council(services: Services, name: str | None) -> LocalAuthority | None:
    """The council in force today with exactly this name or alias (no guessing: a
    typo in a council's snippet should warn, not pick a neighbour)."""
    if not name or not name.strip():
        return None
    return _authorities(services).by_name(name.strip()[:80], on=dt.datetime.now(UK).date())


def same_council(services: Services, first: str, second: str) -> bool:
    one, other = find_council(services, first), find_council(services, second)
    return one is not None and one == other


def council_presets(services: Services, name: str | None) -> tuple[tuple[str, str], ...]:
    council = find_council(services, name)
    return ((COUNCIL_VARIABLE, council.name),) if council is not None else ()
