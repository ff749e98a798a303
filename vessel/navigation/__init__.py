"""Patrol navigation (pure core): route, guidance, control, station keeping, geofence, failsafes."""

from vessel.navigation.control import NEUTRAL, HelmDemand
from vessel.navigation.navigator import (
    MODES,
    Mode,
    NavigationRefused,
    Navigator,
    NavOutput,
    NavStatus,
    geofence_from_config,
    route_from_config,
)
from vessel.navigation.route import Route, RouteError, load_route_file

__all__ = [
    "MODES",
    "NEUTRAL",
    "HelmDemand",
    "Mode",
    "NavOutput",
    "NavStatus",
    "NavigationRefused",
    "Navigator",
    "Route",
    "RouteError",
    "geofence_from_config",
    "load_route_file",
    "route_from_config",
]
