"""SVG charts: accessible, escaped, self-contained, labels inside the viewBox, gaps marked."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from readiness.core.scoring import Result, score
from readiness.national.aggregate import DimensionSummary, LevelShare
from readiness.national.charts import NO_DATA, TOO_FEW, levels_svg
from readiness.report.charts import CHAR_WIDTH, agency_bars_svg, level_bar, radar_svg, wrap_label
from tests.core_helpers import answers, mini

Q = mini()
NS = "{http://www.w3.org/2000/svg}"
TITLES = {a.id: a.title for a in Q.doc.agencies}


def _result(**overrides: dict[str, object]) -> Result:
    rows = (answers("police", "p1", t1="agree", t2="disagree", l1="strongly_disagree",
                    l2="disagree")
            + answers("health", "h1", t1="strongly_disagree", t2="agree", l1="disagree",
                      l2="neither"))
    result = score(Q, rows)
    dims = tuple(dataclasses.replace(d, **overrides.get(d.id, {})) for d in result.dimensions)
    return dataclasses.replace(result, dimensions=dims)


def _parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def _texts_fit(root: ET.Element) -> None:
    """Every text line, at the chart's own width estimate, lies inside the viewBox."""
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    for text in root.iter(f"{NS}text"):
        size = float(text.attrib["font-size"])
        anchor = text.attrib["text-anchor"]
        y = float(text.attrib["y"])
        for span in text.iter(f"{NS}tspan"):
            y += float(span.attrib["dy"])
            w = len(span.text or "") * size * CHAR_WIDTH
            x = float(span.attrib["x"])
            left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            assert left >= -0.5, span.text
            assert left + w <= width + 0.5, span.text
            assert y - size >= -0.5, span.text
            assert y <= height + 0.5, span.text


def test_radar_has_title_and_description_naming_every_dimension():
    root = _parse(radar_svg(_result(), title="Readiness of Springfield"))
    assert root.find(f"{NS}title").text == "Readiness of Springfield"
    desc = root.find(f"{NS}desc").text
    assert "Trust:" in desc
    assert "Legal basis:" in desc
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"].split() == [
        root.find(f"{NS}title").attrib["id"], root.find(f"{NS}desc").attrib["id"]]


def test_radar_returns_markup_safe_to_insert_in_a_template():
    assert isinstance(radar_svg(_result()), Markup)


@pytest.mark.parametrize("width", [260, 420, 640])
def test_radar_labels_stay_inside_the_viewbox_even_when_long(width: int):
    long_title = "Legal basis for information sharing between all the agencies"
    result = _result(legal_basis={"title": long_title})
    _texts_fit(_parse(radar_svg(result, width=width, levels=Q.doc.levels)))


def test_radar_marks_an_insufficient_dimension_instead_of_drawing_a_value():
    result = _result(legal_basis={"score": None, "level_title": "Insufficient data"})
    svg = str(radar_svg(result))
    root = _parse(radar_svg(result))
    assert "Legal basis: insufficient data" in root.find(f"{NS}desc").text
    assert "insufficient data" in svg
    # no closed, filled outline pretends to know the missing value
    assert not [p for p in root.iter(f"{NS}polygon") if p.attrib.get("fill") != "none"]


def test_chart_text_is_escaped():
    hostile = '<img src="file:///etc/passwd"> & "quotes"'
    result = _result(trust={"title": hostile})
    root = _parse(radar_svg(result, title=hostile))  # parses: nothing leaked as markup
    assert root.find(f"{NS}title").text == hostile
    assert not list(root.iter("img"))
    bars = agency_bars_svg(result.dimension("trust"), {"police": hostile}, title=hostile)
    assert list(_parse(bars).iter(f"{NS}title"))[0].text == hostile


def test_charts_reference_nothing_outside_themselves():
    result = _result()
    for svg in (radar_svg(result), agency_bars_svg(result.dimensions[0], TITLES),
                level_bar(40, Q.doc.levels)):
        assert "href" not in str(svg)
        assert "url(" not in str(svg)
        assert "<script" not in str(svg)


def test_agency_bars_show_each_agency_and_flag_a_perception_gap():
    trust = _result().dimension("trust")
    assert trust.divergent
    root = _parse(agency_bars_svg(trust, TITLES))
    desc = root.find(f"{NS}desc").text
    assert "Police: " in desc
    assert "Health: " in desc
    assert "perception gap" in desc
    assert len(list(root.iter(f"{NS}rect"))) == 2
    _texts_fit(root)


def test_agency_bars_hide_agencies_below_the_minimum_group_size():
    trust = _result().dimension("trust")
    root = _parse(agency_bars_svg(trust, TITLES, respondents_by_agency={"police": 1,
                                                                         "health": 4},
                                  min_group_size=3))
    desc = root.find(f"{NS}desc").text
    assert "Police: fewer than 3 respondents: not shown" in desc
    assert len(list(root.iter(f"{NS}rect"))) == 1
    police_score = f"{trust.by_agency['police']:.0f}"
    assert all(police_score != (t.text or "") for t in root.iter(f"{NS}tspan"))


def test_level_bar_places_the_score_and_names_the_level():
    root = _parse(level_bar(62, Q.doc.levels))
    assert root.find(f"{NS}desc").text == "62 of 100, level Borderline."
    _texts_fit(root)


def test_level_bar_says_insufficient_data_without_a_marker():
    root = _parse(level_bar(None, Q.doc.levels))
    assert "Insufficient data" in root.find(f"{NS}desc").text
    assert len(list(root.iter(f"{NS}rect"))) == len(Q.doc.levels) + 1


def test_wrap_label_keeps_lines_short_and_words_whole():
    assert wrap_label("Legal basis for information sharing", 16) == [
        "Legal basis for", "information", "sharing"]
    assert all(len(line) <= 8 for line in wrap_label("Supercalifragilistic", 8))


def test_agency_bars_hide_agencies_named_for_complementary_suppression():
    trust = _result().dimension("trust")
    root = _parse(agency_bars_svg(trust, TITLES, hidden={"health"}))
    assert "Health: not shown, to protect a smaller group" in root.find(f"{NS}desc").text
    assert len(list(root.iter(f"{NS}rect"))) == 1
    _texts_fit(root)


def _levels(title: str, *shares: float | str) -> DimensionSummary:
    names = ("concern", "borderline", "strength")
    levels = tuple(LevelShare(n, n.title(), 10 if isinstance(v, float) else v, v)
                   for n, v in zip(names, shares, strict=True))
    return DimensionSummary(title.lower(), title, 30, 0, 50.0, 50.0, 40.0, 60.0, levels, 0, 0.0)


def test_a_levels_row_with_every_level_hidden_says_so_instead_of_staying_blank():
    small = "fewer than 5"
    root = _parse(levels_svg([_levels("Trust", 0.5, 0.3, 0.2),
                              _levels("Tools", small, small, small)]))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "not shown: fewer than 5 municipalities at a level" in texts
    assert len([r for r in root.iter(f"{NS}rect") if r.attrib["height"] == "20"]) == 3


def test_national_charts_are_drawn_only_with_a_figure_to_show():
    from datetime import date

    from readiness.core.questionnaire import get_questionnaire
    from readiness.national import aggregate as ag
    from readiness.national.charts import national_charts
    from tests.national_fixture import DIMENSIONS, records

    t = ag.tables(records(), DIMENSIONS)
    q = get_questionnaire()
    nobody = national_charts(ag.dashboard(t, q, ag.Filters(country="FR"), today=date(2026, 6, 1)))
    assert {k: (c.svg, c.missing) for k, c in nobody.items()} == dict.fromkeys(
        ("distribution", "levels", "barriers", "progress"), (None, NO_DATA))
    pilot = national_charts(ag.dashboard(t, q, ag.Filters(), today=date(2026, 6, 1)))
    assert pilot["levels"].missing == TOO_FEW  # 1 or 2 municipalities at each level
    assert pilot["progress"].missing == TOO_FEW  # 3 with two rounds
    assert pilot["distribution"].svg is not None  # 5 scored on each dimension


@pytest.mark.parametrize(("value", "average"), [(42.0, 46.0), (44.0, 45.0), (40.0, 41.0)])
def test_a_value_label_is_not_crossed_by_the_dashed_line_of_all_agencies(value: float,
                                                                         average: float):
    trust = dataclasses.replace(_result().dimension("trust"), score=average,
                                by_agency={"police": 69.0, "health": value})
    root = _parse(agency_bars_svg(trust, TITLES))
    line = next(ln for ln in root.iter(f"{NS}line") if "stroke-dasharray" in ln.attrib)
    line_x = float(line.attrib["x1"])
    label = next(t for t in root.iter(f"{NS}text")
                 if [s.text for s in t.iter(f"{NS}tspan")] == [f"{value:.0f}"])
    span = next(label.iter(f"{NS}tspan"))
    left = float(span.attrib["x"])
    width = len(span.text or "") * float(label.attrib["font-size"]) * CHAR_WIDTH
    assert not left - 1 <= line_x <= left + width + 1
    _texts_fit(root)
