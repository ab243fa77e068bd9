"""The questionnaire document's shape: typed, frozen models validated by pydantic.

Cross-references (an item's dimension, a rule's barrier) are checked in `questionnaire.py`;
here each part is checked on its own. No Flask or DB imports.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"
DONT_KNOW = "dont_know"
PHASES = (1, 2, 3)
# Who ran an assessment round: a (national or regional) mobile team, or the municipality itself.
RUN_BY = ("mobile_team", "municipality")


class Frozen(BaseModel):
    """Base: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Evidence(Frozen):
    """Where a claim is documented: a source and a line range in it (or a page/section).

    `kind: practice` marks advice of this tool's authors that makes no claim on any source: it
    names no source and no lines, and says in `note` what the advice rests on.
    """

    source: str | None = None
    lines: tuple[int, int] | None = None
    locator: str | None = None
    note: str | None = None
    kind: Literal["source", "practice"] = "source"

    @field_validator("lines")
    @classmethod
    def _ordered(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not 0 < value[0] <= value[1]:
            raise ValueError("lines must be [first, last] with 0 < first <= last")
        return value

    @model_validator(mode="after")
    def _kind_matches(self) -> Evidence:
        if self.kind == "practice":
            if self.source is not None or self.lines is not None or not self.note:
                raise ValueError("practice advice names no source or lines, and needs a 'note'")
        elif self.source is None:
            raise ValueError("'source' is required (or mark the claim 'kind: practice')")
        return self


class Heading(Frozen):
    """A section heading of a bundled source text and the line it starts on."""

    line: int = Field(ge=1)
    title: str


class Source(Frozen):
    """A public document the questionnaire cites.

    `file` is a bundled plain-text copy (relative to the questionnaire's folder) whose line
    numbers the evidence uses; `line_count` and `headings` let a reader find a cited range by
    its section heading in the published document.
    """

    id: str = Field(pattern=ID_PATTERN)
    citation: str
    url: str | None = None
    file: str | None = None
    line_count: int | None = Field(default=None, ge=1)
    headings: tuple[Heading, ...] = ()

    @property
    def reference(self) -> str:
        """The full reference with its public address, as printed in a list of sources."""
        return f"{self.citation} {self.url}" if self.url else self.citation

    def section_of(self, line: int) -> str | None:
        """The heading of the section a line falls in, or None before the first heading."""
        found = None
        for heading in self.headings:
            if heading.line <= line:
                found = heading.title
        return found

    @model_validator(mode="after")
    def _headings_in_order(self) -> Source:
        lines = [h.line for h in self.headings]
        if lines != sorted(lines) or (self.line_count and lines and lines[-1] > self.line_count):
            raise ValueError("headings must rise and lie inside the text's line_count")
        return self


class Option(Frozen):
    """One answer option: its stored value, label and readiness score (1 = most ready).
    `exclusive` marks an option of a several-answer context question that goes alone
    ("None that I know of", "Not defined")."""

    value: str = Field(pattern=ID_PATTERN)
    label: str
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    exclusive: bool = False

    @field_validator("value")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == DONT_KNOW:
            raise ValueError(f"'{DONT_KNOW}' is reserved; every item gets it automatically")
        return value


class Scale(Frozen):
    """A named list of options shared by many items."""

    options: tuple[Option, ...] = Field(min_length=2)


class Dimension(Frozen):
    """A scored dimension of readiness."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    thresholds: dict[str, float] | None = None


class Agency(Frozen):
    """A kind of agency whose practitioners answer."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str = ""


class Level(Frozen):
    """A readiness level: the band a 0..100 dimension score falls in, from `min` upwards."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    min: float = Field(ge=0, le=100)
    evidence: tuple[Evidence, ...] = ()


class Stage(Frozen):
    """An overall readiness stage; the first stage whose conditions hold is the municipality's."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    min_overall: float = Field(ge=0, le=100)
    max_concerns: int | None = Field(default=None, ge=0)
    evidence: tuple[Evidence, ...] = ()


class Settings(Frozen):
    """Thresholds for scoring, as data."""

    min_answered_share: float = Field(ge=0, le=1)
    gap_threshold: float = Field(gt=0, le=100)
    dont_know_flag: float = Field(gt=0, le=1)
    min_group_size: int = Field(ge=1)
    concern_level: str
    low_item_score: float = Field(ge=0, le=1)
    phase_one_capacity: int = Field(ge=1)
    phase_two_capacity: int = Field(default=10, ge=1)
    reassess_after_months: int = Field(ge=1)
    # A survey round publishes municipal scores only with this many respondents from at least
    # `min_agencies` agencies; agencies' comments only when this many of theirs answered.
    min_respondents: int = Field(default=5, ge=1)
    min_agencies: int = Field(default=2, ge=1)
    min_comment_group: int = Field(default=5, ge=1)
    # Workshop participants' own ratings this far apart in option score (0..1) before their
    # agency agreed mark the statement as one where consensus was hard: 0.75 is 3 points of a
    # five-point scale (after SCIROCCO's spread of stakeholders' ratings).
    consensus_hard_spread: float = Field(default=0.75, gt=0, le=1)
    # where each threshold comes from, by setting name (a source, or practice advice)
    evidence: dict[str, tuple[Evidence, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _evidence_names_settings(self) -> Settings:
        unknown = set(self.evidence) - set(type(self).model_fields) - {"evidence"}
        if unknown:
            raise ValueError(f"evidence for unknown settings: {', '.join(sorted(unknown))}")
        return self


Comparison = Literal["below", "at_least", "above"]


class Condition(Frozen):
    """A rule over a result: combine with all/any/not, or test one subject against a threshold.

    Subjects: `item` (municipality mean item score 0..1), `dimension` (0..100), `overall`
    (0..100), `dont_know` (a dimension's don't-know share 0..1), `gap` (a dimension flagged as a
    perception gap), `insufficient` (a dimension without enough data), `barrier` (detected),
    `context` (a context answer, with `in`), `agency_missing` (agency took no part),
    `outlier` (a dimension, or `any`, on which one agency lies far below the others),
    `run_by` (who ran the round: a list of RUN_BY values, one of which must match).
    """

    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    item: str | None = None
    dimension: str | None = None
    overall: bool | None = None
    dont_know: str | None = None
    gap: str | None = None
    insufficient: str | None = None
    barrier: str | None = None
    context: str | None = None
    agency_missing: str | None = None
    outlier: str | None = None
    run_by: tuple[str, ...] | None = None
    below: float | None = None
    at_least: float | None = None
    above: float | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_subject(self) -> Condition:
        subjects = [
            name
            for name in ("all", "any", "not_", "item", "dimension", "overall", "dont_know", "gap",
                         "insufficient", "barrier", "context", "agency_missing", "outlier",
                         "run_by")
            if getattr(self, name) is not None
        ]
        if len(subjects) != 1:
            raise ValueError(f"a condition needs exactly one subject, found {subjects or 'none'}")
        subject = subjects[0]
        thresholds = [n for n in ("below", "at_least", "above") if getattr(self, n) is not None]
        if subject in ("item", "dimension", "overall", "dont_know"):
            if len(thresholds) != 1:
                raise ValueError(f"'{subject}' needs exactly one of below, at_least, above")
        elif thresholds:
            raise ValueError(f"'{subject}' takes no threshold")
        if (subject == "context") != (self.in_ is not None):
            raise ValueError("'context' needs 'in', and only 'context' takes it")
        if subject == "run_by" and not set(self.run_by or ()) <= set(RUN_BY):
            raise ValueError(f"'run_by' takes values among {', '.join(RUN_BY)}")
        return self


class Item(Frozen):
    """A statement (scored) or a context question (not scored) with its options."""

    id: str = Field(pattern=ID_PATTERN)
    dimension: str | None = None
    text: str = Field(min_length=10, max_length=400)
    help: str | None = None
    scale: str | None = None
    options: tuple[Option, ...] | None = None
    multiple: bool = False
    measures: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _options_or_scale(self) -> Item:
        if (self.scale is None) == (self.options is None):
            raise ValueError("give either 'scale' or 'options'")
        if self.dimension is not None and self.multiple:
            raise ValueError("scored items take one answer; 'multiple' is for context items")
        return self


class Rule(Frozen):
    """A documented barrier or facilitator and the rule that detects it."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    dimension: str | None = None
    detect: Condition
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class Inspiration(Frozen):
    """Country practice from the sources, offered as inspiration rather than a blueprint."""

    country: str
    text: str
    evidence: Evidence


class Note(Frozen):
    """A tailoring note added to an action when its condition holds."""

    when: Condition
    text: str


class After(Frozen):
    """A conditional ordering rule: when `when` holds (always, without it), the action comes
    after `action`, which is then planned too."""

    action: str
    when: Condition | None = None


class Action(Frozen):
    """A roadmap action from the library.

    `lead` is the natural lead by role and `partners` the roles it works with; `needs` names
    the agencies it cannot do without (the lead always counts), `brings_in` the agencies it
    brings into the cooperation, `after` ordering rules that hold only in some municipalities.
    `aimed_at_outlier` aims it at the agency found far below the others (an `outlier` finding).
    `at_reassessment` makes it due on the re-assessment date; `pinned` keeps it dated and
    ahead of its phase whenever it is chosen; `dated_when` keeps it (with what it needs) in the
    dated plan wherever that condition holds, ahead of less pressing actions but not ahead of
    them in its phase.
    """

    id: str = Field(pattern=ID_PATTERN)
    title: str
    family: str
    dimension: str | None = None
    what: str
    why: str
    lead: str
    partners: tuple[str, ...] = ()
    phase: Literal[1, 2, 3]
    effort: Literal["low", "medium", "high"]
    indicator: str
    depends_on: tuple[str, ...] = ()
    after: tuple[After, ...] = ()
    needs: tuple[str, ...] = ()
    brings_in: tuple[str, ...] = ()
    aimed_at_outlier: bool = False
    at_reassessment: bool = False
    pinned: bool = False
    dated_when: Condition | None = None
    when: Condition | None = None
    done_when: Condition | None = None
    sustain: bool = False
    stages: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    inspiration: tuple[Inspiration, ...] = ()
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class Family(Frozen):
    """One of the source's recommendation families that actions belong to."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    evidence: Evidence


class FitRule(Frozen):
    """One reason for or against a MAW model, with its weight."""

    when: Condition
    weight: float
    reason: str


class MawModel(Frozen):
    """A MAW model (Atkinson et al.) that the roadmap may suggest."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    fit: tuple[FitRule, ...] = Field(min_length=1)
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class Term(Frozen):
    """A glossary entry (the source asks for a glossary of MAW terms)."""

    term: str
    definition: str
    evidence: Evidence | None = None


class Capacity(Frozen):
    """How many dated actions a municipality can carry: the first rule whose condition holds
    (and whose stages, when given, include the municipality's) sets its plan size."""

    when: Condition | None = None
    stages: tuple[str, ...] = ()
    phase_one: int = Field(ge=1)
    total: int = Field(ge=1)
    label: str

    @model_validator(mode="after")
    def _fits(self) -> Capacity:
        if self.phase_one > self.total:
            raise ValueError("phase_one cannot exceed total")
        return self


class Plan(Frozen):
    """How the roadmap is sized and kept stable: capacity rules, a tolerance band (points) a
    first-phase trigger, an urgency level or a perception gap must clear (so near-ties keep the
    library's order), how near a stage's edge counts as both stages, how far below the other
    agencies one agency must lie to be an outlier, who convenes when a natural lead is absent,
    how long the undated "later" list may be, and month windows of the dated phases."""

    capacity: tuple[Capacity, ...] = Field(min_length=1)
    tolerance: float = Field(default=0.0, ge=0, le=50)
    stage_margin: float = Field(default=0.0, ge=0, le=50)
    outlier_points: float = Field(default=25.0, gt=0, le=100)
    convenor: str
    later_max: int = Field(default=6, ge=0)
    phase_months: tuple[int, int, int] = (3, 12, 24)

    @model_validator(mode="after")
    def _rising(self) -> Plan:
        if not 0 < self.phase_months[0] < self.phase_months[1] < self.phase_months[2]:
            raise ValueError("phase_months must rise: [end of phase 1, 2, 3]")
        if self.capacity[-1].when is not None or self.capacity[-1].stages:
            raise ValueError("the last capacity rule must catch all (no when, no stages)")
        return self


class ActionLibrary(Frozen):
    """The roadmap action library document. Without `plan` (version 1.0) the roadmap keeps its
    first behaviour: phase capacities from the settings, every triggered action dated."""

    schema_version: Literal[1] = Field(alias="schema")
    families: tuple[Family, ...] = Field(min_length=1)
    models: tuple[MawModel, ...] = Field(min_length=1)
    plan: Plan | None = None
    actions: tuple[Action, ...] = Field(min_length=1)


class QuestionnaireDoc(Frozen):
    """The questionnaire document as written in YAML."""

    schema_version: Literal[1] = Field(alias="schema")
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,63}$")
    version: str = Field(pattern=r"^\d+\.\d+$")
    title: str
    language: str = Field(pattern=r"^[a-z]{2}$")
    introduction: str
    actions_file: str
    sources: tuple[Source, ...] = Field(min_length=1)
    settings: Settings
    levels: tuple[Level, ...] = Field(min_length=2)
    stages: tuple[Stage, ...] = Field(min_length=2)
    scales: dict[str, Scale]
    agencies: tuple[Agency, ...] = Field(min_length=2)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    context: tuple[Item, ...] = ()
    barriers: tuple[Rule, ...] = ()
    facilitators: tuple[Rule, ...] = ()
    glossary: tuple[Term, ...] = ()
