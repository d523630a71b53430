"""Knowledge search latency over the whole knowledge base (target: p95 under 20 ms).

    .venv/bin/python -m benchmarks.knowledge_search

Uses every held-out NLU message as a query (parents' own words, typos included),
each searched 10 times, one at a time as the runner does.
"""

from __future__ import annotations

import time

from benchmarks.timing import percentile_ms
from bot.config import PROJECT_ROOT
from bot.knowledge.articles import load_library
from bot.knowledge.search import KnowledgeIndex
from bot.nlu.data import TrainingData, read_file


def main() -> None:
    library = load_library(PROJECT_ROOT / "knowledge")
    started = time.perf_counter()
    index = KnowledgeIndex(list(library.articles.values()))
    build_ms = (time.perf_counter() - started) * 1000
    queries = TrainingData()
    read_file(PROJECT_ROOT / "nlu_data" / "test" / "test_nlu.yml", "test", queries)
    texts = [t for examples in queries.examples.values() for t in examples]
    latencies = []
    for _ in range(10):
        for text in texts:
            started = time.perf_counter()
            index.search(text)
            latencies.append(time.perf_counter() - started)
    print(f"articles: {len(library.articles)}, index built in {build_ms:.0f} ms")
    print(f"queries: {len(latencies)}")
    for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        print(f"{name} {percentile_ms(latencies, fraction):.2f} ms")


if __name__ == "__main__":
    main()
