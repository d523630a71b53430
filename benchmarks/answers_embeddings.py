"""Would a MiniLM sentence model help the answer ranker? (the issue's semantic part)

For each question, through the real reader (its question sentence) and the shipped
ranker (word and character TF-IDF, context and the intent prior), every card's
lexical score is compared with the same score plus WEIGHT x the cosine between the
question's MiniLM embedding and the card's nearest phrasing, blended with the whole
message's for context as the ranker blends its own. Prints top-1 and top-3 for each
weight, the MiniLM alone, and the embedding time per question.

The model is optional, not a runtime dependency (see `make bench-embeddings`):

    .venv/bin/python -m benchmarks.answers_embeddings [--file SET ...]

Default: the three answers development sets. A held-out run measures; it tunes nothing
here, since nothing here is shipped.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.nlu_embeddings import MiniLM
from benchmarks.timing import percentile_ms
from bot.answers_eval import load_questions
from bot.config import PROJECT_ROOT, load_settings
from bot.knowledge.answer_index import AnswerIndex
from bot.knowledge.articles import load_library
from bot.nlu.service import InProcessNlu
from bot.services import start_reader

DEV_SETS = [PROJECT_ROOT / "nlu_data" / "dev" / f"answers_dev{n}.yml" for n in ("", "2", "3")]
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
CONTEXT_SHARE = 0.2  # the whole message's similarity, beside the question's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, action="append", help="a question set")
    sets: list[Path] = parser.parse_args().file or DEV_SETS
    settings = load_settings()
    library = load_library(settings.knowledge_dir)
    nlu = InProcessNlu.from_data(settings.nlu_data_dir, settings.classifier_cache_dir)
    reader = start_reader(settings)
    index = AnswerIndex(library)
    model = MiniLM()
    ids = list(library.answers)
    position = {answer_id: row for row, answer_id in enumerate(ids)}
    phrasings = [(row, q) for row, i in enumerate(ids) for q in library.answers[i][1].questions]
    started = time.perf_counter()
    phrasing_vectors = model.embed([q for _, q in phrasings])
    print(f"{len(phrasings)} card phrasings embedded in {time.perf_counter() - started:.0f} s")
    owners = np.array([row for row, _ in phrasings])
    group_starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])
    seconds: list[float] = []
    for path in sets:
        rows = []
        for question in load_questions(path):
            if not question.answer_ids:
                continue
            asked = [s.text for s in reader.read(question.text).questions]
            first = asked[0] if asked else question.text
            prior = dict(nlu.classifier.predict(question.text).ranking)
            lexical = np.zeros(len(ids))
            for hit in index.rank(first, question.text, prior, limit=len(ids)):
                lexical[position[hit.answer_id]] = hit.score
            clock = time.perf_counter()
            vectors = model.embed([first, question.text])
            seconds.append(time.perf_counter() - clock)
            nearest = [np.maximum.reduceat(phrasing_vectors @ v, group_starts) for v in vectors]
            semantic = (1 - CONTEXT_SHARE) * nearest[0] + CONTEXT_SHARE * nearest[1]
            good = {position[i] for i in question.answer_ids if i in position}
            rows.append((lexical, semantic, good))
        print(f"{path.name} ({len(rows)} questions with an answer):")
        for label, weight in [("MiniLM alone", None), *((f"+ {w} x MiniLM", w) for w in WEIGHTS)]:
            top1 = top3 = 0
            for lexical, semantic, good in rows:
                scores = semantic if weight is None else lexical + weight * semantic
                best = np.argsort(-scores)[:3].tolist()
                top1 += best[0] in good
                top3 += bool(good & set(best))
            print(f"  {label:16s} top-1 {top1 / len(rows):.3f}  top-3 {top3 / len(rows):.3f}")
    print(
        f"embedding the question and its message: p50 {percentile_ms(seconds, 0.5):.1f} ms, "
        f"p95 {percentile_ms(seconds, 0.95):.1f} ms (one onnxruntime thread)"
    )


if __name__ == "__main__":
    main()
