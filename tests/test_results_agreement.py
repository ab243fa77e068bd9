"""The results page shows how closely each agency's respondents agree: a band, never a figure,
and only for agencies whose own figures are shown (three or more respondents)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.core.questionnaire import Questionnaire
from readiness.services import assessments as services
from tests.web_helpers import add_responses, login, make_assessment, make_municipality, make_user


def test_agreement_within_agencies_is_a_band_for_agencies_shown_only(
        client: FlaskClient, session: Session, questionnaire: Questionnaire):
    assessment, _ = make_assessment(session, make_municipality(session),
                                    ("police", "health", "education"))
    add_responses(session, assessment, "police", 3, "agree")  # all alike: close
    for pick in (max, min, max):  # the most and the least ready answers: little agreement
        add_responses(session, assessment, "health", 1, lambda item, pick=pick: pick(
            questionnaire.options(item), key=lambda o: o.score or 0.0).value)
    add_responses(session, assessment, "education", 2, "agree")  # too few to be shown
    add_responses(session, assessment, "youth_work", 1, "agree")  # so no agency hides alone
    services.close_assessment(session, assessment)
    session.commit()
    make_user(session, "ada")
    login(client, "ada")
    html = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    table = html.split("<caption>Agreement within each agency</caption>")[1].split("</table>")[0]
    header = table.split("</thead>")[0]
    assert "Police" in header
    assert "Health" in header
    assert "Education" not in header
    assert "Youth" not in header
    first_row = table.split("<tbody>")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].strip() for c in first_row.split("<td>")[1:]]
    assert cells == ["close", "little"]
    assert "0." not in table  # no r_wg figure is shown
