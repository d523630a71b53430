"""Who may frame the embedded chat, and which council each site may preset.

`EMBED_ALLOWED_ORIGINS` is a comma-separated list of exact origins, each optionally
tied to a council: `https://www.leeds.gov.uk=Leeds, https://www.kent.gov.uk=Kent`.

Why an origin in the iframe's URL can be believed. A browser does not tell a framed
page who framed it: our own `Referrer-Policy: no-referrer` (and many councils' too)
strips the Referer, and `Sec-Fetch-Dest: iframe` says only that it is a frame. So
widget.js puts the host page's origin in the URL (`origin=...`), and the server
answers with `frame-ancestors <that origin>` alone. If the claim is false, the
browser refuses to show the page in that frame, so a preset can only ever be seen
inside the site that was allowed to make it. A claimed origin that is not allowed
gets no preset and the whole allowed list as frame-ancestors (a site on the list
that framed us without `origin=` still works, just without a preset). The list
empty: `'none'`.

A council tied to some origins may be preset only by those; a council tied to none
may be preset by any allowed origin that is not tied to a council of its own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from urllib.parse import urlsplit

_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
NO_FRAMING = "'none'"
# A longer `origin=` is no origin at all (refused whole, never cut: a cut could turn
# padding after an allowed origin into that origin).
MAX_ORIGIN_CHARS = 300
# Whether two names (or aliases) are one council: knowledge/local_authorities.yml knows.
SameCouncil = Callable[[str, str], bool]


@dataclasses.dataclass(frozen=True, slots=True)
class EmbedOrigins:
    # Each allowed origin and the councils it is tied to (as written; empty: none).
    ties: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.ties)

    def claimed(self, origin: str | None) -> str | None:
        """The allowed origin that `origin=` names, as the browser writes it, or None.
        The one reading of the claim: the CSP header (frame_ancestors), the page's
        data-host and the council preset all go through here, so they cannot differ."""
        if not origin or len(origin) > MAX_ORIGIN_CHARS:
            return None
        found = normal_origin(origin)
        return found if found in self.ties else None

    def allows(self, origin: str | None) -> bool:
        return self.claimed(origin) is not None

    def frame_ancestors(self, claimed: str | None) -> str:
        """The CSP `frame-ancestors` value for /embed opened with `origin=claimed`."""
        if not self.ties:
            return NO_FRAMING
        return self.claimed(claimed) or " ".join(self.ties)

    def may_preset(self, claimed: str | None, council: str, same: SameCouncil) -> bool:
        """Whether a page framed by `claimed` may preset `council` (see the docstring).
        `same(a, b)` says whether two names (or aliases) are one council."""
        site = self.claimed(claimed)
        if site is None:
            return False
        own = self.ties[site]
        if own:
            return any(same(tied, council) for tied in own)
        return not any(same(tied, council) for ties in self.ties.values() for tied in ties)


def normal_origin(value: str) -> str | None:
    """`scheme://host[:port]` as a browser writes `location.origin`, or None."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or not _HOST.match(host):
        return None
    if parts.username or parts.password or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_embed_origins(value: str) -> EmbedOrigins:
    """The setting's origins and their councils; ValueError naming a bad entry."""
    ties: dict[str, set[str]] = {}
    for entry in value.split(","):
        entry = entry.strip()
        if not entry:
            continue
        origin_text, equals, council = entry.partition("=")
        origin = normal_origin(origin_text)
        if origin is None:
            raise ValueError(
                f"'{origin_text.strip()}' is not an origin; write it as the browser does, "
                "like https://www.leeds.gov.uk (no path, no trailing slash)"
            )
        if equals and not council.strip():
            raise ValueError(f"'{entry}' has '=' but no council after it")
        councils = ties.setdefault(origin, set())
        if council.strip():
            councils.add(council.strip())
    return EmbedOrigins({origin: frozenset(councils) for origin, councils in ties.items()})
