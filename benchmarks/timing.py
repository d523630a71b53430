"""Percentiles for the benchmark scripts, computed one way everywhere."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile_ms(seconds: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of durations in seconds, in milliseconds."""
    ordered = sorted(seconds)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1] * 1000
