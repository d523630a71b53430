"""The draft-plan checker: a 30-page plan read and checked within 2 seconds (issue #19),
and the evaluation figures with their floors.

1. A 30-page PDF and a 30-page .docx (built here, each page a Section F-like block of
   vague and specific provision), read, Section F found, every sentence checked:
   median and worst of several runs, on this machine.
2. `python -m bot plan eval --json` figures (precision and recall for "vague",
   Section F found), when the test set is there; floors 0.9 each.

    .venv/bin/python -m benchmarks.plan_check [--runs 5]

Figures go to benchmarks/results/plan_check.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict
from pathlib import Path

from bot.plan import evaluate as plan_evaluate
from bot.plan.checker import check_text
from bot.plan.reading import read_upload
from bot.plan.section_f import find_section_f
from tests.plan_files import PLAN_LINES, plan_docx, plan_pdf

RESULTS = Path(__file__).parent / "results"
PAGES = 30
LIMIT_SECONDS = 2.0
FLOOR = 0.9


def thirty_pages() -> list[list[str]]:
    provision = PLAN_LINES[10:14]
    body = [*PLAN_LINES[:10]]
    pages = [body]
    for _ in range(PAGES - 1):
        pages.append(provision * 12)  # about 48 provision sentences a page
    pages[-1] = pages[-1] + PLAN_LINES[14:]
    return pages


def time_check(name: str, data: bytes, runs: int) -> dict[str, float | int]:
    times: list[float] = []
    sentences = 0
    for _ in range(runs):
        started = time.perf_counter()
        text = read_upload(name, data).text
        result = check_text(find_section_f(text).text)
        times.append(time.perf_counter() - started)
        sentences = len(result.findings)
    return {
        "median_s": round(statistics.median(times), 4),
        "worst_s": round(max(times), 4),
        "sentences": sentences,
        "bytes": len(data),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pages = thirty_pages()
    figures: dict[str, object] = {
        "pages": PAGES,
        "limit_s": LIMIT_SECONDS,
        "pdf": time_check("plan.pdf", plan_pdf(pages), args.runs),
        "docx": time_check(
            "plan.docx", plan_docx([line for page in pages for line in page]), args.runs
        ),
    }
    ok = all(figures[kind]["worst_s"] <= LIMIT_SECONDS for kind in ("pdf", "docx"))  # type: ignore[index]
    if plan_evaluate.TEST_SENTENCES.exists() or plan_evaluate.TEST_PLANS.is_dir():
        evaluation = asdict(plan_evaluate.evaluate())
        figures["eval"] = evaluation
        for key in ("precision", "recall", "section_f_found"):
            value = evaluation[key]
            if value is not None and value < FLOOR:
                ok = False
    else:
        figures["eval"] = "no test set yet (nlu_data/test/plan_sentences.yml, plans/)"
    figures["meets_floors"] = ok
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "plan_check.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
