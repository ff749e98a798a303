"""The patrol vessel config (`kind: vessel`): GNSS, helm, camera, route, geofence, zones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from edge.config.base import StrictModel
from edge.config.common import AgentConfig, GeoPoint, Latitude, Longitude
from edge.display.config import TextDisplayConfig
from edge.speaker.config import SpeakerConfig
from vessel.vision.config import VisionConfig
from vessel.warnings.config import WarningsSection, check_rule_zones

LatLon = tuple[Latitude, Longitude]
Polygon = Annotated[tuple[LatLon, ...], Field(min_length=3)]


class GnssSection(StrictModel):
    """The GNSS receiver."""

    url: str = Field(min_length=1, description="serial device, socket://host:port or rfc2217://…")
    baudrate: Annotated[int, Field(gt=0)] = 9600
    require_checksum: bool = True
    max_fix_age_s: Annotated[float, Field(gt=0, le=60)] = 2.0
    max_hdop: Annotated[float, Field(gt=0)] = 4.0


class HelmSection(StrictModel):
    """The motor controller."""

    url: str = Field(min_length=1)
    baudrate: Annotated[int, Field(gt=0)] = 115_200
    steering: Literal["rudder", "differential"] = "rudder"
    # The controller goes to neutral when commands stop for `neutral_timeout_s`
    # (vessel.helm.protocol); sending at 10 Hz leaves room for several lost frames within it.
    command_rate_hz: Annotated[float, Field(gt=0, le=50)] = 10.0
    neutral_timeout_s: Annotated[float, Field(gt=0, le=10)] = 1.0


class CameraSection(StrictModel):
    """The forward camera and its pinhole model (same fields as `vessel.vision --camera`)."""

    url: str = Field(min_length=1)
    width_px: Annotated[int, Field(ge=64, le=8192)] = 1280
    height_px: Annotated[int, Field(ge=48, le=8192)] = 720
    hfov_deg: Annotated[float, Field(gt=1, lt=180)] = 70.0
    height_m: Annotated[float, Field(gt=0, le=50)] = 2.0
    pitch_deg: Annotated[float, Field(ge=-45, le=45)] = 0.0
    mount_yaw_deg: Annotated[float, Field(ge=-180, le=180)] = 0.0


class RouteSection(StrictModel):
    """The patrol route: inline waypoints or a GPX/GeoJSON file, run as a loop or out and back."""

    waypoints: tuple[LatLon, ...] = ()
    file: Path | None = None
    pattern: Literal["loop", "out-and-back"] = "loop"
    cruise_speed_mps: Annotated[float, Field(gt=0, le=10)] = 2.0
    acceptance_radius_m: Annotated[float, Field(gt=0, le=100)] = 8.0

    @model_validator(mode="after")
    def _one_source(self) -> RouteSection:
        if bool(self.waypoints) == (self.file is not None):
            raise ValueError("give either waypoints (at least 2) or file, not both")
        if self.waypoints and len(self.waypoints) < 2:
            raise ValueError("a route needs at least 2 waypoints")
        return self


class NoGoZone(StrictModel):
    """A polygon the boat itself must never enter."""

    name: str = Field(min_length=1)
    polygon: Polygon


class GeofenceSection(StrictModel):
    """Where the boat may go."""

    operating_area: Polygon
    no_go: tuple[NoGoZone, ...] = ()


class ZoneSection(StrictModel):
    """An area with a rule for other users of the water."""

    name: str = Field(min_length=1)
    rule: Literal["restricted", "speed_limit", "no_stopping", "no_swimming"]
    polygon: Polygon
    speed_limit_mps: Annotated[float, Field(gt=0)] | None = None


class NavigationSection(StrictModel):
    """Guidance and control gains (tuned in `simulators.lake` for a 2–5 m boat, T ≈ 2 s)."""

    # Line-of-sight guidance (Fossen, Handbook of Marine Craft Hydrodynamics and Motion
    # Control, 2011, §10.3.2): a lookahead of a few boat lengths trades convergence for calm.
    lookahead_m: Annotated[float, Field(gt=1, le=200)] = 15.0
    # Integral LOS (Børhaug, Pavlov & Pettersen 2008) removes the steady offset from drift.
    los_integral_gain: Annotated[float, Field(ge=0, le=1)] = 0.1
    # Drift (crab) angle = COG − heading, low-passed; fed forward into the heading demand.
    crab_filter_s: Annotated[float, Field(gt=0, le=120)] = 8.0
    max_crab_deg: Annotated[float, Field(ge=0, le=45)] = 25.0
    # Heading PD(+I): pole placement on Nomoto K ≈ 0.23 rad/s, T ≈ 2 s → ω ≈ 0.6 rad/s, ζ ≈ 0.9.
    heading_kp_per_deg: Annotated[float, Field(gt=0)] = 0.045
    heading_kd_per_dps: Annotated[float, Field(ge=0)] = 0.06
    heading_ki_per_deg_s: Annotated[float, Field(ge=0)] = 0.002
    yaw_rate_filter_s: Annotated[float, Field(gt=0, le=10)] = 0.4
    # Speed: feedforward thrust = (speed / top speed)² (quadratic hull drag) + PI on SOG.
    top_speed_mps: Annotated[float, Field(gt=0, le=20)] = 3.0
    speed_kp_per_mps: Annotated[float, Field(ge=0)] = 0.25
    speed_ki_per_mps_s: Annotated[float, Field(ge=0)] = 0.04
    # Station keeping: desired ground velocity = −kp·offset, drift learnt by the integral.
    loiter_kp_per_s: Annotated[float, Field(gt=0, le=2)] = 0.15
    loiter_ki_per_s2: Annotated[float, Field(ge=0, le=1)] = 0.002
    loiter_max_speed_mps: Annotated[float, Field(gt=0, le=5)] = 1.0
    loiter_max_drift_mps: Annotated[float, Field(gt=0, le=5)] = 1.0
    # Thrust while turning onto the loiter heading: steering needs water past the rudder/leg.
    loiter_turn_thrust: Annotated[float, Field(ge=0, le=1)] = 0.15
    # Geofence: the track predicted this far ahead must stay clear by the margin.
    geofence_horizon_s: Annotated[float, Field(gt=0, le=300)] = 20.0
    geofence_margin_m: Annotated[float, Field(ge=0, le=200)] = 5.0
    return_home_speed_mps: Annotated[float, Field(gt=0, le=10)] = 2.0
    home_radius_m: Annotated[float, Field(gt=0, le=100)] = 8.0
    manual_timeout_s: Annotated[float, Field(gt=0, le=60)] = 2.0
    # Nomoto yaw model of the boat (same form as the simulator's): dead reckoning (rough is
    # good enough for 60 s) and the turning radius of the wheel-over point at corners.
    dr_yaw_gain_per_s: Annotated[float, Field(gt=0, le=5)] = 0.3
    dr_yaw_time_constant_s: Annotated[float, Field(gt=0, le=30)] = 2.0
    dr_surge_time_constant_s: Annotated[float, Field(gt=0, le=60)] = 3.0


class FailsafeSection(StrictModel):
    """What the boat does on its own when something is wrong."""

    # GNSS lost or degraded (no fix, fix older than gnss.max_fix_age_s, HDOP above gnss.max_hdop).
    gnss_lost_action: Literal["loiter_dr", "stop"] = "loiter_dr"
    # Dead-reckoning error grows with time (drift estimate error × t): stop after this long.
    gnss_dr_max_s: Annotated[float, Field(gt=0, le=600)] = 60.0
    gnss_restored_action: Literal["resume", "return_home"] = "resume"
    gnss_restore_s: Annotated[float, Field(ge=0, le=120)] = 3.0
    link_lost_after_s: Annotated[float, Field(gt=0)] = 600.0
    link_lost_action: Literal["continue", "return_home"] = "return_home"
    battery_low_pct: Annotated[float, Field(ge=0, le=100)] = 25.0
    # Stop (propeller neutral: people may be in the water) while an obstacle is this close ahead.
    obstacle_stop_range_m: Annotated[float, Field(gt=0, le=500)] = 30.0
    obstacle_sector_deg: Annotated[float, Field(gt=0, le=180)] = 30.0
    obstacle_clear_s: Annotated[float, Field(ge=0, le=600)] = 10.0


class TrackSection(StrictModel):
    """The position track sent on `up/track` (bulk class: dropped first when the disk fills)."""

    interval_s: Annotated[float, Field(gt=0, le=600)] = 1.0
    batch_s: Annotated[float, Field(gt=0, le=3600)] = 30.0


class VesselConfig(AgentConfig):
    """Everything a patrol vessel agent needs."""

    kind: Literal["vessel"]
    home: GeoPoint
    gnss: GnssSection
    helm: HelmSection
    camera: CameraSection | None = None
    route: RouteSection
    geofence: GeofenceSection
    zones: tuple[ZoneSection, ...] = ()
    navigation: NavigationSection = NavigationSection()
    failsafe: FailsafeSection = FailsafeSection()
    # Warning rules for other users of the water, and the onboard screen and loudspeaker
    # they speak through (vessel.warnings, vessel.patrol_watch); none: warn no one.
    warnings: WarningsSection = WarningsSection()
    screen: TextDisplayConfig | None = None
    speaker: SpeakerConfig | None = None
    track: TrackSection = TrackSection()
    vision: VisionConfig = VisionConfig()

    @model_validator(mode="after")
    def _warning_zones_exist(self) -> VesselConfig:
        check_rule_zones(self.warnings, [(z.name, z.rule) for z in self.zones])
        return self
