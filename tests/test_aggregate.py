"""National aggregates against hand-computed values on tests/national_fixture.py."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from readiness.core.questionnaire import get_questionnaire
from readiness.national import aggregate as ag
from readiness.national.aggregate import Filters
from readiness.national.params import ParamError, RegionNotInCountry, parse_params
from readiness.national.records import Records
from tests.national_fixture import DIMENSIONS, records

Q = get_questionnaire()
SMALL = "fewer than 5"


@pytest.fixture(scope="module")
def tables() -> ag.Tables:
    """The fixture as frames."""
    return ag.tables(records(), DIMENSIONS)


def trust(items: list[ag.DimensionSummary]) -> ag.DimensionSummary:
    return next(d for d in items if d.id == "trust")


def test_latest_assessment_per_municipality_is_the_highest_round(tables: ag.Tables):
    sel = ag.select(tables, Filters())
    latest = dict(zip(sel.latest["name"], sel.latest["public_id"], strict=True))
    assert latest == {"A": "a2", "B": "b2", "C": "c1", "D": "d2", "E": "e1", "F": "f1"}


def test_dimension_distribution_matches_hand_computation(tables: ag.Tables):
    # latest trust scores: 60, 45, 70, 80, 90 and F without a score
    d = trust(ag.dimension_summaries(ag.select(tables, Filters()), Q, min_cell=1))
    assert (d.scored, d.insufficient) == (5, 1)
    assert (d.mean, d.median, d.q1, d.q3) == (69.0, 70.0, 60.0, 80.0)
    levels = {lv.id: (lv.count, lv.share) for lv in d.levels}
    assert levels == {"concern": (1, round(1 / 6, 2)), "borderline": (2, round(2 / 6, 2)),
                      "strength": (2, round(2 / 6, 2)),
                      "insufficient_data": (1, round(1 / 6, 2))}
    assert (d.divergent, d.divergent_share) == (1, round(1 / 6, 2))


def test_small_cells_are_suppressed_as_text_never_numbers(tables: ag.Tables):
    d = trust(ag.dimension_summaries(ag.select(tables, Filters()), Q))
    # 5 scored and 1 without a score add up to the 6 assessed shown in the overview: the lone
    # small count would follow from the total, so the scored count is hidden with it
    assert (d.scored, d.insufficient) == (SMALL, SMALL)
    assert d.mean == 69.0  # still resting on 5 municipalities
    assert all(lv.count == SMALL and lv.share == SMALL for lv in d.levels)
    assert d.divergent == SMALL
    assert d.divergent_share == SMALL
    region = ag.select(tables, Filters(region="R1"))  # three municipalities
    r1 = trust(ag.dimension_summaries(region, Q))
    assert (r1.scored, r1.mean, r1.median, r1.q1, r1.q3) == (SMALL,) * 5
    rows = ag.breakdown(ag.select(tables, Filters()), "region")
    assert all(row.municipalities == SMALL and row.overall == SMALL for row in rows)
    assert all(value == SMALL for row in rows for value in row.scores.values())


def test_barrier_frequency_counts_latest_rounds_only(tables: ag.Tables):
    found = {b.id: (b.count, b.share)
             for b in ag.barrier_frequency(ag.select(tables, Filters()), Q)}
    assert found["lack_of_trust"] == (5, round(5 / 6, 2))
    assert found["legal_uncertainty"] == (SMALL, SMALL)
    assert found["unclear_roles"] == (0, 0.0)  # only in A's first round
    first = ag.barrier_frequency(ag.select(tables, Filters()), Q)[0]
    assert first.id == "lack_of_trust"


def test_progress_pairs_previous_and_latest_rounds(tables: ag.Tables):
    # A 40 -> 60, B 50 -> 45, D 30 -> 80
    p = next(x for x in ag.progress(ag.select(tables, Filters()), Q, min_cell=1)
             if x.id == "trust")
    assert (p.pairs, p.before, p.after, p.change) == (3, 40.0, 61.7, 21.7)
    assert (p.improved, p.stable, p.declined) == (2, 0, 1)
    suppressed = next(x for x in ag.progress(ag.select(tables, Filters()), Q) if x.id == "trust")
    assert {suppressed.pairs, suppressed.before, suppressed.change, suppressed.improved} == {SMALL}


def test_filters_combine(tables: ag.Tables):
    def names(f: Filters) -> set[str]:
        return set(ag.select(tables, f).latest["name"])

    assert names(Filters(country="FR")) == set()
    assert names(Filters(region="R1")) == {"A", "B", "C"}
    assert names(Filters(country="BE", band="under_10k")) == {"E"}
    assert names(Filters(since=date(2026, 1, 1))) == {"A", "B", "D"}
    first = ag.select(tables, Filters(round=1))
    assert dict(zip(first.latest["name"], first.latest["round"], strict=True)) == dict.fromkeys(
        "ABCDEF", 1)
    assert names(Filters(region="R1", until=date(2025, 2, 15))) == {"A", "B"}
    assert ag.select(tables, Filters(until=date(2025, 12, 31))).previous.empty


def test_overview_counts_and_means(tables: ag.Tables):
    ov = ag.overview(ag.select(tables, Filters()), Q, min_cell=1)
    assert (ov.municipalities, ov.assessed, ov.never_assessed) == (7, 6, 1)
    assert ov.assessed_share == round(6 / 7, 2)
    assert ov.overall_mean == 69.0
    assert (ov.formal_structure, ov.no_structure) == (2, 2)  # A, E formal; B none, D ad hoc
    assert (ov.first_date, ov.last_date) == (date(2025, 3, 1), date(2026, 3, 1))


def test_breakdown_by_region_with_small_threshold(tables: ag.Tables):
    rows = {r.key: r for r in ag.breakdown(ag.select(tables, Filters()), "region", min_cell=1)}
    assert rows["R1"].municipalities == 3
    assert rows["R1"].overall == 58.3
    assert rows["R2"].municipalities == 3
    assert rows["R2"].scores["trust"] == 85.0


def test_population_bands_come_in_size_order_not_text_order(tables: ag.Tables):
    sel = ag.select(tables, Filters())
    # as text "10k_50k" sorts before "under_10k"; by size, the smallest band comes first
    assert [row.key for row in ag.breakdown(sel, "band", min_cell=1)] == ["under_10k", "10k_50k"]
    by_band = ag.municipality_table(sel, "band")
    assert by_band.rows[0].name == "E"
    assert ag.municipality_table(sel, "band", descending=True).rows[-1].name == "E"
    assert ag.by_size(["over_250k", "100k_250k", "10k_50k", "under_10k", "50k_100k"]) == [
        "under_10k", "10k_50k", "50k_100k", "100k_250k", "over_250k"]
    assert ag.by_name(["Uusimaa", "antwerpen", "Bavaria"]) == ["antwerpen", "Bavaria", "Uusimaa"]


def test_peer_benchmark_compares_with_same_country_and_band(tables: ag.Tables):
    # A (60) against B 45, C 70, D 80 and F (no score); E is smaller, G in another country
    bench = ag.peer_benchmark(tables, "a2", Q, min_cell=1)
    assert bench is not None
    assert (bench.country, bench.band, bench.peers) == ("BE", "10k_50k", 4)
    t = next(p for p in bench.dimensions if p.id == "trust")
    assert (t.score, t.peers, t.peer_median, t.below_share) == (60.0, 3, 70.0, 0.33)
    hidden = ag.peer_benchmark(tables, "a2", Q)
    assert hidden is not None
    assert hidden.peers == SMALL
    assert next(p for p in hidden.dimensions if p.id == "trust").peer_median == SMALL
    assert ag.peer_benchmark(tables, "nope", Q) is None


def test_municipality_table_sorts_with_missing_values_last(tables: ag.Tables):
    sel = ag.select(tables, Filters())
    down = ag.municipality_table(sel, "trust", descending=True)
    assert [r.name for r in down.rows] == ["E", "D", "C", "A", "B", "F", "G"]
    up = ag.municipality_table(sel, "trust")
    assert [r.name for r in up.rows] == ["B", "A", "C", "D", "E", "F", "G"]
    page = ag.municipality_table(sel, "name", per_page=3, page=3)
    assert ([r.name for r in page.rows], page.total, page.pages) == (["G"], 7, 3)
    a = next(r for r in up.rows if r.name == "A")
    assert (a.round, a.change, a.gaps) == (2, 20.0, ("trust",))
    assert set(a.barriers) == {"lack_of_trust", "legal_uncertainty"}
    with pytest.raises(ValueError, match="unknown sort key"):
        ag.municipality_table(sel, "password")


def test_need_ranking_weighs_weakness_structure_staleness_and_decline(tables: ag.Tables):
    ranked = ag.need_ranking(ag.select(tables, Filters()), Q, today=date(2026, 6, 1))
    by_name = {r.name: r for r in ranked}
    # B: weakness (100-45)*0.6=33, 5 concerns*8=40, no structure 20, fell 5 points 10
    assert by_name["B"].need == 103.0
    assert "No local cooperation structure yet" in by_name["B"].reasons
    assert "Overall fell 5 points since the last round" in by_name["B"].reasons
    assert by_name["G"].need == ag.municipal.NEVER_ASSESSED_NEED
    assert by_name["G"].reasons == ("Never assessed: readiness unknown",)
    assert ranked[0].name == "B"
    assert by_name["E"].need < by_name["C"].need < by_name["B"].need
    stale = {r.name: r for r in ag.need_ranking(ag.select(tables, Filters()), Q,
                                                today=date(2027, 6, 1))}
    assert "Last assessed 27 months ago" in stale["C"].reasons


@pytest.mark.parametrize(("args", "message"), [
    ({"sort": ["password"]}, "unknown sort key"),
    ({"since": ["2026-13-01"]}, "since must be a date"),
    ({"until": ["yesterday"]}, "until must be a date"),
    ({"country": ["ZZ"]}, "unknown country"),
    ({"region": ["Atlantis"]}, "unknown region"),
    ({"band": ["huge"]}, "unknown population band"),
    ({"round": ["0"]}, "round must be a whole number"),
    ({"page": ["-1"]}, "page must be a whole number"),
    ({"page": ["\u00b2"]}, "page must be a whole number"),  # isdigit() but not int()
    ({"per_page": ["\u2460"]}, "per_page must be a whole number"),
    ({"order": ["sideways"]}, "order must be asc or desc"),
    ({"debug": ["1"]}, "unknown parameter"),
    ({"country": ["BE", "FR"]}, "more than once"),
])
def test_parameters_outside_the_allow_list_are_refused(args, message):
    with pytest.raises(ParamError, match=message):
        parse_params(args, countries={"BE", "FR"}, regions={"R1"}, dimensions=DIMENSIONS)


def test_parameters_within_the_allow_list_become_filters():
    params = parse_params({"country": ["be"], "region": ["R1"], "since": ["2025-01-01"],
                           "round": ["2"], "sort": ["trust"], "order": ["desc"],
                           "page": ["2"], "band": [""]},
                          countries={"BE"}, regions={"R1"}, dimensions=DIMENSIONS)
    assert params.filters == Filters(country="BE", region="R1", since=date(2025, 1, 1), round=2)
    assert (params.sort, params.descending, params.page) == ("trust", True, 2)
    assert params.query(page=None) == {"country": "BE", "region": "R1", "since": "2025-01-01",
                                       "round": "2", "sort": "trust", "order": "desc"}


def test_a_region_must_belong_to_the_chosen_country():
    known = {"BE": ["R1", "R2"], "FR": ["R3"]}

    def parse(**args: str):
        return parse_params({k: [v] for k, v in args.items()}, countries=set(known),
                            regions={"R1", "R2", "R3"}, regions_by_country=known,
                            dimensions=DIMENSIONS)

    assert parse(country="be", region="R2").filters == Filters(country="BE", region="R2")
    assert parse(region="R3").filters == Filters(region="R3")  # no country: any known region
    with pytest.raises(RegionNotInCountry, match="'R3' is not a region of BE; its regions: R1, R2"):
        parse(country="BE", region="R3")
    with pytest.raises(ParamError, match="unknown region"):
        parse(country="BE", region="Atlantis")


def test_pandas_is_imported_only_by_the_aggregate_package():
    root = Path(__file__).parents[1] / "readiness"
    importers = {p.relative_to(root).as_posix() for p in root.rglob("*.py")
                 if re.search(r"^\s*(import pandas|from pandas)", p.read_text(), re.M)}
    assert importers
    assert all(path.startswith("national/aggregate/") for path in importers), importers


def test_an_empty_selection_gives_empty_views_not_errors(tables: ag.Tables):
    empty = Filters(country="FR", round=3)
    data = ag.dashboard(tables, Q, empty, today=date(2026, 6, 1))
    assert data.need == [] or all(r.name == "G" for r in data.need)
    assert data.overview.assessed == 0
    assert data.table.rows[0].name == "G"
    none = ag.select(tables, Filters(region="R3", band="under_10k"))
    assert ag.need_ranking(none, Q, today=date(2026, 6, 1)) == []
    assert ag.municipality_table(none).rows == []
    assert all(d.mean is None and d.scored == 0 for d in ag.dimension_summaries(none, Q))


@pytest.mark.parametrize(("counts", "hidden"), [
    ([10, 3, 20], {1, 0}),  # one small count: the smallest other goes with it
    ([10, 3, 2, 20], {1, 2}),  # two small counts: neither follows from the total
    ([10, 0, 20], set()),
    ([3, 0, 0], {0}),  # nothing else to hide
    ([0, 0], set()),
])
def test_a_lone_small_count_takes_the_next_smallest_with_it(counts, hidden):
    assert ag.hidden(counts, 5) == hidden


def test_complementary_suppression_in_levels_and_breakdowns(tables: ag.Tables):
    # R1 latest trust: B 45 (concern), A 60 and C 70 (borderline); with a threshold of 2 the
    # lone concern would follow from the total of 3, so borderline is hidden too
    r1 = trust(ag.dimension_summaries(ag.select(tables, Filters(region="R1")), Q, min_cell=2))
    levels = {lv.id: lv.count for lv in r1.levels}
    assert levels == {"concern": "fewer than 2", "borderline": "fewer than 2", "strength": 0}
    # by band: under_10k has only E, so 10k_50k (the only other band) is hidden as well
    bands = ag.breakdown(ag.select(tables, Filters()), "band", min_cell=2)
    assert {row.key: row.municipalities for row in bands} == {
        "10k_50k": "fewer than 2", "under_10k": "fewer than 2"}
    assert all(v == "fewer than 2" for row in bands for v in row.scores.values())


def test_extending_kept_tables_with_newly_closed_assessments_equals_reading_everything():
    full = records()
    late = {22, 42}  # B's and D's second rounds close after the tables were kept
    early = Records(full.municipalities,
                       [a for a in full.assessments if a[0] not in late],
                       [s for s in full.scores if s[0] not in late],
                       [b for b in full.barriers if b[0] not in late])
    added = Records([], [a for a in full.assessments if a[0] in late],
                       [s for s in full.scores if s[0] in late],
                       [b for b in full.barriers if b[0] in late])
    kept = ag.tables(early, DIMENSIONS)
    assert ag.select(kept, Filters()).latest.set_index("name")["public_id"]["B"] == "b1"

    extended = ag.extend(kept, added)
    everything = ag.tables(full, DIMENSIONS)
    today = date(2026, 11, 27)
    assert (ag.dashboard(extended, Q, Filters(), today=today, min_cell=1)
            == ag.dashboard(everything, Q, Filters(), today=today, min_cell=1))
    assert len(extended.assessments) == len(everything.assessments)


def test_extending_with_assessments_already_kept_counts_none_twice():
    kept = ag.tables(records(), DIMENSIONS)
    full = records()
    assert ag.extend(kept, Records([], full.assessments, full.scores, full.barriers)) is kept
    early = Records(full.municipalities, [a for a in full.assessments if a[0] != 42],
                    [s for s in full.scores if s[0] != 42],
                    [b for b in full.barriers if b[0] != 42])
    # a read racing a close returns one new assessment beside all those already kept
    extended = ag.extend(ag.tables(early, DIMENSIONS),
                         Records([], full.assessments, full.scores, full.barriers))
    assert sorted(extended.assessments["id"]) == sorted(a[0] for a in full.assessments)
    assert extended.wide.index.is_unique
    assert list(extended.barriers.index).count(42) == 1
