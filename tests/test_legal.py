"""Jurisdiction profiles: the shipped ones validate and cite their sources; bad ones are refused
with the file, key path and line; a municipality's country and region select the profile."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from readiness.core.legal import (
    LegalError,
    get_profiles,
    load_profiles,
    profile_for,
    profiles_dir,
    profiles_in_use,
    stale_profiles,
)

REQUIRED = {"eu", "be", "fr", "de", "de-by", "fi", "lt", "dk", "nl"}


def _statements(profile):
    return [profile.framework, profile.case_sharing, profile.shared_secrecy, profile.consent,
            profile.dpia, *profile.agencies, *profile.secrecy, *profile.notes]


def test_the_seven_jurisdictions_bavaria_and_the_generic_profile_validate():
    profiles = get_profiles()
    assert set(profiles) >= REQUIRED
    assert profiles["de-by"].chain == ("de-by", "de", "eu")
    assert all(p.chain[-1] == "eu" for p in profiles.values())


def test_every_statement_names_sources_that_have_public_addresses():
    for profile in get_profiles().values():
        known = {s.id: s for s in profile.sources}
        for statement in _statements(profile):
            assert statement.sources, (profile.id, statement.text)
            for ident in statement.sources:
                source = known[ident]
                assert source.kind == "paper" or source.url.startswith(("http://", "https://"))
        for ident in profile.case_sharing.instruments:
            assert ident in known


def test_a_regional_profile_keeps_the_national_rules_it_does_not_replace():
    profiles = get_profiles()
    bavaria, germany = profiles["de-by"], profiles["de"]
    assert bavaria.framework != germany.framework
    assert bavaria.agencies == germany.agencies
    assert bavaria.consent == profiles["eu"].consent
    assert {s.id for s in germany.sources} < {s.id for s in bavaria.sources}


@pytest.mark.parametrize(("country", "region", "expected"), [
    ("DE", "Bayern", "de-by"), ("de", "bavaria", "de-by"), ("DE", "Hessen", "de"),
    ("BE", "Antwerp", "be"), ("Belgium", None, "be"), ("XX", None, "eu"), (None, None, "eu"),
    ("", "Bavaria", "eu"),
])
def test_country_and_region_select_the_profile(country, region, expected):
    assert profile_for(country, region).id == expected


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), folder)
    return folder


def _break(folder: Path, name: str, old: str, new: str) -> Path:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "old", "new", "where", "message"), [
    ("be.yaml", "  sources: [lisc_act]\n", "  sources: [lisc_akt]\n",
     "agencies[0].sources[0]", "unknown source 'lisc_akt'"),
    ("dk.yaml", "  verified: true\n", "", "framework.verified", "Field required"),
    ("fi.yaml", "extends: eu", "extends: se", "extends", "cannot extend 'se'"),
    ("lt.yaml", "id: lt", "id: lv", "id", "differs from the file name"),
    ("nl.yaml", "  basis: conditional", "  basis: maybe", "case_sharing.basis", "Input should be"),
])
def test_a_broken_profile_is_refused_naming_file_key_path_and_line(tmp_path, name, old, new,
                                                                   where, message):
    path = _break(_copy(tmp_path), name, old, new)
    with pytest.raises(LegalError) as caught:
        load_profiles(path.parent)
    error = caught.value
    assert error.file == str(path)
    assert error.key_path == where
    assert error.line is not None
    assert error.line > 1
    assert message in str(error)


def test_a_source_without_a_public_address_is_refused(tmp_path):
    folder = _copy(tmp_path)
    _break(folder, "fr.yaml", "    url: http://www.cipdr.gouv.fr/prevenir-la-radicalisation/"
           "accompagner/\n", "")
    with pytest.raises(LegalError, match="public address"):
        load_profiles(folder)


def test_profiles_in_use_follow_the_stored_countries_and_regions():
    used = profiles_in_use({"DE": ["Bayern", "Hessen"], "SE": []})
    assert [p.id for p in used] == ["de", "de-by", "eu"]


def test_profiles_checked_longer_ago_than_the_limit_are_stale():
    profiles = get_profiles()
    newest = max(p.last_checked for p in profiles.values())
    assert stale_profiles(30, newest) == []
    later = newest + timedelta(days=31)
    assert {p.id for p in stale_profiles(30, later)} == set(profiles)
    assert stale_profiles(30, date(2000, 1, 1)) == []
