"""A harbour scene for the watch tests: a restricted zone ahead of the patrol boat, one boat
crossing into it, one passing outside every zone, and a vessel config on free ports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.config.loader import load_config
from edge.geo import LocalFrame
from simulators.lake_camera.world import Target
from simulators.vessel_site import ScriptedTarget
from tests.support.mosquitto import free_port
from vessel.config import VesselConfig

REPO = Path(__file__).resolve().parents[3]
HEADING_DEG = 90.0  # the patrol boat faces east, holding position at home
# Restricted zone: east 50..110 m, north -30..30 m of home (ahead of the bow).
ZONE_EN = ((50.0, -30.0), (110.0, -30.0), (110.0, 30.0), (50.0, 30.0))
INTRUDER_START_EN, INTRUDER_SPEED_MPS = (85.0, 45.0), 3.0  # heading south: in at +5 s
PASSER_START_EN, PASSER_SPEED_MPS = (95.0, -55.0), 2.0  # heading east, 25 m south of it
ENTRY_AFTER_S = (INTRUDER_START_EN[1] - 30.0) / INTRUDER_SPEED_MPS
ESCALATE_AFTER_S = 3.0


def vessel_config(tmp: Path, broker_url: str = "mqtt://127.0.0.1:1", *,
                  wav_dir: Path | None = None, width_px: int = 640,
                  height_px: int = 360) -> VesselConfig:
    """The shipped config, ports free, files under `tmp`, the test zone and one rule."""
    base = load_config(REPO / "config" / "vessel.yaml")
    data: dict[str, Any] = base.model_dump(mode="json")
    frame = LocalFrame(data["home"]["lat"], data["home"]["lon"])
    data["device"]["id"] = "watch-test"
    data["gnss"]["url"] = f"socket://127.0.0.1:{free_port()}"
    data["helm"]["url"] = f"socket://127.0.0.1:{free_port()}"
    data["camera"].update(url=f"http://127.0.0.1:{free_port()}/stream.mjpg", width_px=width_px,
                          height_px=height_px)
    data["screen"]["url"] = f"socket://127.0.0.1:{free_port()}"
    data["speaker"] = {"url": f"wav://{wav_dir or tmp / 'voice'}", "voice": "cmn",
                       "cooldown_s": 10}
    data["broker"].update(url=broker_url, reconnect_min_s=0.2, reconnect_max_s=1.0)
    data["outbox"].update(path=str(tmp / "outbox.sqlite"), evidence_dir=str(tmp / "evidence"))
    data["keys"]["signing_key_file"] = str(tmp / "key.pem")
    data["health"]["interval_s"] = 1
    data["zones"] = [{"name": "Test harbour", "rule": "restricted",
                      "polygon": [list(frame.to_geodetic(e, n)) for e, n in ZONE_EN]}]
    restricted = next(r for r in data["warnings"]["rules"] if r["type"] == "restricted")
    restricted.update(escalation=[{"after_s": ESCALATE_AFTER_S, "volume": 2.0,
                                   "violation": True}])
    data["warnings"]["rules"] = [restricted]
    return VesselConfig.model_validate(data)


def scripted_targets(config: VesselConfig, t0_s: float) -> list[ScriptedTarget]:
    """The intruder (id 101, in the zone from t0 + ENTRY_AFTER_S) and the passer (id 102)."""
    frame = LocalFrame(config.home.lat, config.home.lon)
    intruder = Target(101, "boat", *frame.to_geodetic(*INTRUDER_START_EN), heading_deg=180.0,
                      speed_mps=INTRUDER_SPEED_MPS, length_m=6.0, beam_m=2.2,
                      color_bgr=(40, 40, 200))
    passer = Target(102, "boat", *frame.to_geodetic(*PASSER_START_EN), heading_deg=90.0,
                    speed_mps=PASSER_SPEED_MPS, length_m=7.0, beam_m=2.4,
                    color_bgr=(240, 240, 240))
    return [ScriptedTarget(intruder, t0_s), ScriptedTarget(passer, t0_s)]
