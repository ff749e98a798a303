"""`edge check` against a simulated patrol vessel: all pass, then the lake simulator stops."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edge.check import CheckThresholds, run_checks
from edge.check.clock import kernel_sync
from edge.config.loader import load_config
from edge.demo.configs import write_config
from simulators.vessel_site import SimulatedVessel
from tests.support.mosquitto import Mosquitto
from vessel.config import VesselConfig

FAST = CheckThresholds(device_timeout_s=4.0, sample_s=1.0, min_camera_fps=0.5)


@pytest.fixture
def vessel(tmp_path: Path, mosquitto: Mosquitto) -> Iterator[tuple[Path, SimulatedVessel]]:
    path = write_config("vessel.yaml", tmp_path / "boat", broker_url=mosquitto.url,
                        protocol="5", voice_dir=tmp_path / "voice")
    config = load_config(path)
    assert isinstance(config, VesselConfig)
    sim = SimulatedVessel(config, boats=0, swimmers=0, fps=5.0, png_dir=tmp_path / "screen")
    sim.lake_spec = dataclasses.replace(sim.lake_spec, start_utc=datetime.now(UTC))
    sim.start()
    try:
        yield path, sim
    finally:
        sim.stop()


def test_all_devices_of_a_simulated_vessel_pass(vessel: tuple[Path, SimulatedVessel]) -> None:
    path, _ = vessel
    results = run_checks(load_config(path), FAST)
    assert not [r.line() for r in results if not r.ok]
    kinds = [r.device.split()[0] for r in results]
    assert kinds == ["gnss", "camera", "helm", "screen", "speaker", "broker", "disk", "clock"]
    gnss = results[0]
    assert gnss.figures["fix"] == "3d" and gnss.figures["sats"] >= 4
    assert (results[1].figures["width_px"], results[1].figures["height_px"]) == (640, 360)
    assert "vs gnss" in results[-1].summary


def test_a_stopped_lake_names_gnss_and_helm(vessel: tuple[Path, SimulatedVessel]) -> None:
    path, sim = vessel
    assert sim.camera is not None and sim.lake is not None
    sim.camera.close()  # it renders the lake's world: stop it first
    sim.lake.close()
    results = {r.device.split()[0]: r for r in run_checks(load_config(path), FAST)}
    assert not results["gnss"].ok and "no NMEA epoch" in results["gnss"].summary
    assert not results["helm"].ok and "cannot open" in results["helm"].summary
    # No GNSS time left to compare with: only an NTP-synchronised kernel passes.
    assert results["clock"].ok == (kernel_sync()[0] is True)
    assert results["screen"].ok and results["broker"].ok
