"""The national frames hold each repeated text once, so keeping and reading them stays cheap.

The database hands every row its own copy of a region, a level or a barrier id; frames of
10,000 municipalities held 300,000 such copies, which the kept file stored one by one.
"""

from __future__ import annotations

import pickle

from readiness.national import aggregate as ag
from readiness.national.records import Records


def _copy(text: str) -> str:
    """An equal text that is another object, as each database row gives."""
    return "".join(list(text))


def _records() -> Records:
    towns = [(i, f"m{i}", f"Town {i}", _copy("BE"), _copy("Flanders"), _copy("10k_50k"))
             for i in (1, 2, 3)]
    rounds = [(i, f"a{i}", i, 1, "2026-01-01", 50.0, _copy("building"), 6, _copy("ad_hoc"))
              for i in (1, 2, 3)]
    scores = [(i, _copy("trust"), 50.0, _copy("concern"), 0) for i in (1, 2, 3)]
    barriers = [(i, _copy("health_social_absent,no_legal_basis")) for i in (1, 2, 3)]
    facts = [(i, "survey", '{"police": 3, "health": 3}', '["police", "health"]', None)
             for i in (1, 2, 3)]
    return Records(towns, rounds, scores, barriers, facts)


def test_repeated_texts_are_one_object_each_in_the_frames_and_the_kept_file():
    t = pickle.loads(pickle.dumps(ag.tables(_records(), ("trust",)), protocol=5))
    for frame, column in ((t.municipalities, "region"), (t.municipalities, "country"),
                          (t.municipalities, "band"), (t.assessments, "stage"),
                          (t.assessments, "formality"), (t.wide, "level:trust")):
        values = list(frame[column])
        assert all(v is values[0] for v in values), column
    first, *rest = (t.barriers[i] for i in (1, 2, 3))
    assert all(a is b for other in rest for a, b in zip(first, other, strict=True))


def test_the_facts_kept_as_text_still_decide_comparability():
    records = _records()
    later = Records(records.municipalities,
                    [*records.assessments, (4, "a4", 1, 2, "2027-01-01", 55.0, "building", 3,
                                            "ad_hoc")],
                    records.scores, records.barriers,
                    [*records.facts, (4, "survey", '{"police": 3}', '["police"]', None)])
    t = ag.tables(later, ("trust",), ag.Rules(order=("police", "health")))
    reasons = dict(zip(t.assessments["id"], t.assessments["not_comparable"], strict=True))
    assert reasons[1] == ()
    assert reasons[4] != ()  # health took part in round 1 only
