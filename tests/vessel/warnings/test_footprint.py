"""A moving target is in a zone as soon as any part of its hull is (bow first): the hull lies
along its course, half its visible width each way; a long hull alongside a zone stays out."""

from __future__ import annotations

import math
from typing import Any

from tests.vessel.warnings.scenes import FRAME, T0, engine, own, rule, target
from vessel.warnings import WarningEngine, WarningIssued, Zone
from vessel.warnings.geometry import footprint_en

OWN_EN = (150.0, 0.0)  # the patrol boat, south of the harbour (east 100..200, north 100..200)


def first_warning(eng: WarningEngine, start: tuple[float, float], velocity: tuple[float, float],
                  duration_s: float, **kw: Any) -> float | None:
    """Seconds from the start to the first warning of a target seen from OWN_EN, or None."""
    kw.setdefault("speed", math.hypot(*velocity))
    kw.setdefault("course", math.degrees(math.atan2(*velocity)) % 360)
    for k in range(round(duration_s / 0.2) + 1):
        t = k * 0.2
        east, north = start[0] + velocity[0] * t, start[1] + velocity[1] * t
        bearing = math.degrees(math.atan2(east - OWN_EN[0], north - OWN_EN[1])) % 360
        obs = target(T0 + t, east, north, bearing=bearing, **kw)
        actions = eng.update(T0 + t, own(T0 + t, *OWN_EN), [obs])
        if any(isinstance(a, WarningIssued) for a in actions):
            return t
    return None


def test_a_hull_crossing_the_view_is_warned_when_its_bow_enters() -> None:
    # East along north = 150 at 2 m/s: the centre enters (east 100) at t = 15 s, the bow of
    # an 8 m hull 2 s earlier.
    by_centre = first_warning(engine(rule("restricted", confirm_s=0.2)), (70.0, 150.0),
                              (2.0, 0.0), 30.0)
    by_hull = first_warning(engine(rule("restricted", confirm_s=0.2)), (70.0, 150.0),
                            (2.0, 0.0), 30.0, width_m=8.0)
    assert by_centre is not None and by_hull is not None
    assert by_centre >= 15.0
    assert 13.0 <= by_hull <= by_centre - 1.5


def test_a_target_too_slow_for_a_course_is_placed_by_its_centre() -> None:
    slow = first_warning(engine(rule("restricted", confirm_s=0.2)), (70.0, 150.0), (2.0, 0.0),
                         30.0, width_m=8.0, speed=0.5)
    no_course = first_warning(engine(rule("restricted", confirm_s=0.2)), (70.0, 150.0),
                              (2.0, 0.0), 30.0, width_m=8.0, course=None)
    assert slow is not None and slow >= 15.0
    assert no_course is not None and no_course >= 15.0


def test_a_long_hull_alongside_the_zone_stays_out() -> None:
    # East along north = 96, 4 m short of the zone: its 20 m length lies along its course,
    # never across into the zone, though seen obliquely its width reaches that far.
    eng = engine(rule("restricted", confirm_s=0.2))
    assert first_warning(eng, (60.0, 96.0), (2.0, 0.0), 60.0, width_m=20.0) is None
    assert eng.counters["warnings"] == 0


def test_a_detection_wider_than_one_hull_is_placed_by_its_centre() -> None:
    # East along north = 150 for 3 s, centre up to 14 m short of the zone: a 30 m blob
    # would reach in, a 24 m one would not.
    def warned(width_m: float, **section: Any) -> bool:
        eng = engine(rule("restricted", confirm_s=0.2), **section)
        return first_warning(eng, (80.0, 150.0), (2.0, 0.0), 3.0, width_m=width_m) is not None

    assert not warned(30.0)
    assert warned(30.0, max_target_width_m=40.0)
    assert not warned(24.0)


def test_a_hull_is_as_wide_as_its_recent_median() -> None:
    # 8 m from the zone at (92, 150): an 8 m hull stays out, 20 m would reach in. Two wide
    # boxes in a row (a wake merged in) do not stretch it; a third makes it the median.
    eng = engine(rule("restricted", confirm_s=0.2))
    warned = []
    for k, width in enumerate((8.0, 8.0, 8.0, 20.0, 20.0, 20.0, 20.0)):
        t = T0 + 0.25 * k
        obs = target(t, 92.0, 150.0, course=90.0, bearing=340.0, width_m=width)
        warned.append(any(isinstance(a, WarningIssued)
                          for a in eng.update(t, own(t, *OWN_EN), [obs])))
    assert warned == [False] * 6 + [True]


def test_one_frame_with_the_bow_in_warns_no_one() -> None:
    # In for one frame (a misplaced detection), out the next: never confirmed.
    eng = engine(rule("restricted", confirm_s=0.2))
    for k, east in enumerate((90.0, 97.0, 90.0, 97.0, 90.0)):
        obs = target(T0 + 0.25 * k, east, 150.0, course=90.0, bearing=340.0, width_m=8.0)
        assert eng.update(T0 + 0.25 * k, own(T0 + 0.25 * k, *OWN_EN), [obs]) == []


def test_segment_against_polygon() -> None:
    zone = Zone.from_latlon(FRAME, "z", "restricted",
                            [FRAME.to_geodetic(e, n) for e, n in
                             ((0, 0), (10, 0), (10, 10), (0, 10))])
    assert zone.touches_segment((5.0, 5.0), (5.0, 5.0))  # inside
    assert zone.touches_segment((-5.0, 5.0), (15.0, 5.0))  # straddles it, both ends out
    assert zone.touches_segment((-5.0, 0.0), (0.0, 0.0))  # reaches a corner
    assert not zone.touches_segment((-5.0, 11.0), (15.0, 11.0))
    assert not zone.touches_segment((11.0, -5.0), (11.0, 15.0))


def test_footprint_lies_along_the_course() -> None:
    stern, bow = footprint_en((0.0, 100.0), 90.0, 3.0)  # heading east: ends west and east
    assert math.isclose(stern[0], -3.0, abs_tol=1e-9) and math.isclose(bow[0], 3.0)
    assert math.isclose(stern[1], 100.0) and math.isclose(bow[1], 100.0)
    assert footprint_en((1.0, 2.0), None, 3.0) == ((1.0, 2.0), (1.0, 2.0))
    assert footprint_en((1.0, 2.0), 90.0, 0.0) == ((1.0, 2.0), (1.0, 2.0))
