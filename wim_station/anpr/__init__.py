"""Chinese licence plate reading: offline, CPU-only, model shipped inside a PyPI wheel."""

from wim_station.anpr.config import AnprConfig
from wim_station.anpr.reader import PlateRead, PlateReader

__all__ = ["AnprConfig", "PlateRead", "PlateReader"]
