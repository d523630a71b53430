"""Typed requests for a flow: "can you help me write a letter", "book a drop in".

A parent who asks for something the bot does (a letter, a drop-in, triage, their
data, a person) is taken there, even when it is phrased as a question. The
phrases are content: each flow node lists its own `requests` in flows/*.yml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.reading.sentences import fold


class FlowRequests:
    def __init__(self, phrases: Iterable[tuple[str, str, str]]) -> None:
        """phrases: (phrase, flow id, node id); the first phrase found wins."""
        self._targets: list[tuple[re.Pattern[str], str, str]] = [
            (re.compile(rf"(?<!\w){re.escape(fold(phrase))}(?!\w)"), flow, node)
            for phrase, flow, node in phrases
        ]

    def find(self, text: str) -> tuple[str, str] | None:
        """The (flow, node) a message asks for by name, if any."""
        folded = fold(text)
        for pattern, flow, node in self._targets:
            if pattern.search(folded):
                return flow, node
        return None
