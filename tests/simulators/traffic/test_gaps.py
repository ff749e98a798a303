"""Gap acceptance: lane changers and straddlers never drive through the neighbouring lane."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

import pytest

from simulators.traffic.gaps import gap_accepted, lanes_used
from simulators.traffic.layout import Layout, make_layout
from simulators.traffic.sensors import crossings
from simulators.traffic.world import TrafficParams, Vehicle, take

# Dense two-lane traffic where one vehicle in three straddles or changes lane.
BUSY = TrafficParams(lanes=2, mean_gap_s=2.5, p_straddling=0.15, p_lane_change=0.15)


def site_params(params: TrafficParams, site: Layout) -> TrafficParams:
    """The params `generate()` uses on that site."""
    return replace(params, site_length_m=site.last_position_m + 0.5, lane_width_m=site.lane_width_m)


def channel_overlaps(vehicles: list[Vehicle], site: Layout) -> list[tuple[int, int, int]]:
    """(channel, vehicle id, vehicle id) for wheels of two vehicles on one channel at once."""
    channels = site.channels()
    spans: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for v in vehicles:
        for c in crossings(v, site, channels):
            for ch, _ in c.channel_weights:
                spans[ch].append((c.t_start_s, c.t_end_s, v.id))
    out = []
    for ch, chan_spans in spans.items():
        chan_spans.sort()
        open_: list[tuple[float, float, int]] = []
        for start, end, vid in chan_spans:
            open_ = [o for o in open_ if o[1] > start]
            out += [(ch, o[2], vid) for o in open_ if o[2] != vid]
            open_.append((start, end, vid))
    return out


def over_the_line(vehicles: list[Vehicle], p: TrafficParams) -> list[Vehicle]:
    return [
        v for v in vehicles if lanes_used(v, p.lanes, p.lane_width_m, p.site_length_m) > {v.lane}
    ]


@pytest.mark.parametrize("layout", ["two-strips", "four-strips", "two-plates"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_no_two_vehicles_on_one_channel_at_once(layout: str, seed: int) -> None:
    site = make_layout(layout, 2)
    params = site_params(BUSY, site)
    fleet = take(params, seed, 300)
    assert len(over_the_line(fleet, params)) >= 10  # the test is not vacuous
    assert channel_overlaps(fleet, site) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_lane_used_is_free_a_gap_before_and_after(seed: int) -> None:
    params = site_params(BUSY, make_layout("four-strips", 2))
    fleet = take(params, seed, 300)
    for v in over_the_line(fleet, params):
        used = lanes_used(v, params.lanes, params.lane_width_m, params.site_length_m)
        for other in fleet:
            if other.lane != v.lane and other.lane in used:
                assert gap_accepted(v, other, params.min_accepted_gap_s, params.site_length_m)


def test_gap_rule_on_two_vehicles() -> None:
    params = site_params(TrafficParams(lanes=2), make_layout("two-strips", 2))
    first, second = take(params, 1, 2)
    side_by_side = replace(second, t_first_s=first.t_first_s)
    assert not gap_accepted(first, side_by_side, 1.0, params.site_length_m)
    far = replace(second, t_first_s=first.t_first_s + 10.0)
    assert gap_accepted(first, far, 1.0, params.site_length_m)
    assert gap_accepted(far, first, 1.0, params.site_length_m)
    straddler = replace(first, lane=1, lateral_m=1.5, lateral_speed_mps=0.0)
    assert lanes_used(straddler, 2, params.lane_width_m, params.site_length_m) == {1, 2}
    assert lanes_used(straddler, 1, params.lane_width_m, params.site_length_m) == {1}
    keeper = replace(first, lane=2, lateral_m=0.3, lateral_speed_mps=0.0)
    assert lanes_used(keeper, 2, params.lane_width_m, params.site_length_m) == {2}


def test_manoeuvres_keep_their_share() -> None:
    params = site_params(TrafficParams(lanes=2), make_layout("four-strips", 2))
    n = 3000
    fleet = take(params, 1, n)
    flags = Counter(f for v in fleet for f in v.flags)
    for flag, share in (("straddling", params.p_straddling), ("lane_change", params.p_lane_change)):
        assert abs(flags[flag] - share * n) < 0.2 * share * n
    # Most of them still lean into the neighbouring lane (the rest drift onto the shoulder).
    assert len(over_the_line(fleet, params)) > 0.7 * (flags["straddling"] + flags["lane_change"])


def test_busy_traffic_is_reproducible() -> None:
    assert take(BUSY, 5, 200) == take(BUSY, 5, 200)
