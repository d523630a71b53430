"""Answer ranking: which parts pay, and how fast (the ablation for the answers issue).

Two measurements, both of the ranker alone (reader, intent prior, AnswerIndex),
so each part can be switched off:

1. `--leave-one-out` (the tuning set): every question phrasing of every card is
   taken out of the index in turn and asked; is its own card first, in the top 3?
   The weights and thresholds in bot/knowledge/answer_index.py and
   bot/reading/answering.py were chosen on this, never on the held-out set.
2. The held-out set (nlu_data/test/answers.yml): top-1 and top-3 with each part
   on and off, and the ranking time per question (p50/p95).

The key fact in the first reply, through the real dispatcher, is
`python -m bot answers eval`; this script runs it too, unless `--no-eval`.

    .venv/bin/python -m benchmarks.answers [--leave-one-out] [--no-eval] [--file SET]

Tune with `--file nlu_data/dev/answers_dev.yml`, never on the held-out set.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import percentile_ms
from bot.answers_eval import ANSWERS_SET, load_questions, run_answers_eval
from bot.config import load_settings
from bot.knowledge.answer_index import ALL_PARTS, AnswerIndex, RankingParts
from bot.knowledge.articles import Library, load_library
from bot.nlu.service import InProcessNlu
from bot.reading.answering import choose_answer, decide
from bot.services import start_reader

RESULTS = Path(__file__).parent / "results"

ABLATIONS: dict[str, RankingParts] = {
    "all parts": ALL_PARTS,
    "no word n-grams": RankingParts(words=False),
    "no character n-grams": RankingParts(chars=False),
    "no context": RankingParts(context=False),
    "no intent prior": RankingParts(prior=False),
    "words only": RankingParts(chars=False, context=False, prior=False),
}


# Questions no card should answer, for tuning the "I don't know" threshold (our own,
# not the held-out set's).
UNANSWERABLE = [
    "whats the best trampoline for an autistic child",
    "what time does the tribunal office in leeds open on saturdays",
    "how much is carers allowance this year",
    "can you recommend a good dentist for children with autism in york",
    "what is the law on ehcps in scotland",
    "how do i get a blue badge for my car",
    "which supermarket has quiet hour on sundays",
    "is melatonin safe for a 6 year old",
    "what's the weather like for sports day tomorrow",
    "how do i reset my password on the school app",
    "what are the term dates for kent schools next year",
    "can i get a council tax reduction because my son is disabled",
    "who is the senco at st marys primary in bradford",
    "how long is the waiting list for camhs in norfolk right now",
    "what's the best app for visual timetables",
    "does the NHS pay for private speech therapy",
    "how do i apply for a passport for my disabled son",
    "can my ex stop me moving schools for our daughter",
    "what should i pack for a residential trip",
    "how many children are in a typical special school class",
]


def leave_one_out(library: Library, nlu: InProcessNlu) -> dict[str, Any]:
    """Each phrasing asked of the index as if it had never been written, and our own
    unanswerable questions; with the thresholds in bot/reading/answering.py."""
    index = AnswerIndex(library)
    total = top1 = top3 = answered = answered_right = 0
    for row, answer_id, question in index.phrasings():
        prior = dict(nlu.classifier.predict(question).ranking)
        hits = index.rank(question, question, prior, leave_out=row)
        ranked = [hit.answer_id for hit in hits]
        total += 1
        top1 += ranked[:1] == [answer_id]
        top3 += answer_id in ranked[:3]
        if decide(hits, unknown=len(index.unknown_words(question))) == "answer":
            answered += 1
            answered_right += ranked[0] == answer_id
    said_unknown = sum(
        decide(
            index.rank(q, q, dict(nlu.classifier.predict(q).ranking)),
            unknown=len(index.unknown_words(q)),
        )
        != "answer"
        for q in UNANSWERABLE
    )
    return {
        "phrasings": total,
        "top1": round(top1 / total, 3),
        "top3": round(top3 / total, 3),
        "answered": round(answered / total, 3),
        "answered_right": round(answered_right / max(answered, 1), 3),
        "unanswerable_not_answered": round(said_unknown / len(UNANSWERABLE), 3),
    }


def ablation(library: Library, nlu: InProcessNlu, path: Path) -> dict[str, Any]:
    settings = load_settings()
    reader = start_reader(settings)
    questions = [q for q in load_questions(path) if q.answer_ids]
    if not questions:
        return {"questions_with_an_answer": 0, "parts": {}}
    readings = [reader.read(q.text) for q in questions]
    priors = [dict(nlu.classifier.predict(q.text).ranking) for q in questions]
    results: dict[str, Any] = {}
    for name, parts in ABLATIONS.items():
        index = AnswerIndex(library, parts)
        top1 = top3 = 0
        seconds = []
        for question, reading, prior in zip(questions, readings, priors, strict=True):
            asked = [s.text for s in reading.questions] or [question.text]
            started = time.perf_counter()
            choice = choose_answer(index, asked, question.text, prior)
            seconds.append(time.perf_counter() - started)
            ranked = [hit.answer_id for hit in choice.hits]
            top1 += bool(ranked) and ranked[0] in question.answer_ids
            top3 += any(a in question.answer_ids for a in ranked[:3])
        results[name] = {
            "top1": round(top1 / len(questions), 3),
            "top3": round(top3 / len(questions), 3),
            "rank_p50_ms": round(percentile_ms(seconds, 0.5), 2),
            "rank_p95_ms": round(percentile_ms(seconds, 0.95), 2),
        }
    return {"questions_with_an_answer": len(questions), "parts": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leave-one-out", action="store_true", help="the tuning figures")
    parser.add_argument("--no-eval", action="store_true", help="skip the dispatcher eval")
    parser.add_argument(
        "--file",
        type=Path,
        help="the question set for the ablation and eval (default: the held-out set); "
        "tune with nlu_data/dev/answers_dev.yml",
    )
    args = parser.parse_args()
    settings = load_settings()
    library = load_library(settings.knowledge_dir)
    nlu = InProcessNlu.from_data(settings.nlu_data_dir, settings.classifier_cache_dir)
    figures: dict[str, Any] = {"cards": len(library.answers)}
    if args.leave_one_out:
        figures["leave_one_out"] = leave_one_out(library, nlu)
        print(f"leave-one-out: {json.dumps(figures['leave_one_out'])}")
    path = args.file or settings.nlu_data_dir / ANSWERS_SET
    if path.exists():
        figures["ablation"] = ablation(library, nlu, path)
        for name, row in figures["ablation"]["parts"].items():
            print(f"{name:22s} {json.dumps(row)}")
        if not args.no_eval:
            run_answers_eval(settings, path=path)
    RESULTS.mkdir(exist_ok=True)
    # Tuning runs on another set never overwrite the held-out figures.
    name = "answers.json" if args.file is None else f"answers-{path.stem}.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
