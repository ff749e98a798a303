"""Routes from GPX and GeoJSON files as OpenCPN and GIS tools write them; leg sequencing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vessel.navigation.route import Route, RouteError, load_route_file, parse_geojson, parse_gpx

OPENCPN_GPX = """<?xml version="1.0"?>
<gpx version="1.1" creator="OpenCPN" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:opencpn="http://www.opencpn.org">
  <rte>
    <name>South Lake patrol</name>
    <rtept lat="30.751500000" lon="120.760000000"><name>001</name></rtept>
    <rtept lat="30.751500000" lon="120.764800000"><name>002</name></rtept>
    <rtept lat="30.755600000" lon="120.764800000"><name>003</name></rtept>
  </rte>
</gpx>"""

TRACK_GPX = """<gpx version="1.0"><trk><trkseg>
<trkpt lat="30.1" lon="120.1"/><trkpt lat="30.2" lon="120.2"/></trkseg></trk></gpx>"""

WPT_GPX = """<gpx><wpt lat="1.5" lon="2.5"/><wpt lat="1.6" lon="2.6"/></gpx>"""


def test_gpx_route_points_in_order() -> None:
    assert parse_gpx(OPENCPN_GPX) == ((30.7515, 120.76), (30.7515, 120.7648), (30.7556, 120.7648))


def test_gpx_track_and_waypoints_when_no_route() -> None:
    assert parse_gpx(TRACK_GPX) == ((30.1, 120.1), (30.2, 120.2))
    assert parse_gpx(WPT_GPX) == ((1.5, 2.5), (1.6, 2.6))


@pytest.mark.parametrize("text", [
    "<gpx><rte><rtept lat='x' lon='1'/></rte></gpx>",  # a bad number is not a 0.0
    "<gpx><rte><rtept lon='1'/></rte></gpx>",
    "<gpx></gpx>",
    "<gpx><rte>",
])
def test_gpx_problems_are_route_errors(text: str) -> None:
    with pytest.raises(RouteError):
        parse_gpx(text)


def test_geojson_linestring_is_lon_lat() -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [9, 9]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "LineString", "coordinates": [[120.76, 30.7515], [120.7648, 30.7515]]}},
    ]}
    assert parse_geojson(json.dumps(doc)) == ((30.7515, 120.76), (30.7515, 120.7648))


def test_geojson_points_in_order_when_no_line() -> None:
    doc = {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [120.1, 30.1]}, {"type": "Point", "coordinates": [120.2, 30.2]}]}
    assert parse_geojson(json.dumps(doc)) == ((30.1, 120.1), (30.2, 120.2))


@pytest.mark.parametrize("text", ["{", "[]", '{"type": "Point", "coordinates": [1]}',
                                  '{"type": "Polygon", "coordinates": []}'])
def test_geojson_problems_are_route_errors(text: str) -> None:
    with pytest.raises(RouteError):
        parse_geojson(text)


def test_load_route_file_by_suffix(tmp_path: Path) -> None:
    gpx = tmp_path / "patrol.gpx"
    gpx.write_text(OPENCPN_GPX, encoding="utf-8")
    assert len(load_route_file(gpx)) == 3
    other = tmp_path / "patrol.kml"
    other.write_text("<kml/>", encoding="utf-8")
    with pytest.raises(RouteError, match="unknown route file type"):
        load_route_file(other)
    with pytest.raises(RouteError, match="cannot read"):
        load_route_file(tmp_path / "missing.gpx")


def test_loop_legs_close_the_ring() -> None:
    route = Route(((0, 0), (0, 1), (1, 1), (1, 0)), "loop")
    assert [route.leg(i) for i in range(5)] == [(0, 1), (1, 2), (2, 3), (3, 0), (0, 1)]
    assert route.legs_per_lap == 4


def test_out_and_back_legs_reverse_at_the_ends() -> None:
    route = Route(((0, 0), (0, 1), (1, 1)), "out-and-back")
    assert [route.leg(i) for i in range(6)] == [(0, 1), (1, 2), (2, 1), (1, 0), (0, 1), (1, 2)]
    assert route.legs_per_lap == 4


def test_route_rejects_nonsense() -> None:
    with pytest.raises(RouteError):
        Route(((0.0, 0.0),))
    with pytest.raises(RouteError):
        Route(((0.0, 0.0), (91.0, 0.0)))
