"""The axle-load core: pure, vectorised, time from the data."""

from wim_station.core.core import AxleLoadCore
from wim_station.core.layout import SiteLayout
from wim_station.core.passage import Axle, Passage

__all__ = ["Axle", "AxleLoadCore", "Passage", "SiteLayout"]
