"""The roadmap's legal actions follow the law of the municipality's jurisdiction."""

from __future__ import annotations

import shutil

import pytest

from readiness.core.legal import WITH_BASIS, get_profiles, load_profiles, profiles_dir
from readiness.core.legal_roadmap import apply_legal, legal_wording
from readiness.core.questionnaire import get_questionnaire
from readiness.core.roadmap import build_roadmap
from readiness.core.scoring import Answer, score

PROTOCOL = "information_sharing_protocol"


def _weak_on_law(agencies=("local_authority", "police", "health", "social_services")):
    """Every agency answers the legal-basis statements with the least ready option."""
    q = get_questionnaire()
    rows = []
    for n, agency in enumerate(agencies):
        for item in q.doc.items:
            options = sorted(q.options(item), key=lambda o: o.score or 0)
            pick = options[0] if item.dimension == "legal_basis" else options[-2]
            rows.append(Answer(f"r{n}", agency, item.id, pick.value))
    return rows


def _plan(profile_id: str, answers=None):
    q = get_questionnaire()
    result = score(q, answers or _weak_on_law())
    return apply_legal(build_roadmap(q, result), q, result, get_profiles()[profile_id])


def _ids(roadmap) -> list[str]:
    return [a.id for a in roadmap.actions]


def test_the_same_answers_give_different_legal_actions_in_belgium_and_germany():
    belgium, germany = _plan("be"), _plan("de")
    assert PROTOCOL in _ids(belgium)
    assert PROTOCOL not in _ids(germany)
    assert "legal_routes_without_basis" in _ids(germany)
    protocol = next(a for a in belgium.actions if a.id == PROTOCOL)
    assert "Act of 30 July 2018" in protocol.what
    assert "458ter" in protocol.what
    assert "It cannot" in protocol.what
    assert any(f.startswith("Legal position in Belgium") for f in protocol.findings)


def test_finland_where_sharing_rests_on_consent_gets_a_consent_protocol():
    finland = _plan("fi")
    assert PROTOCOL not in _ids(finland)
    consent = next(a for a in finland.actions if a.id == "legal_consent_protocol")
    assert "consent" in consent.what
    assert "withdraw" in consent.what


@pytest.mark.parametrize("profile_id", sorted(
    p.id for p in get_profiles().values() if p.case_sharing.basis not in WITH_BASIS))
def test_without_a_basis_no_action_assumes_one(profile_id):
    roadmap = _plan(profile_id)
    ids = _ids(roadmap)
    assert PROTOCOL not in ids
    assert not any(PROTOCOL in a.depends_on for a in roadmap.actions)
    replacement = next(a for a in roadmap.actions if a.id in (
        "legal_routes_without_basis", "legal_consent_protocol"))
    assert "consent" in replacement.what
    if replacement.id == "legal_routes_without_basis":
        assert "would be unlawful" in replacement.what
        assert "knowledge, not personal data" in replacement.what
        assert "national level" in replacement.what
    for action in roadmap.actions:
        assert "Write and sign a protocol that says which information is shared" not in action.what


def test_a_data_protection_impact_assessment_comes_before_the_sharing():
    for profile_id in ("be", "de", "fi"):
        roadmap = _plan(profile_id)
        ids = _ids(roadmap)
        sharing = next(a for a in roadmap.actions if a.id in (
            PROTOCOL, "legal_routes_without_basis", "legal_consent_protocol"))
        assert ids.index("legal_dpia") < ids.index(sharing.id)
        assert "legal_dpia" in sharing.depends_on
    assert [a.priority for a in roadmap.actions] == list(range(1, len(ids) + 1))


def test_no_dpia_step_where_the_profile_expects_none(tmp_path):
    folder = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), folder)
    generic = folder / "eu.yaml"
    generic.write_text(generic.read_text(encoding="utf-8").replace(
        "  expected: true", "  expected: false"), encoding="utf-8")
    q = get_questionnaire()
    result = score(q, _weak_on_law())
    roadmap = apply_legal(build_roadmap(q, result), q, result, load_profiles(folder)["be"])
    assert "legal_dpia" not in _ids(roadmap)
    assert PROTOCOL in _ids(roadmap)


def test_an_agency_that_may_share_only_with_consent_is_named_when_it_took_part():
    with_health = next(a for a in _plan("de").actions if a.id == "legal_routes_without_basis")
    assert any(n.startswith("Health") and "consent" in n for n in with_health.notes)
    without = _plan("de", _weak_on_law(("local_authority", "police", "social_services")))
    routes = next(a for a in without.actions if a.id == "legal_routes_without_basis")
    assert not any(n.startswith("Health") for n in routes.notes)


def test_a_jurisdiction_with_a_basis_keeps_the_actions_of_the_plan():
    q = get_questionnaire()
    result = score(q, _weak_on_law())
    plain = build_roadmap(q, result)
    tailored = apply_legal(plain, q, result, get_profiles()["dk"])
    assert set(_ids(tailored)) == set(_ids(plain)) | {"legal_dpia"}


def test_the_new_actions_cite_sources_of_the_questionnaire():
    known = {s.id for s in get_questionnaire().doc.sources}
    words = legal_wording()
    for action in (words.consent_protocol, words.routes, words.dpia):
        assert action.evidence
        assert {e.source for e in action.evidence} <= known


def _weak_everywhere():
    q = get_questionnaire()
    return [Answer(f"r{n}", agency, item.id, min(q.options(item), key=lambda o: o.score or 0).value)
            for n, agency in enumerate(("local_authority", "police", "health"))
            for item in q.doc.items]


def test_an_added_legal_step_keeps_each_phase_within_its_capacity():
    q = get_questionnaire()
    result = score(q, _weak_everywhere())
    plain = build_roadmap(q, result)
    first, dated = plain.phase_one_capacity, plain.dated_capacity
    assert first is not None  # 1.1 sizes the plan to the municipality
    assert dated is not None
    assert len(plain.phase(1)) == first  # full before the legal steps are added
    assert len(plain.dated) == dated
    for profile_id in ("be", "de"):
        roadmap = apply_legal(plain, q, result, get_profiles()[profile_id])
        assert len(roadmap.phase(1)) == first
        assert len(roadmap.dated) == dated
        dpia = next(a for a in roadmap.actions if a.id == "legal_dpia")
        sharing = next(a for a in roadmap.actions if "legal_dpia" in a.depends_on)
        assert dpia.phase == sharing.phase
        place = {a.id: (a.phase, a.priority) for a in roadmap.actions}
        for action in roadmap.actions:
            for dep in action.depends_on:
                assert place[dep] < (action.phase, action.priority), (action.id, dep)


@pytest.mark.parametrize("profile_id", sorted(get_profiles()))
def test_weak_everywhere_the_protocol_or_its_legal_replacement_stays_dated(profile_id):
    q = get_questionnaire()
    result = score(q, _weak_everywhere())
    assert result.dimension("legal_basis").level == "concern"
    roadmap = apply_legal(build_roadmap(q, result), q, result, get_profiles()[profile_id])
    dated = [a.id for a in roadmap.dated]
    assert roadmap.dated_capacity is not None
    assert len(dated) <= roadmap.dated_capacity
    sharing = {PROTOCOL, "legal_routes_without_basis", "legal_consent_protocol"} & set(dated)
    assert len(sharing) == 1
    assert dated.index("map_legal_framework") < dated.index(sharing.pop())


@pytest.mark.parametrize("profile_id", ["be", "de"])
def test_an_added_legal_step_leaves_the_reassessment_dated_and_every_dated_action_a_due_month(
        profile_id):
    q = get_questionnaire()
    result = score(q, _weak_everywhere())
    roadmap = apply_legal(build_roadmap(q, result), q, result, get_profiles()[profile_id])
    reassess = next(a for a in roadmap.actions if a.id == "reassess_readiness")
    assert reassess.due_month == roadmap.reassess_after_months
    assert all(a.due_month is not None for a in roadmap.dated)
    assert all(a.due_month is None for a in roadmap.later)
    due = {a.id: a.due_month or 0 for a in roadmap.dated}
    for action in roadmap.dated:
        assert all(due[d] <= (action.due_month or 0) for d in action.depends_on if d in due)
