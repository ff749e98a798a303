"""The patrol vessel config (`kind: vessel`): GNSS, helm, camera, route, geofence, zones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from edge.config.base import StrictModel
from edge.config.common import AgentConfig, GeoPoint, Latitude, Longitude

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
