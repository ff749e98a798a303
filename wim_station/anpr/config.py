"""Settings of the plate reader."""

from __future__ import annotations

from pydantic import Field

from edge.config.base import StrictModel


class AnprConfig(StrictModel):
    """Plate reader settings; defaults suit 720p-1080p enforcement cameras."""

    # The wheel that carries the model (Apache-2.0) and the file inside its `models` folder.
    model_package: str = "rapidocr"
    model_file: str = "PP-OCRv6_rec_small.onnx"
    # Plates are located on a copy this wide; 960 px keeps a 100 px plate in a 1080p frame
    # about 50 px wide, still a clear colour blob and stroke row.
    work_width_px: int = Field(960, ge=320)
    # GA 36 plates are 440-480 mm wide; at enforcement cameras that is 80-400 px.
    min_plate_width_px: float = Field(80.0, gt=0)
    max_plate_width_px: float = Field(400.0, gt=0)
    max_candidates: int = Field(8, ge=1)
    # Stop looking once this many plates are read with confidence: a lane camera frames one
    # vehicle, and every further candidate costs a recogniser pass (~8 ms on one core).
    max_plates: int = Field(1, ge=1)
    # Hard cap on recogniser passes per frame, so a cluttered frame cannot stall the agent.
    max_reads_per_frame: int = Field(12, ge=1)
    # Reads below `min_confidence` are dropped unless `report_weak` (field diagnostics).
    min_confidence: float = Field(0.05, ge=0, le=1)
    report_weak: bool = False
    # A read below this makes the reader try the larger plates the candidate may be part of.
    retry_below: float = Field(0.6, ge=0, le=1)
    # Confidence multipliers, calibrated on the synthetic benchmark (benchmarks/anpr.py) so that
    # a wrong read rarely reaches 0.9: the greedy read disagreed with the layout-constrained
    # read; the paint colour does not fit the layout read.
    # Province glyphs showing with at least this probability count as present; which province
    # it is then rests on its share among the provinces (see PlateReader._certainties).
    province_presence_floor: float = Field(0.01, gt=0, le=1)
    # Plates narrower than `trusted_plate_width_px` get their confidence scaled down, towards
    # zero at `untrusted_plate_width_px` (square-root ramp), calibrated on benchmarks/anpr.py.
    trusted_plate_width_px: float = Field(170.0, gt=0)
    untrusted_plate_width_px: float = Field(50.0, ge=0)
    disagreement_factor: float = Field(0.7, gt=0, le=1)
    color_mismatch_factor: float = Field(0.5, gt=0, le=1)
