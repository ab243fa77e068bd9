"""How long scoring (and roadmap building) takes for a country: 600 municipalities x 12 respondents.

Prints figures; asserts nothing. Baseline in the same run: parsing the same answers from CSV
text with the csv module alone, so the ratio says what scoring costs beyond reading the data.
Run: python benchmarks/bench_scoring.py [--municipalities N] [--respondents N]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time

from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.scoring import Answer, score


def make_country(municipalities: int, respondents: int, seed: int = 7) -> list[list[Answer]]:
    """Random but plausible answers: each municipality has its own leaning per dimension."""
    q = get_questionnaire()
    rng = random.Random(seed)
    agencies = list(q.agency_ids[:7])
    country = []
    for m in range(municipalities):
        lean = {d: rng.random() for d in q.dimension_ids}
        rows = []
        for r in range(respondents):
            agency = agencies[r % len(agencies)]
            for item in q.doc.items:
                options = sorted(q.options(item), key=lambda o: o.score or 0)
                if rng.random() < 0.08:
                    value = "dont_know"
                else:
                    pos = min(len(options) - 1, max(0, round(
                        lean[item.dimension or ""] * (len(options) - 1) + rng.gauss(0, 0.8))))
                    value = options[pos].value
                rows.append(Answer(f"m{m}r{r}", agency, item.id, value))
        country.append(rows)
    return country


def main() -> None:
    """Time scoring and roadmap building over a generated country and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--municipalities", type=int, default=600)
    parser.add_argument("--respondents", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    q = get_questionnaire()
    country = make_country(args.municipalities, args.respondents)
    answers = sum(len(rows) for rows in country)
    text = "\n".join(f"{a.respondent},{a.agency},{a.item},{a.value}"
                     for rows in country for a in rows)

    def run(fn) -> float:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    baseline = run(lambda: list(csv.reader(io.StringIO(text))))
    scoring = run(lambda: [score(q, rows) for rows in country])
    results = [score(q, rows) for rows in country]
    roadmaps = run(lambda: [build_roadmap(q, r) for r in results])
    print(f"{args.municipalities} municipalities x {args.respondents} respondents "
          f"({answers:,} answers, {len(q.doc.items)} items), median of {args.repeat}")
    print(f"csv parse only (baseline): {baseline * 1000:8.1f} ms")
    print(f"scoring:                   {scoring * 1000:8.1f} ms  "
          f"({scoring / args.municipalities * 1000:.2f} ms per municipality, "
          f"{scoring / baseline:.1f}x the csv baseline)")
    print(f"roadmaps:                  {roadmaps * 1000:8.1f} ms  "
          f"({roadmaps / args.municipalities * 1000:.2f} ms per municipality)")


if __name__ == "__main__":
    main()
