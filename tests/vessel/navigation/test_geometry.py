"""Plane geometry, the geofence, LOS guidance and the controllers' signs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.geo import LocalFrame
from vessel.config import VesselConfig
from vessel.navigation import planar
from vessel.navigation.control import HeadingController, SpeedController, thrust_for_speed
from vessel.navigation.guidance import LineOfSight, leg_geometry
from vessel.navigation.navigator import geofence_from_config, route_from_config

SQUARE = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]


def test_segment_intersections() -> None:
    assert planar.segments_intersect((0, 0), (10, 10), (0, 10), (10, 0))
    assert not planar.segments_intersect((0, 0), (1, 1), (2, 2), (3, 5))
    assert planar.segments_intersect((0, 0), (2, 0), (1, 0), (3, 0))  # collinear overlap
    assert planar.segment_crosses_polygon((-5, 5), (15, 5), SQUARE)
    assert not planar.segment_crosses_polygon((-5, -5), (15, -5), SQUARE)
    assert planar.segment_inside((1, 1), (9, 9), SQUARE, margin_m=0.5)
    assert not planar.segment_inside((1, 1), (9, 9), SQUARE, margin_m=2.0)
    assert not planar.segment_clear_of((-3, 5), (-1, 5), SQUARE, margin_m=2.0)


def test_inflate_pushes_vertices_out() -> None:
    for clockwise in (False, True):
        poly = SQUARE[::-1] if clockwise else SQUARE
        grown = planar.inflate(poly, 2.0)
        assert all(not planar.inside(v, poly) for v in grown)
        assert all(planar.distance_to_boundary(v, poly) >= 2.0 - 1e-9 for v in grown)


def test_config_route_is_inside_and_clear(cfg: VesselConfig) -> None:
    fence = geofence_from_config(cfg, LocalFrame(cfg.home.lat, cfg.home.lon))
    assert fence.check_route(route_from_config(cfg).distinct_legs(), 5.0) is None


def test_leg_across_the_island_is_refused(cfg: VesselConfig) -> None:
    fence = geofence_from_config(cfg, LocalFrame(cfg.home.lat, cfg.home.lon))
    across = [((30.7525, 120.7625), (30.7545, 120.7625))]
    found = fence.check_route(across, 5.0)
    assert found is not None and "Huxin" in found.zone
    outside = [((30.7515, 120.7600), (30.7515, 120.7700))]
    found = fence.check_route(outside, 5.0)
    assert found is not None and found.zone == "operating_area"


@settings(max_examples=60, deadline=None)
@given(st.floats(-150, 150), st.floats(-150, 600), st.floats(250, 700), st.floats(-150, 600))
def test_path_around_no_go_is_always_clear(cfg: VesselConfig, x0: float, y0: float,
                                           x1: float, y1: float) -> None:
    fence = geofence_from_config(cfg, LocalFrame(cfg.home.lat, cfg.home.lon))
    start, goal = (x0, y0), (x1, y1)
    if not (fence.contains(start) and fence.contains(goal)):
        return
    if fence._check_point(start, 5.0) or fence._check_point(goal, 5.0):
        return
    path = fence.path_to(start, goal, 5.0)
    assert path is not None and path[-1] == goal
    for a, b in zip([start, *path], path, strict=False):
        assert fence.check_segment(a, b, 4.99) is None


def test_leg_geometry_signs() -> None:
    g = leg_geometry((5.0, 2.0), (0.0, 0.0), (10.0, 0.0))  # leg east, boat north of it
    assert g.along_m == pytest.approx(5.0)
    assert g.cross_m == pytest.approx(-2.0)  # port side is negative
    assert g.bearing_deg == pytest.approx(90.0)
    assert g.remaining_m == pytest.approx(5.0)


def test_los_steers_back_to_the_line() -> None:
    los = LineOfSight(lookahead_m=10.0, integral_gain=0.0)
    port = los.course_deg(0.0, leg_geometry((5.0, 2.0), (0.0, 0.0), (10.0, 0.0)))
    starboard = los.course_deg(0.0, leg_geometry((5.0, -2.0), (0.0, 0.0), (10.0, 0.0)))
    assert port == pytest.approx(90.0 + math.degrees(math.atan(0.2)))  # turn right, towards it
    assert starboard == pytest.approx(90.0 - math.degrees(math.atan(0.2)))


def test_heading_controller_turns_the_short_way(cfg: VesselConfig) -> None:
    ctl = HeadingController(cfg.navigation)
    assert ctl.update(0.0, 350.0, 0.0, 10.0) > 0  # 20° to starboard through north
    ctl.reset()
    assert ctl.update(0.0, 10.0, 0.0, 350.0) < 0
    ctl.reset()
    assert ctl.update(0.0, 0.0, 5.0, 0.0) < 0  # turning right on course: ease off


def test_speed_controller_and_feedforward(cfg: VesselConfig) -> None:
    assert thrust_for_speed(3.0, 3.0) == 1.0
    assert thrust_for_speed(-1.5, 3.0) == -0.25
    ctl = SpeedController(cfg.navigation)
    slow = ctl.update(0.0, 1.0, 2.0)
    ctl.reset()
    fast = ctl.update(0.0, 3.0, 2.0)
    assert slow > thrust_for_speed(2.0, 3.0) > fast
