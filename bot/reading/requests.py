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
        targets = list(phrases)
        folded = [fold(phrase) for phrase, _, _ in targets]
        self._targets: list[tuple[re.Pattern[str], str, str]] = [
            (re.compile(rf"(?<!\w){re.escape(words)}(?!\w)"), flow, node)
            for words, (_, flow, node) in zip(folded, targets, strict=True)
        ]
        # All of them in one pattern, for messages that ask for no flow (most): one
        # search instead of one per phrase, about five times faster. It matches exactly
        # when one of them would: where a phrase fits but the boundary after it fails,
        # the engine backtracks into the alternation and tries the next phrase.
        self._any: re.Pattern[str] | None = (
            re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in folded)})(?!\w)")
            if self._targets
            else None
        )

    def find(self, text: str) -> tuple[str, str] | None:
        """The (flow, node) a message asks for by name, if any."""
        folded = fold(text)
        if self._any is None or not self._any.search(folded):
            return None
        # Something matched: the first phrase in order wins, as always.
        for pattern, flow, node in self._targets:
            if pattern.search(folded):
                return flow, node
        return None
