"""Hand-made municipalities on the shipped questionnaire 1.1 for the roadmap tests."""

from __future__ import annotations

from collections.abc import Mapping

from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.scoring import Answer, Result, score

DIMENSIONS = ("trust", "role_clarity", "legal_basis", "tools", "training")


def q11() -> Questionnaire:
    """The newest questionnaire, whose library has a plan."""
    return get_questionnaire(version="1.1")


def _closest(q: Questionnaire, item: str, target: float) -> str:
    options = [o for o in q.options(item) if o.score is not None]
    return min(options, key=lambda o: abs((o.score or 0.0) - target)).value


def rows(q: Questionnaire, agencies: Mapping[str, Mapping[str, float] | float],
         respondents: int = 3) -> list[Answer]:
    """Respondents per agency answering each dimension's statements near a 0..1 target."""
    out: list[Answer] = []
    for agency, targets in agencies.items():
        for n in range(respondents):
            for item in q.doc.items:
                target = (targets if isinstance(targets, float)
                          else targets.get(item.dimension or "", 0.5))
                out.append(Answer(f"{agency}-{n}", agency, item.id,
                                  _closest(q, item.id, target)))
    return out


SMALL_NO_STAFF = {"ctx_population": ("under_10k",), "ctx_resources": ("none",),
                  "ctx_formality": ("ad_hoc",), "ctx_model_aim": ("undecided",)}
LARGE_WITH_TEAM = {"ctx_population": ("over_250k",), "ctx_resources": ("dedicated",),
                   "ctx_formality": ("formal",), "ctx_model_aim": ("service_delivery",)}


def municipality(q: Questionnaire, agencies: Mapping[str, Mapping[str, float] | float],
                 context: Mapping[str, tuple[str, ...]] | None = None,
                 respondents: int = 3) -> Result:
    """A scored municipality from per-agency targets and the organiser's context."""
    return score(q, rows(q, agencies, respondents), context=dict(context or {}))
