"""Decides whether a message is a crisis: every sentence and the whole message.

- The rules (bot/safety/rules.yml plus any an admin added) read the whole text,
  however long: a crisis anywhere in it is a crisis.
- The classifier reads the whole message and each sentence and clause within
  the first MAX_MESSAGE_CHARS, so one crisis sentence among ten about the EHCP is
  scored on its own instead of being diluted by the rest.

A sentence is a crisis when a rule at the crisis level matches it or the
classifier's probability reaches CLASSIFIER_THRESHOLD. It was set on the
development set (nlu_data/dev/, `python -m bot nlu eval --set dev`): at first 0.7
gave recall 0.995 with 20.4% false alarms, 0.85 gave 0.987 and 12.4%, 0.5 gave 1.0
and 29%, and a miss is the worst failure, so the lower one was kept. With the
ordinary sentences added to nlu_data/crisis_negatives.yml and the wordings added
to the rules (self-harm with injuries, "I don't know what I'll do to him", "made
to sleep in the garage"...), 0.7 gives recall 1.0 with 18.5% false alarms. 0.8
(12.2%) and 0.9 (8.0%) would keep recall 1.0 on the development set too, but only
because those new rules were written from the crises the classifier alone caught
there between 0.7 and 0.9; unseen messages have such crises of their own, so 0.7
stays. Issue 13 (fewer false alarms): about 260 hard negatives in parents' words
(school absence, "until he turns 25", figures of speech, games and films, medical
words in ordinary questions, feelings about school, history told as background)
and about 90 crisis sentences of every kind were added to the training data. The
yardstick was the classifier alone (without the rules) on the development crises:
0.969 of them at 0.7 before. Now 0.7 and 0.72 both give 0.974 (0.75: 0.971, 0.8:
0.958), so 0.72, the highest that loses none, was chosen on the development set.
It did not hold on unseen messages: on the held-out and fresh sets (figures only,
no message read) 0.72 caught fewer crises than the old model at 0.7 (fresh: 0.955
against 0.982), the new negatives having pulled some real crises down. So the
threshold was lowered to 0.62, where recall is at least the old model's on both
sets (held-out 0.992, fresh 0.982) with false alarms about as before. Because that
choice looked at those sets' recall, they no longer measure this one number
cleanly; a new fresh set should (see the closing note of issue 13).
Stop 31: trained also on three blind sets of whole messages (nlu_data/crisis_messages/,
about 900 crises and 900 ordinary or borderline messages), the classifier alone, on
the development sets it never reads (dev and dev2, with the answers dev questions as
more negatives), caught 0.990 of the crises at 0.62 with 10.2% false alarms, against
0.983 and 15.8% before. 0.58 was chosen on those sets: one point more recall than
before (0.992), for a third fewer false alarms (12.4%). 0.55 gives 0.996 and 14.0%.
With two more sets written as training data (blind_set_6 and 7: about 500 crises and
700 ordinary messages, many of them questions), 0.58 gives 0.992 and 11.4% there.
With four more (blind_set_8 to 11: long messages, short texts, medical and emotional
words on both sides, young people and carers writing), 0.58 gave 0.990 and 10.3%, one
development crisis fewer; 0.5 gives 0.992 and 12.9%. Two candidates were then compared
once on a fifth fresh set written for the purpose (figures only): sets 3 to 7 at 0.58
caught 0.987 of its crises with 8.7% false alarms, sets 3 to 11 at 0.5 caught 0.993
with 11.3%. A miss is the worst failure, so the second is shipped.
The full test suite then found everyday messages the new model flagged at 0.5 ("the
taxi to school has stopped coming", "my son was sent home from school again today",
"I have to reply by Friday and I'm scared"): ordinary sentences of those kinds were
added to crisis_negatives.yml (not the tests' own words), and 0.5 kept.
Below the crisis level, the borderline and everyday-distress rules set `level`,
which the reply follows. Recall is never traded for fewer alarms.

Speed: the message and all its sentences are folded in one pass, the rules skip
the patterns whose words are missing (bot/safety/matching.py), and the
classifier scores every sentence in one batch (bot/safety/scoring.py), so a
4,000-character message is screened in a few milliseconds with the same decisions
(tests/test_crisis_fast_screen.py keeps the plain way as the reference).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reading.sentences import Sentence, fold_many
from bot.safety.classifier import CrisisClassifier
from bot.safety.rules import RuleSet

CLASSIFIER_THRESHOLD = 0.5
# One or two words ("my son") give the classifier too little to go on.
CLASSIFIER_MIN_WORDS = 3
# A clause cut from a run-on needs a little more: "my son is 9", "and asking me to
# come", "and she is missing" (lessons) scored up to 0.95 on their own, and raised a
# crisis on ordinary long questions. Its whole sentence, and the rules, still read it.
# 5 (stop 27): false alarms on ordinary questions in the answers dev sets 25 to 17
# and 31 to 24; on the crisis sets (figures only for the held-out ones) recall
# unchanged everywhere (dev 1.000, held-out 0.992, fresh 0.982, fresh2 0.996) and
# false alarms down (dev 16.3% to 15.8%, held-out 15.2% to 14.1%, fresh 22.5% to
# 21.6%, fresh2 34.9% to 32.5%).
CLAUSE_MIN_WORDS = 5
LEVEL_ORDER = {"none": 0, "everyday": 1, "borderline": 2, "crisis": 3}


@dataclass(frozen=True, slots=True)
class Screening:
    crisis: bool
    kinds: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # rule ids, or "classifier"
    level: str = "none"  # "crisis", "borderline", "everyday" or "none"
    # Indexes (into the sentences screened) of those that carried the risk.
    risky_sentences: tuple[int, ...] = ()

    @property
    def borderline(self) -> bool:
        return self.level == "borderline"

    @property
    def everyday_distress(self) -> bool:
        return self.level == "everyday"


NOT_SCREENED = Screening(False)


def _add(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


def screen(
    text: str,
    sentences: list[Sentence],
    rules: RuleSet,
    classifier: CrisisClassifier | None,
    classify_chars: int = 4000,
) -> Screening:
    """The whole text through the rules; the text and its sentences through the classifier."""
    bounded = text[:classify_chars]
    # Everything is folded once, together; fold() then remembers these for the question
    # finder, which reads the same sentences next.
    texts = [text, *(s.text for s in sentences)] + ([bounded] if bounded != text else [])
    folded = fold_many(texts, remember=True)
    folded_sentences = folded[1 : len(sentences) + 1]
    matches, matching = rules.match_folded(folded[0])
    kinds: list[str] = []
    reasons: list[str] = []
    level = "none"
    for match in matches:
        if LEVEL_ORDER[match.level] > LEVEL_ORDER[level]:
            level = match.level
        if match.level == "crisis":
            _add(kinds, match.kind)
            _add(reasons, match.rule)
    risky: list[int] = []
    if matches:
        # Which sentences carry the risk, so they are not taken for the question.
        risky = rules.matcher().crisis_in(folded_sentences, matching)
    if classifier is not None:
        folded_bounded = folded[0] if bounded == text else folded[-1]
        read = _Read(text, bounded, folded_bounded, sentences, folded_sentences)
        level = _classify(read, classifier, classify_chars, risky, kinds, reasons, level)
    crisis = level == "crisis"
    return Screening(crisis, tuple(kinds), tuple(reasons), level, tuple(sorted(risky)))


@dataclass(frozen=True, slots=True)
class _Read:
    """The message as the classifier reads it: raw and folded."""

    text: str
    bounded: str  # the first classify_chars characters
    folded_bounded: str
    sentences: list[Sentence]
    folded_sentences: list[str]


def _classify(
    read: _Read,
    classifier: CrisisClassifier,
    classify_chars: int,
    risky: list[int],
    kinds: list[str],
    reasons: list[str],
    level: str,
) -> str:
    """The classifier over the whole message and each sentence, all scored in one batch.

    Adds to `risky`, `kinds` and `reasons` what it finds; returns the new level.
    """
    sentences = read.sentences
    # (index, text, folded): the whole message too, unless it is one sentence (already
    # among the sentences).
    candidates = [(-1, read.bounded, read.folded_bounded)] if len(sentences) != 1 else []
    candidates += [
        (i, s.text, read.folded_sentences[i])
        for i, s in enumerate(sentences)
        if s.start < classify_chars
        and s.words >= (CLAUSE_MIN_WORDS if s.clause else CLASSIFIER_MIN_WORDS)
    ]
    candidates = [c for c in candidates if len(c[1].split()) >= CLASSIFIER_MIN_WORDS]
    probabilities = classifier.probabilities_folded([folded for _, _, folded in candidates])
    explained = set(risky)  # sentences a rule already flagged, with its kind
    whole_message = False
    for (index, candidate, _), probability in zip(candidates, probabilities, strict=True):
        if probability < CLASSIFIER_THRESHOLD:
            continue
        _add(reasons, "classifier")
        level = "crisis"
        if index < 0:
            whole_message = True
        elif index not in explained:
            risky.append(index)
            _add(kinds, classifier.kind(candidate))
    if whole_message and not kinds:
        _add(kinds, classifier.kind(read.bounded))
    return level
