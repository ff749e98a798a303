"""The warning core: each rule type, escalation, clearing, loss, cool-down, windows, ordering."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vessel.warnings.scenes import T0, engine, own, rule, run_line, target
from vessel.warnings import (
    IncidentClosed,
    ViolationDue,
    WarningIssued,
    cpa_tcpa,
)

ESCALATE = [{"after_s": 5, "volume": 1.5}, {"after_s": 10, "volume": 2.0, "violation": True}]


def kinds(actions: list[tuple[float, object]]) -> list[str]:
    return [type(a).__name__ for _, a in actions]


def test_boat_entering_restricted_zone_is_warned_then_escalated_then_reported() -> None:
    eng = engine(rule("restricted", escalation=ESCALATE))
    # North along east = 150 m: enters the harbour (north 100..200) at t = 10 s.
    actions = run_line(eng, (150.0, 80.0), (0.0, 2.0), 40.0)
    assert kinds(actions)[:4] == ["WarningIssued", "WarningIssued", "WarningIssued",
                                  "ViolationDue"]
    first = actions[0]
    assert isinstance(first[1], WarningIssued)
    assert 10.0 <= first[0] <= 10.0 + 0.5 + 0.15  # entry + confirm_s, one frame of slack
    assert first[1].screen is not None and "harbour" in first[1].screen.text
    assert [v.text for v in first[1].voices] == ["请立即离开harbour", "Leave harbour now"]
    assert [v.volume for v in first[1].voices] == [1.0, 1.0]
    louder = actions[1][1]
    assert isinstance(louder, WarningIssued) and louder.step == 1
    assert {v.volume for v in louder.voices} == {1.5}
    assert actions[1][0] == pytest.approx(first[0] + 5, abs=0.15)
    due = actions[3][1]
    assert isinstance(due, ViolationDue)
    inc = due.incident
    assert inc.zone == "harbour" and inc.record_type == "restricted_area"
    assert [w.step for w in inc.warnings] == [0, 1, 2]
    assert inc.first_warning_observation is not None
    assert inc.first_warning_observation.t_s == inc.t_warned_s
    assert len(inc.track) > 100 and inc.track[0].t_s == T0
    # It leaves the zone at t = 60 s; it is never reported twice.
    later = run_line(eng, (150.0, 160.0), (0.0, 2.0), 40.0, t0=T0 + 41)
    assert kinds(later) == ["IncidentClosed"]


def test_boat_passing_outside_every_zone_is_left_alone() -> None:
    eng = engine(rule("restricted", escalation=ESCALATE), rule("no_swimming"))
    assert run_line(eng, (90.0, 0.0), (0.0, 2.0), 200.0) == []  # 10 m west of the harbour
    assert eng.counters["warnings"] == 0


def test_a_short_visit_below_confirm_time_warns_no_one() -> None:
    eng = engine(rule("restricted", confirm_s=2.0))
    # Crosses the south-west corner: inside for ~1 s only.
    assert run_line(eng, (95.0, 110.0), (4.0, -4.0), 4.0) == []


def test_compliance_closes_the_incident_and_cool_down_spares_the_same_target() -> None:
    eng = engine(rule("restricted", clear_s=2.0, cooldown_s=30.0))
    in_ = run_line(eng, (150.0, 190.0), (0.0, 2.0), 10.0)  # leaves at t = 5 s
    assert kinds(in_) == ["WarningIssued", "IncidentClosed"]
    closed = in_[1][1]
    assert isinstance(closed, IncidentClosed) and closed.reason == "cleared"
    assert in_[1][0] == pytest.approx(5.0 + 2.0, abs=0.15)  # last seen inside + clear_s
    # Back in at once: cool-down; a different target is warned.
    eng.update(T0 + 11, own(T0 + 11), [target(T0 + 11, 150, 150)])
    again = eng.update(T0 + 12, own(T0 + 12), [target(T0 + 12, 150, 150),
                                                target(T0 + 12, 150, 160, track_id=2)])
    assert eng.counters["cooled_down"] >= 1
    assert [a.incident.track_id for a in again if isinstance(a, WarningIssued)] == []
    warned = eng.update(T0 + 13, own(T0 + 13), [target(T0 + 13, 150, 150),
                                                 target(T0 + 13, 150, 160, track_id=2)])
    assert [a.incident.track_id for a in warned if isinstance(a, WarningIssued)] == [2]
    # After the cool-down the first target is warned again.
    t = T0 + 45
    eng.update(t, own(t), [target(t, 150, 150)])
    later = eng.update(t + 1, own(t + 1), [target(t + 1, 150, 150)])
    assert [a.incident.track_id for a in later if isinstance(a, WarningIssued)] == [1]


def test_a_target_lost_from_sight_closes_its_incident() -> None:
    eng = engine(rule("restricted", escalation=ESCALATE), target_lost_s=3.0)
    run_line(eng, (150.0, 150.0), (0.0, 0.0), 2.0, speed=0.0)
    assert eng.update(T0 + 4.0, own(T0 + 4.0), []) == []
    closed = eng.update(T0 + 5.5, own(T0 + 5.5), [])
    assert len(closed) == 1 and isinstance(closed[0], IncidentClosed)
    assert closed[0].reason == "lost" and eng.incidents() == []


def test_speeding_needs_the_zone_limit_plus_margin() -> None:
    eng = engine(rule("speed_limit", confirm_s=2.0, speed_margin_mps=0.5))
    assert run_line(eng, (0.0, 0.0), (0.0, 3.4), 20.0) == []  # limit 3.0 + 0.5
    fast = run_line(eng, (0.0, 0.0), (0.0, 5.0), 20.0, track_id=2, t0=T0 + 21)
    assert kinds(fast) == ["WarningIssued"]
    warned = fast[0][1]
    assert isinstance(warned, WarningIssued)
    assert warned.incident.values["speed_kmh"] == 18 and warned.incident.values["limit_kmh"] == 11
    assert warned.incident.record_type == "speeding"


def test_a_new_track_or_a_speed_spike_is_not_speeding() -> None:
    eng = engine(rule("speed_limit", confirm_s=0.0, speed_window_s=3.0))
    # A fresh track reporting 10 m/s is not judged before its window is covered ...
    assert run_line(eng, (0.0, 0.0), (0.0, 2.0), 2.5, speed=10.0) == []
    # ... and one frame in ten at 10 m/s does not move the median of a 2 m/s boat.
    for k in range(26, 100):
        t = T0 + k * 0.1
        obs = target(t, 50.0, 0.2 * k, track_id=2, speed=10.0 if k % 10 == 0 else 2.0)
        assert eng.update(t, own(t), [obs]) == []


def test_speed_unknown_is_not_speeding() -> None:
    eng = engine(rule("speed_limit", confirm_s=0.0))
    obs = target(T0, 0, 0, speed=None)
    assert eng.update(T0, own(T0), [obs]) == []


def test_no_stopping_warns_a_boat_that_stays_still_but_not_one_passing() -> None:
    eng = engine(rule("no_stopping", confirm_s=10.0))
    assert run_line(eng, (-290.0, 90.0), (0.0, 1.5), 50.0) == []  # through the pier zone
    still = run_line(eng, (-280.0, 120.0), (0.0, 0.1), 15.0, track_id=2, t0=T0 + 51)
    # Judged once its speed window (3 s) is covered, warned confirm_s (10 s) after that.
    assert kinds(still) == ["WarningIssued"] and still[0][0] == pytest.approx(13.0, abs=0.15)


def test_no_swimming_is_about_people_only() -> None:
    eng = engine(rule("no_swimming"))
    assert run_line(eng, (350.0, 150.0), (0.0, 0.0), 5.0, speed=0.0) == []  # a boat
    person = run_line(eng, (350.0, 150.0), (0.0, 0.0), 5.0, speed=0.0, kind="person",
                      track_id=2, t0=T0 + 6)
    assert kinds(person) == ["WarningIssued"]
    inc = person[0][1].incident
    assert inc.kind == "person" and inc.record_type == "no_swimming"


def test_approach_warns_a_boat_on_a_collision_course_only() -> None:
    eng = engine(rule("approach", cpa_m=15, tcpa_s=60, min_range_m=10))
    # Crossing 100 m ahead, its track passes 100 m from us: no risk.
    assert run_line(eng, (-200.0, 100.0), (3.0, 0.0), 30.0) == []
    # Head-on from 200 m north at 3 m/s: CPA 0 m, TCPA ~ 67 s -> warned at TCPA <= 60 s.
    head_on = run_line(eng, (0.0, 200.0), (0.0, -3.0), 12.0, track_id=2, t0=T0 + 31)
    assert kinds(head_on) == ["WarningIssued"]
    t_warn, action = head_on[0]
    assert 200 - 3 * t_warn <= 3 * 60 + 3 * 0.6
    assert action.incident.cpa_m == pytest.approx(0.0, abs=0.5)
    assert action.incident.record_type == "collision_risk" and action.incident.zone is None


def test_approach_without_own_position_cannot_judge() -> None:
    eng = engine(rule("approach", confirm_s=0.0))
    assert eng.update(T0, None, [target(T0, 0, 5)]) == []


@pytest.mark.parametrize(("window", "expected"), [
    ({"start": "04:00", "end": "05:00"}, 1),  # T0 is 04:26:40 local
    ({"start": "05:00", "end": "04:00"}, 0),
    ({"start": "22:00", "end": "04:30"}, 1),  # across midnight
    ({"start": "22:00", "end": "04:20"}, 0),
])
def test_time_windows_in_local_time(window: dict[str, str], expected: int) -> None:
    eng = engine(rule("restricted", confirm_s=0.0, active=[window]))
    actions = eng.update(T0, own(T0), [target(T0, 150, 150)])
    assert len(actions) == expected


def test_time_going_backwards_is_ignored_and_counted() -> None:
    eng = engine(rule("restricted", confirm_s=0.0))
    assert len(eng.update(T0 + 10, own(T0), [target(T0 + 10, 150, 150)])) == 1
    assert eng.update(T0, own(T0), [target(T0, 150, 150, track_id=3)]) == []
    assert eng.counters["out_of_order"] == 1


def test_cpa_of_crossing_and_receding_targets() -> None:
    cpa, tcpa = cpa_tcpa((0.0, 100.0), (0.0, -5.0))
    assert (cpa, tcpa) == (pytest.approx(0.0), pytest.approx(20.0))
    cpa, tcpa = cpa_tcpa((30.0, 100.0), (0.0, -5.0))
    assert cpa == pytest.approx(30.0) and tcpa == pytest.approx(20.0)
    assert cpa_tcpa((0.0, 100.0), (0.0, 5.0)) == (pytest.approx(100.0), 0.0)
    assert cpa_tcpa((3.0, 4.0), (0.0, 0.0)) == (pytest.approx(5.0), 0.0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 3.0), st.floats(-600, 600), st.floats(-600, 600),
                          st.integers(1, 4), st.sampled_from(["boat", "person", "unknown"]),
                          st.one_of(st.none(), st.floats(0, 20)),
                          st.one_of(st.none(), st.floats(0, 360))),
                min_size=1, max_size=60))
def test_any_sequence_never_raises_and_reports_each_incident_once(steps: list) -> None:
    eng = engine(rule("restricted", escalation=ESCALATE, confirm_s=0.2),
                 rule("speed_limit", escalation=ESCALATE), rule("no_swimming"),
                 rule("no_stopping", confirm_s=1.0), rule("approach"))
    t = T0
    reported: list[str] = []
    for dt, east, north, track_id, kind, speed, course in steps:
        t += dt
        obs = target(t, east, north, track_id=track_id, kind=kind, speed=speed, course=course)
        for action in eng.update(t, own(t, sog=1.0), [obs]):
            inc = action.incident
            assert inc.track_id == track_id or isinstance(action, IncidentClosed)
            if isinstance(action, ViolationDue):
                reported.append(inc.incident_id)
            if isinstance(action, WarningIssued) and inc.rule_type != "approach":
                assert inc.zone is not None
            assert all(math.isfinite(o.t_s) for o in inc.track)
    assert len(reported) == len(set(reported))
