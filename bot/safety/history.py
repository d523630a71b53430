"""A crisis told as settled history is a check-in, not a crisis ticket.

Parents often give background: "two years ago my son took an overdose; he's been
well for over a year now. What adjustments can he ask for at college?" The rules
and the classifier see "took an overdose" and raise the full crisis reply and an
urgent ticket, which is wrong for this parent (issue 13). Such a message is moved
down to the borderline level: the kind check-in with Samaritans, the "I'm safe" /
"I need help now" buttons and a champion's follow-up, and the question answered.

Only when all of these hold, so a crisis now is never moved down:
- every sentence that carried the risk says it was in the past ("two years ago",
  "when she was 7", "used to", "back in 2019", "at her old school"), in itself or in
  the sentence it was cut from (unless it turns away from it: "but", "until"...);
- the message says it is over ("hasn't happened since", "she's fine now", "we're
  safe", "was found safe", "he's been well");
- nothing in the message speaks of now ("tonight", "again", "still", "keeps",
  "lately", "this week", "started", "has been messaging", "another man"...).
Everything else stays a crisis. The development set (nlu_data/dev/) has no crisis
this moves down; `python -m bot nlu eval --set dev` shows it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.reading.sentences import Sentence, fold
from bot.safety.screen import Screening

_NUMBER = (
    r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen"
    r"|a few|a couple of|several|many)"
)
PAST = re.compile(
    r"\b(?:"
    + _NUMBER
    + r" (?:years?|months?) (?:ago|back)\b|years (?:ago|back)\b|(?:back|in) (?:19|20)\d\d\b"
    r"|used to\b|a while (?:back|ago)\b|a long time ago\b"
    r"|when (?:he|she|they|i|we|my \w+) (?:was|were) (?:little|small|younger|a baby"
    r"|a toddler|\d+|in (?:year \d+|primary|reception|nursery))"
    r"|last (?:year|spring|summer|autumn|winter)\b"
    r"|(?:at|from) (?:her|his|their|my) (?:old|last|previous) school\b)"
)
RESOLVED = re.compile(
    r"\b(?:hasn't|has not|haven't|have not) (?:happened|been|had|self-harmed|run|gone|needed)"
    r"\b[^.!?]{0,40}\bsince\b"
    r"|\b(?:fine|well|safe|happy|thriving|settled|stable|great|brilliant|wonderful"
    r"|doing (?:really |so )?well|in a good place) now\b"
    r"|\bnow (?:fine|well|safe|happy|settled|thriving)\b|\bcome through it\b|\bbehind us\b"
    r"|\bbeen (?:well|fine|great|stable|doing (?:really )?well)\b|\b(?:was|were) found safe\b"
    r"|\b(?:is|are|we're|we are|she's|he's|they're) (?:safe|settled and safe|safe and happy)\b"
    r"|\bstopped completely\b|\b(?:has|she's|he's) thrived\b|\bconvicted\b|\bin prison\b"
    r"|\bhandled it (?:brilliantly|really well|well)\b|\bchecked (?:him|her) over\b"
)
# Anything about now keeps the crisis, however settled the rest sounds.
CURRENT = re.compile(
    r"\b(?:tonight|today|right now|this (?:morning|afternoon|evening|week|month)|last night"
    r"|yesterday|again|still|keeps?|keeping|anymore|any more|at the moment|currently|just now"
    r"|lately|recently|fresh|new (?:cuts|marks|bruises)|started|starting|back to|relapse\w*"
    r"|worried (?:he|she|they|it)|scared (?:he|she|they|it)|afraid (?:he|she|they|it)"
    r"|signs|is (?:cutting|self-harming|not eating|missing)|are (?:hurting|hitting)"
    r"|(?:he|she|they)'s (?:cutting|self-harming|not eating|missing|threatening|saying)"
    r"|(?:has|have|'s|'ve) been (?!doing\b)\w+ing|another (?:man|woman|adult|person|boy|girl)"
    r"|someone (?:else|new)"
    r"|now (?:he|she|they|i|we)\b(?! (?:want|wants|need|needs|would|have a question|'d like))"
    r")\b"
)

_TURN = re.compile(
    r"\W*(?:but|though|although|however|yet|except|until|till|then|and then|and now|now|so now)\b"
)


def settled_history(text: str, sentences: list[Sentence], screening: Screening) -> Screening:
    """The screening, moved down to a check-in when the crisis is settled history."""
    if not screening.crisis or not screening.risky_sentences:
        return screening
    folded = fold(text)
    if CURRENT.search(folded) or not RESOLVED.search(folded):
        return screening
    for index in screening.risky_sentences:
        part = sentences[index]
        around = [part]
        # A clause takes its time from the sentence it was cut from ("two years ago he
        # went through a bad time and was self-harming"), unless it turns away from it:
        # "he was groomed two years ago, but a man is messaging him" stays a crisis.
        if not _TURN.match(fold(part.text)):
            around += [s for s in sentences if s.contains(part)]
        if not any(PAST.search(fold(s.text)) for s in around):
            return screening
    return replace(
        screening,
        crisis=False,
        kinds=(),
        reasons=(*screening.reasons, "settled-history"),
        level="borderline",
    )
