"""Cross-reference checks of a questionnaire and its action library that a per-part schema
cannot make: ids that must exist, thresholds in range, dependencies without cycles."""

from __future__ import annotations

from typing import Any

from readiness.core.evidence import evidence_problem
from readiness.core.schema import (
    Action,
    ActionLibrary,
    Condition,
    Evidence,
    QuestionnaireDoc,
)
from readiness.core.yaml_source import KeyPath, _Located


class _Checker:
    """Cross-reference checks that a per-part schema cannot make."""

    def __init__(self, doc: QuestionnaireDoc, lib: ActionLibrary, main: _Located,
                 lib_file: _Located):
        self.doc, self.lib, self.main, self.lib_file = doc, lib, main, lib_file
        self.sources = {s.id: s for s in doc.sources}
        self.dimensions = {d.id for d in doc.dimensions}
        self.agencies = {a.id for a in doc.agencies}
        self.items = {i.id: i for i in doc.items}
        self.context = {i.id: i for i in doc.context}
        self.barriers = {b.id for b in doc.barriers}
        self.facilitators = {f.id for f in doc.facilitators}
        self.levels = {lv.id for lv in doc.levels}

    def run(self) -> None:
        """Raise QuestionnaireError at the first inconsistency."""
        self._unique()
        self._levels_and_stages()
        self._items()
        for key, rules in (("barriers", self.doc.barriers),
                           ("facilitators", self.doc.facilitators)):
            for i, rule in enumerate(rules):
                self._dimension_ref(self.main, (key, i, "dimension"), rule.dimension)
                self._condition(self.main, (key, i, "detect"), rule.detect)
                self._evidence(self.main, (key, i, "evidence"), rule.evidence)
        for i, dim in enumerate(self.doc.dimensions):
            self._evidence(self.main, ("dimensions", i, "evidence"), dim.evidence)
            for level in dim.thresholds or {}:
                if level not in self.levels:
                    raise self.main.error(("dimensions", i, "thresholds", level),
                                          f"unknown level {level!r}")
        for i, band in enumerate(self.doc.levels):
            self._evidence(self.main, ("levels", i, "evidence"), band.evidence)
        for i, stage in enumerate(self.doc.stages):
            self._evidence(self.main, ("stages", i, "evidence"), stage.evidence)
        for name, cited in self.doc.settings.evidence.items():
            self._evidence(self.main, ("settings", "evidence", name), cited)
        for i, term in enumerate(self.doc.glossary):
            if term.evidence:
                self._evidence(self.main, ("glossary", i, "evidence"), (term.evidence,))
        self._library()

    def _unique(self) -> None:
        groups: list[tuple[_Located, str, list[str]]] = [
            (self.main, "sources", [s.id for s in self.doc.sources]),
            (self.main, "agencies", [a.id for a in self.doc.agencies]),
            (self.main, "dimensions", [d.id for d in self.doc.dimensions]),
            (self.main, "levels", [lv.id for lv in self.doc.levels]),
            (self.main, "stages", [s.id for s in self.doc.stages]),
            (self.main, "items", [i.id for i in self.doc.items]),
            (self.main, "context", [i.id for i in self.doc.context]),
            (self.main, "barriers", [b.id for b in self.doc.barriers]),
            (self.main, "facilitators", [f.id for f in self.doc.facilitators]),
            (self.lib_file, "families", [f.id for f in self.lib.families]),
            (self.lib_file, "models", [m.id for m in self.lib.models]),
            (self.lib_file, "actions", [a.id for a in self.lib.actions]),
        ]
        everywhere: dict[str, str] = {}
        for located, key, ids in groups:
            for index, ident in enumerate(ids):
                if key in ("items", "context", "barriers", "facilitators"):
                    if ident in everywhere:
                        raise located.error((key, index, "id"),
                                            f"duplicate id {ident!r} (also in {everywhere[ident]})")
                    everywhere[ident] = key
                elif ident in ids[:index]:
                    raise located.error((key, index, "id"), f"duplicate id {ident!r}")

    def _levels_and_stages(self) -> None:
        mins = [lv.min for lv in self.doc.levels]
        if mins[0] != 0 or mins != sorted(mins) or len(set(mins)) != len(mins):
            raise self.main.error(("levels",), "level minimums must start at 0 and rise")
        if self.doc.settings.concern_level not in self.levels:
            raise self.main.error(("settings", "concern_level"),
                                  f"unknown level {self.doc.settings.concern_level!r}")
        last = self.doc.stages[-1]
        if last.min_overall != 0 or last.max_concerns is not None:
            raise self.main.error(("stages", len(self.doc.stages) - 1),
                                  "the last stage must catch all (min_overall 0, no max_concerns)")

    def _items(self) -> None:
        for key, items, scored in (("items", self.doc.items, True),
                                   ("context", self.doc.context, False)):
            for i, item in enumerate(items):
                where = (key, i)
                if scored and item.dimension not in self.dimensions:
                    raise self.main.error(where + ("dimension",),
                                          f"unknown dimension {item.dimension!r}")
                if not scored and item.dimension is not None:
                    raise self.main.error(where + ("dimension",), "context items are not scored")
                if item.scale is not None and item.scale not in self.doc.scales:
                    raise self.main.error(where + ("scale",), f"unknown scale {item.scale!r}")
                options = (item.options if item.options is not None
                           else self.doc.scales[item.scale or ""].options)
                values = [o.value for o in options]
                if len(set(values)) != len(values):
                    raise self.main.error(where + ("options",), "duplicate option value")
                for o, option in enumerate(options):
                    if scored and option.score is None:
                        raise self.main.error(where + ("options", o, "score")
                                              if item.options else where + ("scale",),
                                              "scored items need a score in 0..1 on every option")
                    if not scored and option.score is not None:
                        raise self.main.error(where + ("options", o, "score"),
                                              "context options carry no score")
                    if option.exclusive and not item.multiple:
                        raise self.main.error(where + ("options", o, "exclusive"),
                                              "only a several-answer question has options "
                                              "that exclude the others")
                for m, ident in enumerate(item.measures):
                    if ident not in self.barriers | self.facilitators:
                        raise self.main.error(where + ("measures", m),
                                              f"unknown barrier or facilitator {ident!r}")
                self._evidence(self.main, where + ("evidence",), item.evidence)

    def _evidence(self, located: _Located, where: KeyPath, evidence: tuple[Evidence, ...]) -> None:
        for e, ev in enumerate(evidence):
            if (problem := evidence_problem(self.sources, ev)) is not None:
                raise located.error(where + (e, problem[0]), problem[1])

    def _dimension_ref(self, located: _Located, where: KeyPath, dimension: str | None) -> None:
        if dimension is not None and dimension not in self.dimensions:
            raise located.error(where, f"unknown dimension {dimension!r}")

    def _condition(self, located: _Located, where: KeyPath, cond: Condition) -> None:
        for key in ("all", "any"):
            for i, child in enumerate(getattr(cond, key) or ()):
                self._condition(located, where + (key, i), child)
        if cond.not_ is not None:
            self._condition(located, where + ("not",), cond.not_)
        if cond.item is not None and cond.item not in self.items:
            raise located.error(where + ("item",), f"unknown scored item {cond.item!r}")
        for key in ("dimension", "dont_know", "gap", "insufficient"):
            self._dimension_ref(located, where + (key,), getattr(cond, key))
        if cond.outlier is not None and cond.outlier != "any":
            self._dimension_ref(located, where + ("outlier",), cond.outlier)
        if cond.barrier is not None and cond.barrier not in self.barriers:
            raise located.error(where + ("barrier",), f"unknown barrier {cond.barrier!r}")
        if cond.agency_missing is not None and cond.agency_missing not in self.agencies:
            raise located.error(where + ("agency_missing",),
                                f"unknown agency {cond.agency_missing!r}")
        if cond.context is not None:
            self._context_condition(located, where, cond)
        for key, limit in (("item", 1.0), ("dont_know", 1.0), ("dimension", 100.0),
                           ("overall", 100.0)):
            if getattr(cond, key) is not None:
                threshold = next(v for v in (cond.below, cond.at_least, cond.above)
                                 if v is not None)
                if not 0 <= threshold <= limit:
                    raise located.error(where, f"threshold {threshold} is outside 0..{limit:g}")

    def _context_condition(self, located: _Located, where: KeyPath, cond: Condition) -> None:
        """A condition on a context question names one and only its options."""
        assert cond.context is not None
        if cond.context not in self.context:
            raise located.error(where + ("context",), f"unknown context item {cond.context!r}")
        item = self.context[cond.context]
        known = {o.value for o in (item.options or self.doc.scales[item.scale or ""].options)}
        for i, value in enumerate(cond.in_ or ()):
            if value not in known:
                raise located.error(where + ("in", i),
                                    f"{value!r} is not an option of {cond.context!r}")

    def _library(self) -> None:
        lib, located = self.lib, self.lib_file
        families = {f.id for f in lib.families}
        actions = {a.id: a for a in lib.actions}
        for i, family in enumerate(lib.families):
            self._evidence(located, ("families", i, "evidence"), (family.evidence,))
        for i, model in enumerate(lib.models):
            self._evidence(located, ("models", i, "evidence"), model.evidence)
            for r, rule in enumerate(model.fit):
                self._condition(located, ("models", i, "fit", r, "when"), rule.when)
        self._plan()
        for i, action in enumerate(lib.actions):
            where = ("actions", i)
            if action.family not in families:
                raise located.error(where + ("family",), f"unknown family {action.family!r}")
            self._dimension_ref(located, where + ("dimension",), action.dimension)
            self._action_agencies(where, action)
            self._ordering(where, action, actions)
            for key in ("when", "done_when", "dated_when"):
                if getattr(action, key) is not None:
                    self._condition(located, where + (key,), getattr(action, key))
            self._stages(where + ("stages",), action.stages)
            for n, note in enumerate(action.notes):
                self._condition(located, where + ("notes", n, "when"), note.when)
            for n, insp in enumerate(action.inspiration):
                self._evidence(located, where + ("inspiration", n, "evidence"), (insp.evidence,))
            self._evidence(located, where + ("evidence",), action.evidence)
        self._no_cycles(actions)

    def _stages(self, where: KeyPath, stages: tuple[str, ...]) -> None:
        known = {s.id for s in self.doc.stages}
        for s, stage in enumerate(stages):
            if stage not in known:
                raise self.lib_file.error(where + (s,), f"unknown stage {stage!r}")

    def _plan(self) -> None:
        plan = self.lib.plan
        if plan is None:
            return
        if plan.convenor not in self.agencies:
            raise self.lib_file.error(("plan", "convenor"), f"unknown agency {plan.convenor!r}")
        for c, rule in enumerate(plan.capacity):
            if rule.when is not None:
                self._condition(self.lib_file, ("plan", "capacity", c, "when"), rule.when)
            self._stages(("plan", "capacity", c, "stages"), rule.stages)

    def _action_agencies(self, where: KeyPath, action: Action) -> None:
        refs: list[tuple[KeyPath, str]] = [(("lead",), action.lead)]
        for key in ("partners", "needs", "brings_in"):
            refs += [((key, p), a) for p, a in enumerate(getattr(action, key))]
        for key_path, agency in refs:
            if agency not in self.agencies:
                raise self.lib_file.error(where + key_path, f"unknown agency {agency!r}")
        if action.aimed_at_outlier and (action.when is None or not _mentions_outlier(action.when)):
            raise self.lib_file.error(where + ("aimed_at_outlier",),
                                      "an action aimed at an outlier needs an 'outlier' condition")

    def _ordering(self, where: KeyPath, action: Action, actions: dict[str, Action]) -> None:
        edges: list[tuple[KeyPath, str]] = [(("depends_on", d), dep)
                                            for d, dep in enumerate(action.depends_on)]
        edges += [(("after", a, "action"), rule.action) for a, rule in enumerate(action.after)]
        for key_path, dep in edges:
            if dep not in actions:
                raise self.lib_file.error(where + key_path, f"unknown action {dep!r}")
            if dep == action.id:
                raise self.lib_file.error(where + key_path, "an action cannot follow itself")
            if actions[dep].phase > action.phase:
                raise self.lib_file.error(where + key_path,
                                          f"depends on {dep!r}, which comes in a later phase")
        for a, rule in enumerate(action.after):
            if rule.when is not None:
                self._condition(self.lib_file, where + ("after", a, "when"), rule.when)

    def _no_cycles(self, actions: dict[str, Any]) -> None:
        done: set[str] = set()

        def visit(ident: str, trail: tuple[str, ...]) -> None:
            if ident in trail:
                index = [a.id for a in self.lib.actions].index(ident)
                cycle = " -> ".join(trail[trail.index(ident):] + (ident,))
                raise self.lib_file.error(("actions", index, "depends_on"),
                                          f"dependency cycle: {cycle}")
            if ident not in done:
                action = actions[ident]
                for dep in (*action.depends_on, *(rule.action for rule in action.after)):
                    visit(dep, trail + (ident,))
                done.add(ident)

        for ident in actions:
            visit(ident, ())


def _mentions_outlier(cond: Condition) -> bool:
    """Whether a condition tests an `outlier` finding anywhere in it."""
    children = [*(cond.all or ()), *(cond.any or ())]
    return cond.outlier is not None or any(_mentions_outlier(c) for c in children)
