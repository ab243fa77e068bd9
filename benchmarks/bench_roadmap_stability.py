"""How stable the roadmap's first phase is when the same municipality is asked again.

For each demo and hand-made profile (readiness.demo.roadmap_profiles), resample respondents
with replacement within each agency (a bootstrap: the same agencies, as many respondents each,
drawn from those who answered) and rebuild the roadmap. Prints the share of resamples whose
first-phase actions are the same set as the full sample's (aim: at least 90%), per version.
Prints figures; asserts nothing.
Run: python benchmarks/bench_roadmap_stability.py [--resamples N] [--version 1.0 1.1]
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict

from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.scoring import Answer
from readiness.demo.roadmap_profiles import Municipality, municipalities, responses, result_of


def resample(rows: list[Answer], rng: random.Random) -> list[Answer]:
    """Respondents drawn with replacement within their agency, renamed so repeats count twice."""
    by_respondent: dict[str, list[Answer]] = defaultdict(list)
    for row in rows:
        by_respondent[row.respondent].append(row)
    by_agency: dict[str, list[str]] = defaultdict(list)
    for respondent, answers in by_respondent.items():
        by_agency[answers[0].agency].append(respondent)
    out: list[Answer] = []
    for respondents in by_agency.values():
        for n in range(len(respondents)):
            drawn = rng.choice(respondents)
            out += [Answer(f"{drawn}#{n}", a.agency, a.item, a.value)
                    for a in by_respondent[drawn]]
    return out


def first_phase(q: Questionnaire, m: Municipality, rows: list[Answer],
                run_by: str | None) -> frozenset[str]:
    """The ids of the first-phase actions of the roadmap built on these answers."""
    roadmap = build_roadmap(q, result_of(q, m, rows), run_by=run_by)
    return frozenset(a.id for a in roadmap.phase(1))


def main() -> None:
    """Print the share of resamples with the same first phase, per profile and version."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resamples", type=int, default=100)
    parser.add_argument("--version", nargs="+", default=["1.0", "1.1"])
    args = parser.parse_args()
    for version in args.version:
        q = get_questionnaire(version=version)
        shares = []
        for m in municipalities():
            rows = responses(q, m)
            run_by = m.run_by if q.library.plan else None

            base = first_phase(q, m, rows, run_by)
            rng = random.Random(f"{m.profile.name}:resample")
            same = sum(first_phase(q, m, resample(rows, rng), run_by) == base
                       for _ in range(args.resamples))
            shares.append(same / args.resamples)
            print(f"{version}  {m.profile.name:32s} first phase {len(base):2d} actions, "
                  f"same in {same / args.resamples:6.1%} of {args.resamples} resamples")
        print(f"{version}  lowest {min(shares):.1%}, median {sorted(shares)[len(shares) // 2]:.1%}")


if __name__ == "__main__":
    main()
