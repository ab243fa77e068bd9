"""Plain words in questionnaire 1.1: reading ease, one idea per statement, no leading or
agency-specific wording, factual questions with factual options."""

from __future__ import annotations

import pytest

from readiness.core.questionnaire import get_questionnaire
from readiness.core.readability import flesch_reading_ease, syllables

Q = get_questionnaire(version="1.1")


@pytest.mark.parametrize(("word", "count"), [
    ("cat", 1), ("make", 1), ("shared", 1), ("needed", 2), ("services", 3), ("agency", 3),
    ("information", 4), ("confidential", 4), ("radicalisation", 6), ("being", 2), ("media", 3)])
def test_syllables_are_counted_like_a_dictionary_would(word: str, count: int):
    assert syllables(word) == count


def test_reading_ease_of_a_plain_and_a_hard_sentence():
    assert flesch_reading_ease(["The cat sat on the mat."]) > 100
    assert flesch_reading_ease(["Institutional organisational interdependencies necessitate "
                                "comprehensive reconsideration."]) < 0
    with pytest.raises(ValueError, match="no words"):
        flesch_reading_ease(["", "..."])


def test_statements_of_1_1_read_at_flesch_50_or_more_and_more_easily_than_1_0():
    new = flesch_reading_ease(item.text for item in Q.doc.items)
    old = flesch_reading_ease(item.text for item in get_questionnaire(version="1.0").doc.items)
    assert new >= 50, new
    assert new > old + 10, (old, new)


def test_the_double_barrelled_statements_are_split_into_one_idea_each():
    text = {item.id: item.text.lower() for item in Q.doc.items}
    assert "discuss" not in text["trust_law_enforcement"]
    assert "purpose" not in text["trust_information_care"]
    assert "reason" in text["trust_information_purpose"]
    assert "legal_gdpr_secrecy" not in text
    assert "secrecy" in text["legal_secrecy"]
    assert "data protection" in text["legal_gdpr"]
    assert "rights" not in text["legal_shared_agreement"]
    assert "secure" not in text["tools_channel"]
    assert "secure" in text["tools_secure_exchange"]


def test_no_statement_counts_keeping_professional_secrecy_against_readiness():
    assert "legal_holding_back" not in Q.items_by_id
    for item in Q.doc.items:
        reversed_ = any(o.value == "strongly_agree" and o.score == 0.0 for o in Q.options(item))
        assert not (reversed_ and any(w in item.text.lower()
                                      for w in ("confidential", "secrecy", "hold back"))), item.id
    assert "signs" not in Q.items_by_id["training_first_line"].text.lower()


def test_wording_is_agency_neutral_and_jargon_is_explained_on_the_page():
    for item in (*Q.doc.items, *Q.doc.context):
        assert "my agency" not in item.text.lower(), item.id
    for item_id, term in (("tools_meetings", "roundtable"),
                          ("roles_specialist_units", "specialist"),
                          ("legal_secrecy", "professional secrecy"), ("legal_gdpr", "gdpr"),
                          ("ctx_prevention_levels", "primary")):
        assert term in (Q.items_by_id[item_id].help or "").lower(), item_id


def test_factual_questions_offer_factual_options():
    for item_id in ("legal_written_procedure", "legal_shared_agreement"):
        labels = [o.label for o in Q.options(item_id)]
        assert labels == ["Yes, signed or in force", "Being drafted", "No"], item_id
        assert Q.items_by_id[item_id].text.endswith("?")
