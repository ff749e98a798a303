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
    # Reads that break the grammar are dropped unless asked for (field diagnostics).
    report_invalid: bool = False
    # Confidence multipliers, calibrated on the synthetic benchmark (benchmarks/anpr.py) so that
    # a wrong read rarely reaches 0.9.
    per_correction_factor: float = Field(0.8, gt=0, le=1)
    invalid_factor: float = Field(0.3, gt=0, le=1)
