"""A small national fixture whose aggregates are computed by hand in tests/test_aggregate.py.

Seven municipalities; every assessment has the same score on all five dimensions (and an
overall equal to it), so each figure below can be checked with a pencil:

    muni  country region band       round 1 (date, score)  round 2 (date, score)  structure
    A     BE      R1     10k_50k    2025-01-10  40          2026-01-10  60         formal
    B     BE      R1     10k_50k    2025-02-01  50          2026-02-01  45         none
    C     BE      R1     10k_50k    2025-03-01  70          -                      informal_regular
    D     BE      R2     10k_50k    2025-01-15  30          2026-03-01  80         ad_hoc
    E     BE      R2     under_10k  2025-05-01  90          -                      formal
    F     BE      R2     10k_50k    2025-06-01  None        -                      (none given)
    G     FR      R3     10k_50k    never assessed

Barriers of the latest rounds: lack_of_trust in A2, B2, C1, E1, F1; legal_uncertainty in A2, D2;
unclear_roles only in A1 (not a latest round). A2 has a perception gap on trust.
"""

from __future__ import annotations

from datetime import date

from readiness.national.records import Records

DIMENSIONS = ("trust", "role_clarity", "legal_basis", "tools", "training")
MUNICIPALITIES = [
    (1, "pa", "A", "BE", "R1", "10k_50k"),
    (2, "pb", "B", "BE", "R1", "10k_50k"),
    (3, "pc", "C", "BE", "R1", "10k_50k"),
    (4, "pd", "D", "BE", "R2", "10k_50k"),
    (5, "pe", "E", "BE", "R2", "under_10k"),
    (6, "pf", "F", "BE", "R2", "10k_50k"),
    (7, "pg", "G", "FR", "R3", "10k_50k"),
]
# (assessment id, public id, municipality id, round, date, score, structure)
ASSESSMENTS = [
    (11, "a1", 1, 1, date(2025, 1, 10), 40.0, "formal"),
    (12, "a2", 1, 2, date(2026, 1, 10), 60.0, "formal"),
    (21, "b1", 2, 1, date(2025, 2, 1), 50.0, "none"),
    (22, "b2", 2, 2, date(2026, 2, 1), 45.0, "none"),
    (31, "c1", 3, 1, date(2025, 3, 1), 70.0, "informal_regular"),
    (41, "d1", 4, 1, date(2025, 1, 15), 30.0, "ad_hoc"),
    (42, "d2", 4, 2, date(2026, 3, 1), 80.0, "ad_hoc"),
    (51, "e1", 5, 1, date(2025, 5, 1), 90.0, "formal"),
    (61, "f1", 6, 1, date(2025, 6, 1), None, None),
]
FINDINGS = [
    (12, "barrier", "lack_of_trust"), (12, "barrier", "legal_uncertainty"),
    (22, "barrier", "lack_of_trust"), (31, "barrier", "lack_of_trust"),
    (42, "barrier", "legal_uncertainty"), (51, "barrier", "lack_of_trust"),
    (61, "barrier", "lack_of_trust"), (11, "barrier", "unclear_roles"),
    (51, "facilitator", "trust_established"),
]


def level_of(score: float | None) -> str:
    """The questionnaire's level for a score (concern < 50 <= borderline < 75 <= strength)."""
    if score is None:
        return "insufficient_data"
    return "concern" if score < 50 else ("borderline" if score < 75 else "strength")


def records() -> Records:
    """The fixture as database rows."""
    assessments = [(aid, pid, mid, rnd, day, score, "building", 12, structure)
                   for aid, pid, mid, rnd, day, score, structure in ASSESSMENTS]
    scores = [(aid, dim, score, level_of(score), aid == 12 and dim == "trust")
              for aid, _, _, _, _, score, _ in ASSESSMENTS for dim in DIMENSIONS]
    barriers: dict[int, list[str]] = {}
    for aid, kind, finding in FINDINGS:
        if kind == "barrier":
            barriers.setdefault(aid, []).append(finding)
    return Records(MUNICIPALITIES, assessments, scores,
                   [(aid, ",".join(found)) for aid, found in barriers.items()])
