"""The WIM site config (`kind: wim`): DAQ, lanes and sensor channels, legal rules, outputs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from edge.config.base import StrictModel
from edge.config.common import AgentConfig


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


# GB 1589-2016 Table 2 and MOT Order 2016 No. 62, art. 3 (the overload thresholds).
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
    # JJG 907-2006: in-service maximum permissible error of an accuracy class 5 WIM system.
    tolerance_pct: Annotated[float, Field(ge=0, le=30)] = 5.0
    # MOT Order 2016 No. 62 practice: an excess of at most 1 t is warned, not fined.
    warning_margin_kg: Annotated[float, Field(ge=0)] = 1000.0
    # Zhejiang enforcement practice: more than 40 % over the limit is "severe".
    severe_excess_pct: Annotated[float, Field(gt=0)] = 40.0
    # The agency follows every vehicle of 100 t or more separately.
    flag_gvw_kg: Annotated[float, Field(gt=0)] = 100_000.0
    # Speed range over which the system was certified (JJG 907 type approval).
    min_speed_kmh: Annotated[float, Field(ge=0)] = 5.0
    max_speed_kmh: Annotated[float, Field(gt=0)] = 100.0


class CameraSection(StrictModel):
    """A camera watching a lane: a continuous stream or a triggered snapshot URL."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    url: str = Field(min_length=1, description="rtsp://, http://…mjpg, /dev/videoN, file or folder")
    lane: Annotated[int, Field(ge=1, le=16)]
    mode: Literal["stream", "snapshot"] = "stream"
    buffer_s: Annotated[float, Field(gt=0, le=60)] = 5.0


class SignSection(StrictModel):
    """The roadside LED variable-message sign."""

    url: str = Field(min_length=1, description="serial device or socket://host:port")
    baudrate: Annotated[int, Field(gt=0)] = 9600
    address: Annotated[int, Field(ge=0, le=255)] = 1
    overload_template: str = "{plate} 超限{excess_pct}% 请驶入检测站"
    default_message: str = "货车不超限 安全你我他"
    hold_s: Annotated[float, Field(gt=0, le=600)] = 8.0


class WimSiteConfig(AgentConfig):
    """Everything a weigh-in-motion site agent needs."""

    kind: Literal["wim"]
    daq: DaqSection
    lanes: Annotated[tuple[LaneSection, ...], Field(min_length=1)]
    channels: Annotated[tuple[ChannelSection, ...], Field(min_length=1)]
    rules: RulesSection = RulesSection()
    cameras: tuple[CameraSection, ...] = ()
    sign: SignSection | None = None

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
