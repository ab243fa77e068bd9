"""The living roadmap's pure rules: due dates, carrying over, links, iCalendar text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from readiness.core import plans
from readiness.core.plans import DueEvent, Held, ProposedAction

CLOSED = date(2026, 1, 31)


def _proposed(action: str, dimension: str = "d1") -> ProposedAction:
    return ProposedAction(action, action.title(), dimension, None, 1, CLOSED, "police", ())


def test_dated_actions_take_due_dates_from_phases_and_skip_undated_later_ones():
    roadmap = {"actions": [
        {"id": "a", "title": "A", "phase": 1, "dimension": "d1", "partners": ["health"]},
        {"id": "b", "title": "B", "phase": 2, "lead": "police", "extra": {"new": "key"}},
        {"id": "c", "title": "C", "phase": 3},
        {"id": "d", "title": "D", "phase": "later"},
        {"id": "e", "title": "E", "due": "2026-06-01"},
        {"title": "no id"}, "not a dict"]}
    found = {a.action: a for a in plans.dated_actions(roadmap, CLOSED)}
    assert set(found) == {"a", "b", "e"}
    assert found["a"].due_on == date(2026, 4, 30)  # 31 April does not exist
    assert found["b"].due_on == date(2027, 1, 31)
    assert found["e"].due_on == date(2026, 6, 1)
    assert found["a"].partners == ("health",)
    assert plans.dated_actions({"actions": None}, CLOSED) == []


def test_open_actions_are_carried_and_done_or_dropped_ones_not_proposed_again_unless_fallen_back():
    proposed = [("open", "d1"), ("done_held", "d1"), ("done_fell", "d2"), ("dropped", "d1"),
                ("dropped_fell", "d2"), ("fresh", "d1")]
    held = [Held("open", "Open", "in_progress", "d1", CLOSED),
            Held("done_held", "Done held", "done", "d1"),
            Held("done_fell", "Done fell", "done", "d2"),
            Held("dropped", "Dropped", "dropped", "d1"),
            Held("dropped_fell", "Dropped fell", "dropped", "d2"),
            Held("elsewhere", "Elsewhere", "planned", "d2", CLOSED)]
    found = plans.from_plan(proposed, held, {"d1": 40.0, "d2": 60.0}, {"d1": 50.0, "d2": 50.0})
    assert [h.action for h in found.still_open] == ["open", "elsewhere"]  # proposed or not
    assert [h.action for h in found.done] == ["done_held"]
    assert [h.action for h in found.dropped] == ["dropped"]  # as people decided
    assert [h.action for h in found.again] == ["done_fell", "dropped_fell"]
    assert found.left_out == {"open", "elsewhere", "done_held", "dropped"}


def test_closing_the_next_round_completes_an_open_reassessment_and_adds_it_anew():
    held = [Held("reassess", "Re-assess", "in_progress", None),
            Held("open", "Open", "planned", "d1")]
    carried = plans.carry_over([_proposed("reassess"), _proposed("open")], held,
                               renewed={"reassess"})
    assert carried.completed == ("reassess",)
    assert [p.action for p in carried.new] == ["reassess"]
    assert carried.kept_open == ("open",)
    assert plans.carry_over([], [Held("reassess", "R", "dropped", None)],
                            renewed={"reassess"}).completed == ()  # a decision kept


def test_progress_in_words_adds_up_and_says_overdue_apart():
    tally = plans.Tally("all", planned=7, in_progress=3, done=3, dropped=1, overdue=1)
    assert tally.in_words() == ("3 done, 3 in progress, 7 planned, 1 dropped, of 14 tracked "
                                "actions. 1 of the open actions is overdue.")
    assert plans.Tally("all", planned=1).in_words() == (
        "0 done, 0 in progress, 1 planned, 0 dropped, of 1 tracked action.")


def test_closing_never_adds_an_action_the_plan_already_holds():
    proposed = [_proposed("open"), _proposed("done"), _proposed("dropped"), _proposed("fresh")]
    held = [Held("open", "Open", "planned", "d1"), Held("done", "Done", "done", "d1"),
            Held("dropped", "Dropped", "dropped", "d1")]
    carried = plans.carry_over(proposed, held)
    assert [p.action for p in carried.new] == ["fresh"]
    assert [p.action for p in carried.reopened] == ["done", "dropped"]
    assert carried.kept_open == ("open",)


def test_dated_actions_are_due_their_due_month_after_the_closing_date():
    roadmap = {"actions": [{"id": "a", "title": "A", "phase": 1, "due_month": 1},
                           {"id": "b", "title": "B", "phase": 2, "due_month": 7}]}
    found = {a.action: a.due_on for a in plans.dated_actions(roadmap, CLOSED)}
    assert found == {"a": date(2026, 2, 28), "b": date(2026, 8, 31)}


def test_changes_name_the_earlier_actions_they_follow():
    rows = [("Meet monthly", "done", "d1"), ("Share data", "planned", "d1"),
            ("Train", "dropped", "d1"), ("Other", "done", "d2")]
    found = plans.changes_following(rows, {"d1": 40.0, "d2": None}, {"d1": 55.0, "d2": 60.0})
    assert len(found) == 1
    assert found[0].change == 15.0
    assert found[0].done == ("Meet monthly",)
    assert found[0].open == ("Share data",)


def test_only_open_actions_past_their_date_are_overdue():
    today = date(2026, 5, 1)
    assert plans.is_overdue("planned", date(2026, 4, 30), today)
    assert plans.is_overdue("in_progress", date(2026, 4, 30), today)
    assert not plans.is_overdue("done", date(2026, 4, 30), today)
    assert not plans.is_overdue("planned", today, today)
    assert not plans.is_overdue("planned", None, today)


def test_tally_counts_statuses_and_overdue_per_group():
    today = date(2026, 5, 1)
    rows = [("x", "done", None), ("x", "planned", date(2026, 1, 1)), ("y", "dropped", None)]
    counts = plans.tally(rows, today)
    assert (counts["x"].done, counts["x"].planned, counts["x"].overdue) == (1, 1, 1)
    assert counts["y"].total == 1


def test_evidence_links_must_be_http_or_https_with_a_host():
    assert plans.clean_link(" https://example.org/report ") == "https://example.org/report"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x.org", "https://",
                "//example.org", "http://exa mple.org", "https://x.org/\nX: y"):
        assert plans.clean_link(bad) is None, bad


def test_a_hostile_title_cannot_add_lines_to_the_calendar():
    hostile = "Meet\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:evil; a,b\\c"
    text = plans.ics_calendar("Plan", [DueEvent("u1", date(2026, 3, 1), hostile, "x")],
                              datetime(2026, 1, 1, tzinfo=UTC))
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1
    assert lines.count("END:VEVENT") == 1
    assert not any(line.startswith("SUMMARY:evil") for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Meet\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:evil\\; a\\,b\\\\c" in unfolded
    assert "DTSTART;VALUE=DATE:20260301" in text


def test_long_calendar_lines_are_folded_at_75_octets_without_splitting_characters():
    title = "é" * 100
    text = plans.ics_calendar("Plan", [DueEvent("u1", date(2026, 3, 1), title, "")],
                              datetime(2026, 1, 1, tzinfo=UTC))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "SUMMARY:" + title in text.replace("\r\n ", "")
