"""Small groups are not shown, and a hidden agency cannot be worked out from the others."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from readiness.core.privacy import hidden_reasons, shown_agencies


def test_agencies_with_enough_respondents_are_shown_in_the_given_order():
    counts = {"health": 3, "police": 5, "education": 4}
    assert shown_agencies(counts, 3, order=["police", "health", "education"]) == (
        "police", "health", "education")


def test_one_small_agency_hides_the_smallest_other_agency_too():
    counts = {"police": 5, "health": 1, "education": 3, "youth_work": 4}
    assert shown_agencies(counts, 3) == ("police", "youth_work")


def test_two_small_agencies_need_no_extra_suppression():
    counts = {"police": 5, "health": 1, "education": 2, "youth_work": 4}
    assert shown_agencies(counts, 3) == ("police", "youth_work")


def test_a_workshop_shows_every_agency_because_its_answers_are_agreed_not_personal():
    counts = {"police": 1, "health": 1}
    assert shown_agencies(counts, 3, workshop=True) == ("police", "health")


def test_agencies_without_respondents_are_not_listed():
    assert shown_agencies({"police": 4, "health": 0}, 3) == ("police",)


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e", "f"]),
                       st.integers(min_value=1, max_value=8), min_size=1),
       st.integers(min_value=1, max_value=5))
def test_a_single_hidden_agency_never_follows_from_the_shown_ones(counts, minimum):
    shown = shown_agencies(counts, minimum)
    hidden = [a for a in counts if a not in shown]
    assert all(counts[a] >= minimum for a in shown)
    # one hidden agency with others shown would be recoverable from the municipality's mean
    assert len(hidden) != 1 or not shown


def test_a_hidden_agency_says_whether_it_was_too_small_or_hidden_to_protect_another():
    counts = {"police": 3, "health": 3, "education": 1}
    shown = shown_agencies(counts, 3, order=["police", "health", "education"])
    assert shown == ("health",)
    assert hidden_reasons(counts, shown, 3) == (("education",), ("police",))


def test_two_small_agencies_protect_each_other_and_hide_no_one_else():
    counts = {"police": 5, "health": 1, "education": 2, "youth_work": 4}
    assert hidden_reasons(counts, shown_agencies(counts, 3), 3) == (("health", "education"), ())
