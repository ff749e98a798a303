"""Ground truth of a simulated recording: what really drove over the sensors.

Schema (`format: wim-traffic-truth`, `version: 1`), one JSON object:
top level: format, version, recording, seed, layout, lanes, road, dynamic_amplitude,
sample_rate_hz, start_us, duration_s, rows [{row, position_m, type, length_m}],
tailgating_gap_s, group_spacing_m, vehicles [...]; each vehicle:
id, lane, t_first_axle_us (row 0, DAQ clock), speed_kmh and speed_mps (at that moment),
accel_mps2, lateral_m, lateral_speed_mps, type, kind, vehicle, class_code, axle_count,
gvw_kg (static), gvw_dynamic_kg (per row: sum of the axles' dynamic loads there),
legal_limit_kg, excess_pct, load_state, plate, plate_color, gap_s, flags, abnormal,
axles [{load_kg (static), spacing_m (to the previous axle, null for the first), dual_tyres,
group, dynamic_load_kg (per row, at the moment the axle is over the row's centre line),
t_cross_us (per row), speed_kmh (per row)}].
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulators.traffic.layout import Layout
from simulators.traffic.world import GROUP_SPACING_M, TAILGATING_GAP_S, Vehicle

TRUTH_FORMAT = "wim-traffic-truth"


def vehicle_truth(v: Vehicle, layout: Layout, start_us: int) -> dict[str, Any]:
    """The ground-truth record of one vehicle."""
    axles = []
    dyn_rows = [0.0] * len(layout.rows)
    for j, axle in enumerate(v.axles):
        taus = [v.crossing_tau(j, r.position_m) for r in layout.rows]
        loads = [float(axle.load_at(tau)) for tau in taus]
        for i, load in enumerate(loads):
            dyn_rows[i] += load
        axles.append(
            {
                "load_kg": round(axle.load_kg, 1),
                "spacing_m": None if j == 0 else round(axle.offset_m - v.axles[j - 1].offset_m, 3),
                "dual_tyres": axle.dual_tyres,
                "group": axle.group,
                "dynamic_load_kg": [round(x, 1) for x in loads],
                "t_cross_us": [start_us + round((v.t_first_s + tau) * 1e6) for tau in taus],
                "speed_kmh": [round(v.speed_at(tau) * 3.6, 3) for tau in taus],
            }
        )
    return {
        "id": v.id,
        "lane": v.lane,
        "t_first_axle_us": start_us + round(v.t_first_s * 1e6),
        "speed_kmh": round(v.speed_mps * 3.6, 3),
        "speed_mps": round(v.speed_mps, 4),
        "accel_mps2": round(v.accel_mps2, 3),
        "lateral_m": round(v.lateral_m, 3),
        "lateral_speed_mps": round(v.lateral_speed_mps, 3),
        "type": v.type_name,
        "kind": v.kind,
        "vehicle": v.vehicle,
        "class_code": v.code,
        "axle_count": len(v.axles),
        "gvw_kg": round(v.gvw_kg, 1),
        "gvw_dynamic_kg": [round(x, 1) for x in dyn_rows],
        "legal_limit_kg": v.legal_limit_kg,
        "excess_pct": round((v.gvw_kg / v.legal_limit_kg - 1) * 100, 2),
        "load_state": v.load_state,
        "plate": v.plate,
        "plate_color": v.plate_color,
        "gap_s": None if v.gap_s is None else round(v.gap_s, 3),
        "flags": list(v.flags),
        "abnormal": bool(v.flags),
        "axles": axles,
    }


def truth_document(
    vehicles: list[Vehicle],
    layout: Layout,
    *,
    recording: str,
    seed: int,
    road: str,
    dynamic_amplitude: float,
    sample_rate_hz: int,
    start_us: int,
    duration_s: float,
) -> dict[str, Any]:
    return {
        "format": TRUTH_FORMAT,
        "version": 1,
        "recording": recording,
        "seed": seed,
        "layout": layout.name,
        "lanes": layout.lanes,
        "road": road,
        "dynamic_amplitude": dynamic_amplitude,
        "sample_rate_hz": sample_rate_hz,
        "start_us": start_us,
        "duration_s": round(duration_s, 3),
        "rows": [
            {"row": r.row, "position_m": r.position_m, "type": r.type, "length_m": r.length_m}
            for r in layout.rows
        ],
        "tailgating_gap_s": TAILGATING_GAP_S,
        "group_spacing_m": GROUP_SPACING_M,
        "vehicles": [vehicle_truth(v, layout, start_us) for v in vehicles],
    }


def load_truth(path: str | Path) -> dict[str, Any]:
    """Read a ground-truth file written by `simulators.traffic generate`."""
    doc: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("format") != TRUTH_FORMAT:
        raise ValueError(f"{path}: not a {TRUTH_FORMAT} file")
    return doc
