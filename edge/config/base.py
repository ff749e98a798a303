"""The base of every config model: strict, frozen, unknown keys rejected."""

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class StrictModel(BaseModel):
    """A config section: unknown keys are errors, values are immutable once validated.

    A relative path in a config file is taken relative to that file's folder, so a site's
    config, keys and outbox can move together.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _paths_relative_to_config(cls, value: Any, info: ValidationInfo) -> Any:
        base_dir = (info.context or {}).get("base_dir")
        if base_dir is not None and isinstance(value, Path) and not value.is_absolute():
            return Path(base_dir) / value
        return value
