"""Which sentences of a message ask something.

Parents rarely use a question mark, and put the question last: "he's been out
of school since may what do i do". A sentence asks something when it ends with
"?", starts like a question ("can they", "how long", "is it allowed"), or holds
a phrase that asks ("what do i do", "i want to know", "am i entitled").

Long messages are often one comma-spliced sentence with the question at its end
("... nobody has given me any paperwork, can they do this"), so when a sentence
does not ask as a whole, its last comma-separated part that asks is the question.
Without commas, a question often starts mid-sentence ("my last day to appeal is a
saturday what happens then", "he has an ehcp so does he get transport"): a short
sentence with such a start is the question as a whole, a long one from that start.

"who", "which", "when" and "where" also start relative clauses ("our daughter,
who has cerebral palsy and cannot manage the stairs", "when he was 5 he..."):
those ask only when a question shape follows ("who do i ask", "when is the
deadline") or they end with "?".

Parents in a hurry write in text speak ("hw do i apply", "cn school refer", "is tht
allowed", "wot do i do"): those words are read as spelled out before any of this.
A short "is that ..." at the end asks too ("he was sent home at lunch is that an
exclusion"), as does a closing "what now".
"""

from __future__ import annotations

import re

from bot.reading.sentences import Sentence, fold

_OPENERS = re.compile(
    r"^(?:(?:hi|hello|so|and|but|also|please|ok|okay|right|basically|sorry|just|tbh)[, ]+)*"
    r"(?:how|what|whats|what's|when|where|why|who|whose|which|can|could|do|does|did|is|isn't|are|"
    r"aren't|should|shall|will|would|have|has|am|may|must|might|was|were|any ?one|anybody)\b"
)
_ASKING = re.compile(
    r"\b(?:what (?:do|can|should|shall) (?:i|we)|what are (?:my|our) (?:rights|options)|"
    r"is (?:it|that|this) (?:allowed|legal|lawful|ok|okay|right|normal)|is there (?:a|any)|"
    r"(?:i|we) (?:want|need|would like|'d like) to know|(?:i'm|i am|we're|just) wondering|"
    r"wondering (?:if|whether|what|how|why|when|who|where)|"
    r"am i (?:entitled|allowed|right)|(?:can|could) (?:you|someone) (?:tell|help|explain)|"
    r"how (?:long|do|can|much|many|often|soon)|do (?:i|we) have to|"
    r"any (?:advice|ideas|help|tips|suggestions|thoughts)|advice (?:please|pls|welcome)|"
    r"(?:does|do|would|could) (?:any ?one|anybody|someone) (?:know|have)|"
    r"where do (?:i|we)|who do (?:i|we)|not sure (?:what|how|if|whether|where|who))\b"
    # At the very end: "... what now", "... is that even allowed", "is it feb or march".
    r"|\b(?:what now|now what|what next)\W*$"
    r"|\b(?:is|isn't) (?:that|it|this)(?: \S+){1,4}?\W*$"
)
# Text speak for the words a question is recognised by (whole words, folded text).
# Not "2" or "4": "2 weeks", "4 hours" are numbers far more often than "to", "for".
_TEXT_SPEAK = {
    "hw": "how",
    "cn": "can",
    "wot": "what",
    "wat": "what",
    "wht": "what",
    "wots": "what's",
    "wats": "what's",
    "tht": "that",
    "shud": "should",
    "shuld": "should",
    "shd": "should",
    "wud": "would",
    "cud": "could",
    "wen": "when",
    "r": "are",
    "u": "you",
    "ne1": "anyone",
    "any1": "anyone",
    "sum1": "someone",
}
_SPEAK = re.compile(r"\b(?:" + "|".join(sorted(_TEXT_SPEAK, key=len, reverse=True)) + r")\b")
# Question words that also start relative clauses, and what follows them when
# they start one: "who has adhd", "which is", "when he was 5", "where he goes".
_RELATIVE_OPENER = re.compile(r"^(?:(?:and|but|so|also)\s+)?(?:who|which|whose|when|where)\b")
_ASKS_AFTER_WH = re.compile(
    r"^(?:(?:and|but|so|also)\s+)?(?:"
    r"(?:who|whose)\s+(?:do|does|did|can|could|should|would|will|shall|decides|pays|"
    r"has to|is (?:responsible|in charge|meant|supposed|the|my|our|allowed|right)|"
    r"are (?:the|my|our))|"
    r"whose\s+\w+\s+(?:is|was)\s+(?:it|this|that)\b|"
    r"which\s+(?!(?:is|was|are|were|has|had|have|means|meant|made|makes|would|will|"
    r"i|we|he|she|they|it|you|the|my|our|his|her|their|caused|led|left|also)\b)|"
    r"(?:when|where)\s+(?:is|are|do|does|did|can|could|should|will|would|shall|must|"
    r"have|has|am)\b)"
)
# After "has", "is", "can"... these carry a statement on ("..., has been in the same
# class since reception", "..., can not cope"): a question has its subject next.
_CONTINUES = re.compile(
    r"^\s+(?:been|being|got|gotten|had|to|not|never|always|already|just|really|also|"
    r"still|said|told|asked|started|gone|made|done|now|only|no)\b"
)
# A question that starts mid-sentence, after what it is about: "... what happens
# then", "... so does he get free transport", "... will he automatically get one".
_MID_QUESTION = re.compile(
    r"\b(?:what (?:happens|do|does|can|should|shall|will|are|is|about)|"
    r"how (?:long|much|many|do|does|can|should|soon|often)|"
    r"(?:can|could|should|will|would|does|do|are|must) "
    r"(?:they|i|we|he|she|it|that|this|you|the school|the council|the la|my|our|his|her)|"
    r"(?:has|have) (?:they|i|we|he|she|you)|"
    r"is there|are there)\b"
)
# A mid-sentence question in a sentence this short is asked with all of it.
WHOLE_SENTENCE_WORDS = 20
# Words before a mid-sentence question start, at least: "so does he..." has one.
_MID_MIN_LEAD_WORDS = 3
# A few words asking for contact details: "contact helpline numbr pls".
_SHORT_REQUEST = re.compile(
    r"\b(?:numbers?|numbr|no\.|phone|email address|website|contact details)\b"
)
SHORT_REQUEST_WORDS = 6
_COMMA_PARTS = re.compile(r"[^,]+")
# Too short to be a question on its own ("why?", "ok?").
MIN_WORDS = 2


def is_question(sentence: Sentence) -> bool:
    if sentence.words < MIN_WORDS:
        return False
    if sentence.text.rstrip().endswith("?"):
        return True
    folded = spelled_out(fold(sentence.text))[0]
    opener = _OPENERS.match(folded)
    if opener and (
        _is_relative(folded[: opener.end()], folded) or _CONTINUES.match(folded[opener.end() :])
    ):
        opener = None
    if sentence.words <= SHORT_REQUEST_WORDS and _SHORT_REQUEST.search(folded):
        return True
    return bool(opener or _ASKING.search(folded))


def _is_relative(opening: str, folded: str) -> bool:
    """A "who", "which", "when" or "where" opening that starts a relative clause."""
    words = opening.split()
    start = folded.find(words[-1]) if words else -1
    if start < 0 or not _RELATIVE_OPENER.match(folded[start:]):
        return False
    return not _ASKS_AFTER_WH.match(folded[start:])


def _embedded_question(sentence: Sentence) -> Sentence | None:
    """A question that starts mid-sentence: the whole of a short sentence, or its
    last part from the question's start in a long one."""
    lowered = sentence.text.lower()  # not fold(): offsets must match the text
    if len(lowered) != len(sentence.text):
        return None
    spelled, origins = spelled_out(lowered)
    for match in _MID_QUESTION.finditer(spelled):
        lead = spelled[: match.start()]
        if len(lead.split()) < _MID_MIN_LEAD_WORDS:
            continue
        if sentence.words <= WHOLE_SENTENCE_WORDS:
            return sentence
        begins = origins[match.start()]
        text = sentence.text[begins:].strip()
        start = sentence.start + begins
        return Sentence(text, start, start + len(text))
    return None


def spelled_out(text: str) -> tuple[str, list[int]]:
    """`text` with its text speak spelled out ("hw" "how"), and for each character of
    the result (and its end), where it came from in `text`."""
    pieces: list[str] = []
    origins: list[int] = []
    last = 0
    for match in _SPEAK.finditer(text):
        pieces.append(text[last : match.start()])
        origins.extend(range(last, match.start()))
        word = _TEXT_SPEAK[match.group()]
        pieces.append(word)
        origins.extend([match.start()] * len(word))
        last = match.end()
    pieces.append(text[last:])
    origins.extend(range(last, len(text) + 1))
    return "".join(pieces), origins


def question_sentences(
    sentences: list[Sentence], skip: set[int] | frozenset[int] = frozenset()
) -> list[Sentence]:
    """The parts of the message that ask something, in order: whole sentences (not
    clauses), or the asking tail of a comma-spliced one."""
    risky_clauses = [sentences[i] for i in skip if sentences[i].clause]
    asked = []
    for index, sentence in enumerate(sentences):
        if sentence.clause:
            continue
        if index not in skip and is_question(sentence):
            asked.append(sentence)
            continue
        # A sentence that carried the risk can still end with a question of its own
        # ("..., what do i do"); it is asked when no risky clause overlaps it.
        tail = _asking_tail(sentence)
        # A run-on whose risk was placed in one of its clauses ("he has taken a packet
        # of paracetamol and i need to know how long the council has"): its other
        # clauses are read as a sentence after it would be.
        risk_placed = index in skip and not _only_part(sentence, risky_clauses)
        if tail is None and (index not in skip or risk_placed):
            tail = _embedded_question(sentence)
        if risk_placed and (tail is None or _overlaps_any(tail, risky_clauses)):
            tail = _asking_clause(sentences, sentence, skip) or tail
        if (
            tail is not None
            and not _overlaps_any(tail, risky_clauses)
            and (index not in skip or risk_placed)
        ):
            asked.append(tail)
    return asked


def _asking_clause(
    sentences: list[Sentence], sentence: Sentence, skip: set[int] | frozenset[int]
) -> Sentence | None:
    """The first clause of `sentence` that asks something and did not carry the risk."""
    for index, clause in enumerate(sentences):
        if (
            clause.clause
            and index not in skip
            and sentence.contains(clause)
            and is_question(clause)
        ):
            return clause
    return None


def _overlap(one: Sentence, other: Sentence) -> bool:
    return one.start < other.end and other.start < one.end


def _overlaps_any(part: Sentence, others: list[Sentence]) -> bool:
    return any(_overlap(part, other) for other in others)


def _only_part(sentence: Sentence, risky_clauses: list[Sentence]) -> bool:
    """A risky sentence none of whose clauses was flagged: the risk may be anywhere in it."""
    return not any(sentence.contains(clause) for clause in risky_clauses)


def _asking_tail(sentence: Sentence) -> Sentence | None:
    """The last comma-separated part of a sentence that asks something, if any."""
    parts = [m for m in _COMMA_PARTS.finditer(sentence.text) if m.group().strip()]
    if len(parts) < 2:
        return None
    for match in reversed(parts):
        text = match.group().strip()
        lead = match.group().index(text[0])
        part = Sentence(
            text,
            sentence.start + match.start() + lead,
            sentence.start + match.start() + lead + len(text),
        )
        if is_question(part):
            return part
    return None
