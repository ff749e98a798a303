"""Plane geometry in a local east/north frame (metres): segments, polygons, shortest paths.

`edge.geo` gives the tangent plane; over a lake the plane is exact to centimetres, so the
navigation core works in it and converts to WGS-84 only at its edges.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

from edge.geo import point_in_polygon

Point = tuple[float, float]
Poly = Sequence[Point]


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """True when segment p1–p2 touches or crosses segment q1–q2."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and d1 and d2 and d3 and d4:
        return True
    return any(
        d == 0 and _on_segment(a, b, c)
        for d, a, b, c in ((d1, q1, q2, p1), (d2, q1, q2, p2), (d3, p1, p2, q1), (d4, p1, p2, q2))
    )


def _on_segment(a: Point, b: Point, c: Point) -> bool:
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def closest_on_segment(p: Point, a: Point, b: Point) -> Point:
    """The point of segment a–b nearest to p."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return a
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return a[0] + t * dx, a[1] + t * dy


def distance_to_segment(p: Point, a: Point, b: Point) -> float:
    """Shortest distance from p to segment a–b."""
    return math.dist(p, closest_on_segment(p, a, b))


def distance_to_boundary(p: Point, poly: Poly) -> float:
    """Shortest distance from p to the polygon's edges."""
    n = len(poly)
    return min(distance_to_segment(p, poly[i], poly[(i + 1) % n]) for i in range(n))


def inside(p: Point, poly: Poly) -> bool:
    """Even-odd point-in-polygon."""
    return point_in_polygon(p[0], p[1], list(poly))


def segment_crosses_polygon(a: Point, b: Point, poly: Poly) -> bool:
    """True when segment a–b enters the polygon (an endpoint inside, or crossing an edge)."""
    if inside(a, poly) or inside(b, poly):
        return True
    n = len(poly)
    return any(segments_intersect(a, b, poly[i], poly[(i + 1) % n]) for i in range(n))


def segment_clear_of(a: Point, b: Point, poly: Poly, margin_m: float) -> bool:
    """True when segment a–b stays outside the polygon by at least margin_m."""
    if segment_crosses_polygon(a, b, poly):
        return False
    if margin_m <= 0:
        return True
    n = len(poly)
    nearest = min(
        min(distance_to_segment(poly[i], a, b), distance_to_segment(a, poly[i], poly[(i + 1) % n]),
            distance_to_segment(b, poly[i], poly[(i + 1) % n]))
        for i in range(n)
    )
    return nearest >= margin_m


def segment_inside(a: Point, b: Point, poly: Poly, margin_m: float = 0.0) -> bool:
    """True when segment a–b lies inside the polygon, at least margin_m from its edges."""
    if not (inside(a, poly) and inside(b, poly)):
        return False
    n = len(poly)
    if any(segments_intersect(a, b, poly[i], poly[(i + 1) % n]) for i in range(n)):
        return False
    if margin_m <= 0:
        return True
    return all(
        distance_to_segment(poly[i], a, b) >= margin_m
        and distance_to_segment(a, poly[i], poly[(i + 1) % n]) >= margin_m
        and distance_to_segment(b, poly[i], poly[(i + 1) % n]) >= margin_m
        for i in range(n)
    )


def inflate(poly: Poly, margin_m: float) -> list[Point]:
    """Vertices pushed outward by margin_m along their bisectors (for path-planning waypoints)."""
    n = len(poly)
    area2 = sum(poly[i - 1][0] * poly[i][1] - poly[i][0] * poly[i - 1][1] for i in range(n))
    sign = 1.0 if area2 > 0 else -1.0  # counter-clockwise: outward normal is to the right
    out: list[Point] = []
    for i in range(n):
        prev, cur, nxt = poly[i - 1], poly[i], poly[(i + 1) % n]
        n1 = _unit_normal(prev, cur, sign)
        n2 = _unit_normal(cur, nxt, sign)
        bx, by = n1[0] + n2[0], n1[1] + n2[1]
        norm = math.hypot(bx, by) or 1.0
        cos_half = max(0.2, (bx * n1[0] + by * n1[1]) / norm)
        scale = margin_m / cos_half
        out.append((cur[0] + bx / norm * scale, cur[1] + by / norm * scale))
    return out


def _unit_normal(a: Point, b: Point, sign: float) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return (sign * dy / length, -sign * dx / length)


def shortest_path(
    start: Point, goal: Point, keep_in: Poly, keep_out: Sequence[Poly], margin_m: float
) -> list[Point] | None:
    """Shortest polyline start→goal inside keep_in avoiding keep_out (visibility graph on
    the keep-out vertices inflated by 1.5 × margin); None when there is none. Excludes start."""
    nodes: list[Point] = [start, goal]
    for poly in keep_out:
        nodes.extend(v for v in inflate(poly, 1.5 * margin_m + 1.0) if inside(v, keep_in))

    def visible(a: Point, b: Point) -> bool:
        return segment_inside(a, b, keep_in) and all(
            segment_clear_of(a, b, poly, margin_m) for poly in keep_out
        )

    best = {0: 0.0}
    came: dict[int, int] = {}
    queue = [(0.0, 0)]
    while queue:
        cost, i = heapq.heappop(queue)
        if i == 1:
            path = [nodes[1]]
            while came.get(i, 0) != 0:
                i = came[i]
                path.append(nodes[i])
            return path[::-1]
        if cost > best.get(i, math.inf):
            continue
        for j in range(1, len(nodes)):
            if j == i:
                continue
            step = math.dist(nodes[i], nodes[j])
            if cost + step < best.get(j, math.inf) and visible(nodes[i], nodes[j]):
                best[j] = cost + step
                came[j] = i
                heapq.heappush(queue, (cost + step, j))
    return None
