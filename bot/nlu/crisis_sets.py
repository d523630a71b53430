"""The crisis evaluation sets `nlu eval --set` knows, by name (paths under nlu_data/).

Kept apart from bot/nlu/cli.py, which loads scikit-learn, so the command line can
list them as choices without that import; the tests read the same names.
"""

from __future__ import annotations

CRISIS_SETS = {
    "heldout": "test/crisis_heldout.yml",
    "fresh": "test/crisis_fresh.yml",
    # Written by a helper who never saw the screen, its data or the other sets (stop 27),
    # after the held-out and fresh figures had been used to choose the threshold.
    "fresh2": "test/crisis_fresh2.yml",
    # A third, written the same way at stop 31, after the classifier was retrained on the
    # stop-30 sets: the old and new classifiers were compared on it once, figures only.
    "fresh3": "test/crisis_fresh3.yml",
    # A fourth (stop 31), written while more training messages were being written: it
    # measured the classifier before and after them, figures only.
    "fresh4": "test/crisis_fresh4.yml",
    # A fifth (stop 31), for the second round of training messages, the same way.
    "fresh5": "test/crisis_fresh5.yml",
    "dev": "dev/crisis_dev.yml",
    # Tuned on, like dev, but written blind (stop 28): dev was written alongside the
    # training data, and choices that looked better on it lost recall on unseen sets.
    "dev2": "dev/crisis_dev2.yml",
    # Three more blind sets written at stop 30 (their misses became rules) are the
    # crisis classifier's training data since stop 31 (nlu_data/crisis_messages/):
    # figures on them would show fit, not how well it reads messages it never saw.
}
# Sets whose messages are never printed, only their figures: read, they would be tuned to.
FIGURES_ONLY = frozenset({"fresh2", "fresh3", "fresh4", "fresh5"})
# What `nlu eval` reports when no --set is given.
DEFAULT_CRISIS_SETS = ("heldout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")
