"""`python -m bot answers eval`: does the parent get the fact they asked for?

Each question of the held-out set (nlu_data/test/answers.yml, written by someone
who never saw the answer cards, never read by training) goes through the real
`Dispatcher.handle` on a fresh web chat whose privacy notice has been agreed, in
a throwaway SQLite database. Reported:

- top-1 and top-3: the ranked answer ids (the same reader, classifier and ranker
  the chat uses) against the record's `answer_ids`; a question the knowledge base
  cannot answer (`answer_ids: []`) is right only when nothing is answered;
- key fact: a key phrase in the first reply ("Are you asking about..." is a miss);
  an unanswerable question is right only when the bot says it doesn't know and
  offers a person;
- figures per topic, and latency: the reader plus ranking (p50/p95), and the whole
  `Dispatcher.handle` with its database step.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.config import Settings
from bot.core.types import Inbound, Reply
from bot.reading.answering import choose_answer

ANSWERS_SET = "test/answers.yml"
CHANNEL = "web"


@dataclass(slots=True)
class Question:
    text: str
    answer_ids: list[str]
    key_phrases: list[str]
    topic: str
    form: str


@dataclass(slots=True)
class Tally:
    right: int = 0
    total: int = 0

    def add(self, right: bool) -> None:
        self.right += int(right)
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass(slots=True)
class AnswersEvaluation:
    top1: Tally = field(default_factory=Tally)
    top3: Tally = field(default_factory=Tally)
    key_fact: Tally = field(default_factory=Tally)
    by_topic: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_form: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    reading_seconds: list[float] = field(default_factory=list)
    handle_seconds: list[float] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "questions": self.top1.total,
            "top1": round(self.top1.rate, 3),
            "top3": round(self.top3.rate, 3),
            "key_fact_first_reply": round(self.key_fact.rate, 3),
            "by_topic": {t: round(v.rate, 3) for t, v in sorted(self.by_topic.items())},
            "by_form": {f: round(v.rate, 3) for f, v in sorted(self.by_form.items())},
            "reading_ms": _percentiles(self.reading_seconds),
            "handle_ms": _percentiles(self.handle_seconds),
        }


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    ordered = sorted(seconds)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"p50": at(0.5), "p95": at(0.95), "max": round(ordered[-1] * 1000, 2)}


def load_questions(path: Path) -> list[Question]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions = []
    for item in document.get("questions") or []:
        questions.append(
            Question(
                text=str(item["text"]),
                answer_ids=[str(a) for a in item.get("answer_ids") or []],
                key_phrases=[str(k) for k in item.get("key_phrases") or []],
                topic=str(item.get("topic", "")),
                form=str(item.get("form", "short")),
            )
        )
    return questions


def _has_key_fact(reply: Reply | None, phrases: list[str]) -> bool:
    if reply is None or reply.kind != "answer":
        return False
    text = reply.text.casefold()
    return any(phrase.casefold() in text for phrase in phrases)


async def evaluate_answers(settings: Settings, questions: list[Question]) -> AnswersEvaluation:
    from bot.services import start_services

    result = AnswersEvaluation()
    services = await start_services(settings)
    try:
        content = services.content.current
        # Saying honestly that we don't know, with a person to ask: the "I don't know
        # that one" reply, or the kind word for a message that isn't about SEND.
        off_topic = content.node("topics", "out_of_scope")
        honest = {content.system_text("no_answer"), off_topic.say if off_topic else None}
        for question in questions:
            chat = f"eval-{uuid.uuid4().hex}"
            dispatcher = services.dispatcher
            await dispatcher.handle(Inbound(CHANNEL, chat, payload="global:start"))
            await dispatcher.handle(Inbound(CHANNEL, chat, payload="global:agree"))
            # The ranking the chat uses, timed: reader, intent prior, ranker.
            started = time.perf_counter()
            reading = services.reader.read(question.text, content.crisis_rules)
            prediction = await services.nlu.predict(question.text)
            asked = [q.text for q in reading.questions]
            choice = choose_answer(
                content.answer_index,
                asked or [question.text],
                question.text,
                dict(prediction.ranking),
                asked=bool(asked),
            )
            result.reading_seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            replies = await dispatcher.handle(
                Inbound(CHANNEL, chat, message_id=uuid.uuid4().hex, text=question.text)
            )
            result.handle_seconds.append(time.perf_counter() - started)
            ranked = [hit.answer_id for hit in choice.hits]
            first = next((r for r in replies if r.kind != "crisis"), None)
            if question.answer_ids:
                top1 = bool(ranked) and ranked[0] in question.answer_ids
                top3 = any(a in question.answer_ids for a in ranked[:3])
                key_fact = _has_key_fact(first, question.key_phrases) or (
                    not question.key_phrases and top1
                )
            else:
                top1 = top3 = choice.kind == "unknown"
                key_fact = first is not None and first.text in honest
            result.top1.add(top1)
            result.top3.add(top3)
            result.key_fact.add(key_fact)
            result.by_topic[question.topic].add(key_fact)
            result.by_form[question.form].add(key_fact)
            if not key_fact:
                result.misses.append(
                    {
                        "text": question.text[:160],
                        "expected": question.answer_ids,
                        "got": ranked[:3],
                        "kind": choice.kind,
                        "first_reply": (first.text[:120] if first else ""),
                    }
                )
    finally:
        await services.close()
    return result


def run_answers_eval(
    settings: Settings,
    out: TextIO = sys.stdout,
    as_json: bool = False,
    show_misses: bool = False,
    path: Path | None = None,
) -> int:
    source = path or settings.nlu_data_dir / ANSWERS_SET
    if not source.exists():
        print(f"champion: no answers set at {source}", file=sys.stderr)
        return 1
    questions = load_questions(source)
    with tempfile.TemporaryDirectory() as scratch:
        # A throwaway database: the evaluation's chats are no family's.
        isolated = settings.model_copy(
            update={"database_url": f"sqlite:///{Path(scratch) / 'eval.sqlite3'}"}
        )
        result = asyncio.run(evaluate_answers(isolated, questions))
    figures = result.as_dict()
    if as_json:
        out.write(json.dumps(figures, indent=2) + "\n")
        return 0
    print(f"questions: {figures['questions']} ({source.name})", file=out)
    print(f"top-1: {figures['top1']:.3f}  top-3: {figures['top3']:.3f}", file=out)
    print(f"key fact in the first reply: {figures['key_fact_first_reply']:.3f}", file=out)
    reading, handle = figures["reading_ms"], figures["handle_ms"]
    print(
        f"answer time (reader + ranking): p50 {reading['p50']} ms, p95 {reading['p95']} ms; "
        f"whole handle: p50 {handle['p50']} ms, p95 {handle['p95']} ms",
        file=out,
    )
    print(
        "key fact by form: " + ", ".join(f"{k} {v:.3f}" for k, v in figures["by_form"].items()),
        file=out,
    )
    for topic, rate in figures["by_topic"].items():
        print(f"  {topic:28s} {rate:.3f} ({result.by_topic[topic].total})", file=out)
    if show_misses:
        for miss in result.misses:
            print(f"MISS: {json.dumps(miss, ensure_ascii=False)}", file=out)
    return 0
