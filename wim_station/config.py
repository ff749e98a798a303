"""The WIM site config (`kind: wim`): DAQ, lanes and sensor channels, legal rules, outputs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from edge.config.base import StrictModel
from edge.config.common import AgentConfig
from edge.display.template import validate_template
from wim_station.anpr.config import AnprConfig
from wim_station.site.options import ViolationSection


class DaqSection(StrictModel):
    """Where the data-acquisition unit is and how fast it samples."""

    url: str = Field(description="serial device, socket://host:port, rfc2217://… or file://x.wimrec")
    baudrate: Annotated[int, Field(gt=0)] = 921_600
    sample_rate_hz: Annotated[int, Field(ge=100, le=100_000)] = 4000
    reconnect_max_s: Annotated[float, Field(gt=0)] = 30.0


class LaneSection(StrictModel):
    """One traffic lane of the site."""

    lane: Annotated[int, Field(ge=1, le=16)]
    direction: str = Field(min_length=1, description="free text, e.g. 'eastbound'")


class ChannelSection(StrictModel):
    """One sensor channel, exactly as the channel table of specs/wim-daq.md §3."""

    index: Annotated[int, Field(ge=0, le=63)]
    lane: Annotated[int, Field(ge=1, le=16)]
    row: Annotated[int, Field(ge=0, le=15)]
    position_m: Annotated[float, Field(ge=0, le=50)]
    side: Literal["left", "right", "full"]
    type: Literal["strip", "plate"]
    length_m: Annotated[float, Field(gt=0, le=3)]
    zero_counts: int = 0
    gain_n_per_count: Annotated[float, Field(gt=0)] = 1.0


class GvwLimit(StrictModel):
    """A gross-weight limit for one axle count and configuration."""

    axles: Annotated[int, Field(ge=2, le=20)]
    vehicle: Literal["any", "rigid", "combination", "tractor_single_drive"] = "any"
    limit_kg: Annotated[float, Field(gt=0, le=200_000)]


# MOT Order 2016 No. 62, art. 3 para. 1 items (4)-(8) (the overload thresholds, checked
# against its text); GB 1589-2016 gives the same totals (its table number not verified).
DEFAULT_GVW_LIMITS: tuple[GvwLimit, ...] = (
    GvwLimit(axles=2, limit_kg=18_000),
    GvwLimit(axles=3, vehicle="rigid", limit_kg=25_000),
    GvwLimit(axles=3, vehicle="combination", limit_kg=27_000),
    GvwLimit(axles=4, vehicle="rigid", limit_kg=31_000),
    GvwLimit(axles=4, vehicle="combination", limit_kg=36_000),
    GvwLimit(axles=5, limit_kg=43_000),
    GvwLimit(axles=6, limit_kg=49_000),
    GvwLimit(axles=6, vehicle="tractor_single_drive", limit_kg=46_000),
)


class RulesSection(StrictModel):
    """The legal rules the overload decision applies."""

    gvw_limits: tuple[GvwLimit, ...] = DEFAULT_GVW_LIMITS
    # Measurement tolerance granted before an excess counts. 5 % is the figure in use for
    # class 5 WIM; not verified against JJG 907-2006's text: set it from the site's
    # verification certificate or the province's enforcement rule.
    tolerance_pct: Annotated[float, Field(ge=0, le=30)] = 5.0
    # MOT Order 2016 No. 62, art. 43 para. 1 item (2): an excess of at most 1 t is warned,
    # not fined.
    warning_margin_kg: Annotated[float, Field(ge=0)] = 1000.0
    # Zhejiang enforcement practice: more than 40 % over the limit is "severe".
    severe_excess_pct: Annotated[float, Field(gt=0)] = 40.0
    # The agency follows every vehicle of 100 t or more separately.
    flag_gvw_kg: Annotated[float, Field(gt=0)] = 100_000.0
    # Speed range over which the system was certified (JJG 907 type approval).
    min_speed_kmh: Annotated[float, Field(ge=0)] = 5.0
    max_speed_kmh: Annotated[float, Field(gt=0)] = 100.0


class DetectionSection(StrictModel):
    """Axle detection, vehicle assembly and validity thresholds of the axle-load core."""

    # Hysteresis on the zeroed force of one channel. A light car wheel gives about 2.5 kN on a
    # plate and a peak of the same order on a strip; sensor noise is some tens of newtons.
    on_threshold_n: Annotated[float, Field(gt=0)] = 1200.0
    off_threshold_n: Annotated[float, Field(gt=0)] = 400.0
    # Samples kept either side of a pulse so the area method sees its ramps in full.
    pad_s: Annotated[float, Field(gt=0, le=0.1)] = 0.004
    # Zero tracking: time constant of the baseline while no wheel is on a sensor.
    zero_time_constant_s: Annotated[float, Field(gt=0)] = 2.0
    # A pulse longer than this is a parked wheel or a stuck channel: sensor fault, re-zero.
    max_pulse_s: Annotated[float, Field(gt=0)] = 2.0
    # Longest tyre contact patch: heavy dual tyres at full load reach ~0.3 m (Cebon,
    # Handbook of Vehicle-Road Interaction, ch. 5); a plate's plateau excludes it.
    max_contact_patch_m: Annotated[float, Field(gt=0, le=1)] = 0.35
    # Processing block (samples per channel): bounds latency, amortises per-call overhead.
    block_samples: Annotated[int, Field(ge=16, le=65536)] = 4096
    # Closing a lane's axle train. A train whose last vehicle matches a configured class is
    # closed once the next axle of any class that could still go on from it would have
    # arrived, even braking at `closing_decel_mps2`; a train whose tail matches no class
    # waits for `train_gap_m` of travel. Never sooner than `train_gap_min_s` of quiet.
    train_gap_m: Annotated[float, Field(gt=0)] = 12.0
    train_gap_min_s: Annotated[float, Field(gt=0)] = 0.1
    # Firm braking of a loaded truck (emergency braking of an N3 vehicle is at least
    # 5 m/s², UN ECE R13 Annex 4); a truck braking this hard is flagged unsteady anyway.
    closing_decel_mps2: Annotated[float, Field(gt=0)] = 3.0
    # Spacings measured this much (fraction) outside a class's range still count as that
    # class when waiting for its next axle: speed error stretches measured spacings.
    closing_spacing_margin: Annotated[float, Field(ge=0, le=1)] = 0.1
    # Axles closer than this form a group (tandem, tridem). Engineering figure: GB 1589's
    # tandem categories end at 1.8 m (trailers); the clause was not verified.
    group_spacing_m: Annotated[float, Field(gt=0)] = 1.9
    # Two vehicles' axles are never closer than both overhangs plus a gap.
    min_vehicle_gap_m: Annotated[float, Field(gt=0)] = 2.5
    # Follower closer than this (its first axle after the leader's last at row 0) is
    # tailgating: its axles cannot be separated from the leader's reliably.
    tailgating_gap_s: Annotated[float, Field(gt=0)] = 1.0
    # COST 323 / JJG 907 test practice: steady speed; |a| >= 1 m/s² is not steady.
    max_accel_mps2: Annotated[float, Field(gt=0)] = 1.0
    # Left/right share of an axle beyond which a wheel is off its strip (straddling).
    max_side_imbalance: Annotated[float, Field(gt=0, le=1)] = 0.3
    # Rows disagreeing on one axle load by more than this (fraction) flag the passage.
    max_row_disagreement: Annotated[float, Field(gt=0)] = 0.6


class VehicleClass(StrictModel):
    """One axle configuration: its group code, inter-axle spacing ranges and legal kind."""

    code: str = Field(pattern=r"^[1257]{2,8}$")
    vehicle: Literal["rigid", "combination", "tractor_single_drive"] = "rigid"
    spacings_m: tuple[tuple[float, float], ...] = Field(
        description="(min, max) of each spacing, first axle onwards"
    )
    max_gvw_kg: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _spacings_fit_code(self) -> VehicleClass:
        axles = sum({"1": 1, "2": 1, "5": 2, "7": 3}[d] for d in self.code)
        if len(self.spacings_m) != axles - 1:
            raise ValueError(
                f"class {self.code}: {axles} axles need {axles - 1} spacings, "
                f"got {len(self.spacings_m)}"
            )
        return self


# Axle configurations of GB 1589-2016 Table 2. The spacing ranges are engineering estimates
# (wheelbases of 2-axle cars up to 3 m; tandem/tridem spacings 1.2-1.9 m; semi-trailer
# king-pin to first trailer axle 4.5-9 m), not figures of the standard, which limits overall
# dimensions: set them from the fleet a site sees. A '157' is scored against the combination limit
# (49 t): a single-drive tractor (46 t) cannot be told apart by its spacings, so the
# measurement gives the truck the benefit of the doubt.
DEFAULT_VEHICLE_CLASSES: tuple[VehicleClass, ...] = (
    VehicleClass(code="11", spacings_m=((2.0, 3.0),), max_gvw_kg=3500),
    VehicleClass(code="12", spacings_m=((2.5, 6.8),)),
    VehicleClass(code="15", spacings_m=((2.8, 6.8), (1.2, 1.9))),
    VehicleClass(code="122", vehicle="combination", spacings_m=((2.8, 4.5), (5.0, 10.0))),
    VehicleClass(code="115", spacings_m=((1.9, 2.8), (2.8, 6.0), (1.2, 1.9))),
    VehicleClass(code="125", vehicle="combination",
                 spacings_m=((2.8, 4.5), (4.5, 9.5), (1.2, 1.9))),
    VehicleClass(code="155", vehicle="combination",
                 spacings_m=((2.6, 4.2), (1.2, 1.9), (4.0, 9.0), (1.2, 1.9))),
    VehicleClass(code="127", vehicle="combination",
                 spacings_m=((2.8, 4.5), (4.5, 9.5), (1.2, 1.9), (1.2, 1.9))),
    VehicleClass(code="157", vehicle="combination",
                 spacings_m=((2.6, 4.2), (1.2, 1.9), (4.0, 9.0), (1.2, 1.9), (1.2, 1.9))),
)


class RowWeighting(StrictModel):
    """Error model that sets the variance-minimising weights of several sensor rows."""

    # Sensor repeatability (1 sigma, fraction of load): quartz strips ~2-3 %, load-cell plates
    # ~1 % (manufacturer data; COST 323 Final Report ch. 4 gives similar orders).
    strip_noise: Annotated[float, Field(ge=0)] = 0.025
    plate_noise: Annotated[float, Field(ge=0)] = 0.01
    # Dynamic axle load (1 sigma, fraction) and its correlation length along the road:
    # body bounce of 1.5-4 Hz at highway speeds repeats every 5-15 m (Cebon, Handbook of
    # Vehicle-Road Interaction, ch. 9).
    dynamic: Annotated[float, Field(ge=0)] = 0.05
    correlation_length_m: Annotated[float, Field(gt=0)] = 0.5


class CalibrationSection(StrictModel):
    """Calibration of the site; its version goes into every result."""

    version: str = Field(default="factory", min_length=1, max_length=64)
    # Per-channel multiplier on force (channel index -> gain), fitted by `calibrate`.
    channel_gains: dict[int, Annotated[float, Field(gt=0.2, lt=5.0)]] = Field(default_factory=dict)
    # Speed-dependent correction: (speed_kmh, factor) points, linearly interpolated, held
    # constant outside. Empty = 1.0 everywhere.
    speed_factors: tuple[tuple[float, float], ...] = ()
    # Temperature sensitivity per sensor type (fraction per degC); quartz strips are
    # near-insensitive (< 0.02 %/degC, Kistler Lineas 9195G data sheet); piezo-polymer
    # cables need a table of their own.
    temperature_coeff_per_c: dict[str, float] = Field(
        default_factory=lambda: {"strip": 0.0, "plate": 0.0},
        description="sensor type ('strip' or 'plate') -> fraction per degC",
    )
    reference_temperature_c: float = 20.0
    weighting: RowWeighting = RowWeighting()


class DriftSection(StrictModel):
    """Drift monitor: the steer axle of loaded 5-/6-axle tractors is nearly constant.

    FHWA Traffic Monitoring Guide (2016) 3.4 and LTPP WIM data checks use the front-axle
    weight of loaded tractor semi-trailers to watch a site's calibration between tests.
    """

    axle_counts: tuple[int, ...] = (5, 6)
    # Only loaded trucks: their steer axle varies least.
    min_gvw_kg: Annotated[float, Field(ge=0)] = 30_000.0
    # Reference steer-axle load; None: learned from the first `baseline_vehicles` per lane
    # after start or after a new calibration version.
    reference_steer_kg: Annotated[float, Field(gt=0)] | None = None
    baseline_vehicles: Annotated[int, Field(ge=5)] = 50
    window_vehicles: Annotated[int, Field(ge=5)] = 50
    # Alarm beyond this drift of the windowed median: half the 5 % class tolerance.
    bound_pct: Annotated[float, Field(gt=0)] = 3.0


class CameraSection(StrictModel):
    """A camera watching a lane: a continuous stream or a triggered snapshot URL."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    url: str = Field(min_length=1, description="rtsp://, http://…mjpg, /dev/videoN, file or folder")
    lane: Annotated[int, Field(ge=1, le=16)]
    mode: Literal["stream", "snapshot"] = "stream"
    buffer_s: Annotated[float, Field(gt=0, le=60)] = 5.0


SIGN_VALUES = ("plate", "plate_color", "lane", "excess_pct", "excess_t", "gvw_t", "limit_t",
               "axles", "speed_kmh")
"""Placeholders a sign template may use."""


class SignSection(StrictModel):
    """The roadside LED variable-message sign."""

    url: str = Field(min_length=1, description="serial device or socket://host:port")
    baudrate: Annotated[int, Field(gt=0)] = 9600
    address: Annotated[int, Field(ge=0, le=255)] = 1
    overload_template: str = "{plate} 超限{excess_pct}%\n请驶入检测站"
    default_message: str = "货车不超限 安全你我他"
    hold_s: Annotated[float, Field(gt=0, le=600)] = 8.0

    @field_validator("overload_template")
    @classmethod
    def _known_placeholders(cls, template: str) -> str:
        # A typo in a placeholder must fail `edge config check`, not the first offender.
        validate_template(template, SIGN_VALUES)
        return template


class WimSiteConfig(AgentConfig):
    """Everything a weigh-in-motion site agent needs."""

    kind: Literal["wim"]
    daq: DaqSection
    lanes: Annotated[tuple[LaneSection, ...], Field(min_length=1)]
    channels: Annotated[tuple[ChannelSection, ...], Field(min_length=1)]
    rules: RulesSection = RulesSection()
    detection: DetectionSection = DetectionSection()
    vehicle_classes: tuple[VehicleClass, ...] = DEFAULT_VEHICLE_CLASSES
    calibration: CalibrationSection = CalibrationSection()
    drift: DriftSection = DriftSection()
    cameras: tuple[CameraSection, ...] = ()
    sign: SignSection | None = None
    # Plate reader settings (wim_station.anpr) and the agent's violation pipeline.
    anpr: AnprConfig = AnprConfig.model_validate({})
    violations: ViolationSection = ViolationSection()

    @model_validator(mode="after")
    def _channels_consistent(self) -> WimSiteConfig:
        lanes = {lane.lane for lane in self.lanes}
        seen: set[int] = set()
        for i, ch in enumerate(self.channels):
            if ch.index in seen:
                raise ValueError(f"channels[{i}].index {ch.index} is used twice")
            seen.add(ch.index)
            if ch.lane not in lanes:
                raise ValueError(
                    f"channels[{i}].lane {ch.lane} is not one of the lanes {sorted(lanes)}"
                )
        return self
