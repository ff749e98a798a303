"""The patrol watch: the shell running camera → vision → warning rules → screen, speaker,
violations, and feeding the navigation failsafe with obstacles (`vessel.warnings` is the core).

    watch = attach_watch(agent)          # in VesselAgent.start(); None without a camera
    ...
    watch.close()
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from vessel.patrol_watch.watch import WATCH_MAX_SILENCE_S, PatrolWatch, ViolationSink, camera_model

if TYPE_CHECKING:
    from vessel.agent import VesselAgent

log = logging.getLogger(__name__)

__all__ = ["WATCH_MAX_SILENCE_S", "PatrolWatch", "ViolationSink", "attach_watch", "camera_model"]


def attach_watch(agent: VesselAgent) -> PatrolWatch | None:
    """Start a watch for a running vessel agent: its runtime takes the violations, its fixes
    give the pose, its navigator gets the obstacles, its lifecycle the progress gate."""
    cfg = agent.config
    if cfg.camera is None:
        log.info("no camera configured: no vision, no warnings")
        return None
    tick = agent.lifecycle.register("watch", WATCH_MAX_SILENCE_S)
    watch = PatrolWatch(cfg, agent.runtime, report_obstacle=agent.report_obstacle, tick=tick)
    watch.start()
    agent.add_fix_listener(watch.update_own)
    agent.runtime.add_health_source("watch", watch.health)
    return watch
