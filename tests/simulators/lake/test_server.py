"""The lake served live: GNSS over TCP and a pty, helm over TCP with its neutral timeout, truth."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.config.loader import load_config
from simulators.lake.__main__ import main
from simulators.lake.closed_loop import lake_spec_for
from simulators.lake.environment import EnvironmentSpec
from simulators.lake.server import LakeServer, ServeSpec
from simulators.lake_camera.world import Target
from vessel.config import VesselConfig
from vessel.gnss.decoder import NmeaDecoder
from vessel.gnss.fix import Fix
from vessel.gnss.source import open_gnss
from vessel.helm import HelmLink
from vessel.navigation.control import HelmDemand

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "config" / "vessel.yaml"


@pytest.fixture(scope="module")
def cfg() -> VesselConfig:
    loaded = load_config(CONFIG)
    assert isinstance(loaded, VesselConfig)
    return loaded


@pytest.fixture
def lake(cfg: VesselConfig) -> Iterator[LakeServer]:
    spec = lake_spec_for(cfg, environment=EnvironmentSpec(0.3, 90.0, 6.0, 45.0), boats=2,
                         swimmers=1)
    server = LakeServer(spec, ServeSpec(gnss_port=0, helm_port=0, truth_port=0, gnss_pty=True,
                                        speed=4.0))
    server.start()
    try:
        yield server
    finally:
        server.close()


def _first_fix(read: Iterator[bytes]) -> Fix:
    decoder = NmeaDecoder()
    for chunk in read:
        for fix in decoder.feed(chunk):
            if fix.has_position:
                return fix
    raise AssertionError("no fix")


def _chunks(sock: socket.socket, seconds: float) -> Iterator[bytes]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = sock.recv(4096)
        if not data:
            return
        yield data


def test_gnss_over_tcp_is_valid_nmea_at_home(lake: LakeServer, cfg: VesselConfig) -> None:
    with socket.create_connection(("127.0.0.1", lake.port("gnss")), timeout=5) as sock:
        fix = _first_fix(_chunks(sock, 10.0))
    assert fix.lat == pytest.approx(cfg.home.lat, abs=5e-5)
    assert fix.lon == pytest.approx(cfg.home.lon, abs=5e-5)
    assert fix.heading_deg is not None and fix.time is not None


def test_gnss_over_a_pty_reads_like_a_usb_receiver(lake: LakeServer) -> None:
    assert lake.pty_path is not None
    with open_gnss(lake.pty_path, 9600) as source:
        deadline = time.monotonic() + 10.0
        fix = None
        while time.monotonic() < deadline and (fix is None or not fix.has_position):
            fix = source.read(1.0)
    assert fix is not None and fix.has_position


def test_helm_commands_drive_the_boat_and_stop_means_neutral(lake: LakeServer) -> None:
    with HelmLink(f"socket://127.0.0.1:{lake.port('helm')}") as helm:
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and lake.truth().own.thrust != 0.6:
            helm.send(HelmDemand(0.6, -0.2))
            helm.poll()
            time.sleep(0.05)
        assert lake.truth().own.thrust == pytest.approx(0.6)
        assert lake.truth().own.rudder == pytest.approx(-0.2)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and helm.last_status is None:
            helm.poll()
            time.sleep(0.02)
        assert helm.last_status is not None and helm.last_status.applying
        assert helm.last_status.battery_pct is not None
        # the link stays open but says nothing: the controller must fall back to neutral
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and lake.truth().own.thrust != 0.0:
            time.sleep(0.05)
    assert lake.truth().own.thrust == 0.0 and lake.truth().own.rudder == 0.0
    assert lake.helm_timeouts == 1


def test_helm_link_survives_a_missing_controller() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    helm = HelmLink(f"socket://127.0.0.1:{port}")
    try:
        assert helm.send(HelmDemand(0.1, 0.0)) is False
        assert helm.health()["open_failures"] == 1 and helm.poll() == []
    finally:
        helm.close()
        helm.close()


def test_truth_stream_has_own_boat_and_targets(lake: LakeServer) -> None:
    with socket.create_connection(("127.0.0.1", lake.port("truth")), timeout=5) as sock:
        buf = b""
        while b"\n" not in buf:
            buf += sock.recv(65536)
    record = json.loads(buf.split(b"\n")[0])
    assert {"t_s", "utc", "own", "targets", "current_mps", "wind_mps", "battery_pct"} <= set(record)
    kinds = sorted(t["kind"] for t in record["targets"])
    assert kinds == ["boat", "boat", "person"]
    assert {"target_id", "lat_deg", "lon_deg", "heading_deg", "speed_mps", "length_m"} <= set(
        record["targets"][0])
    # the camera renderer takes the targets as they are
    target = Target.from_dict(record["targets"][0])
    assert target.lat_deg == record["targets"][0]["lat_deg"]


@pytest.mark.parametrize("argv", [
    ["serve", "--config", str(CONFIG), "--dropout", "abc"],
    ["serve", "--config", str(CONFIG), "--gnss-port", "70000"],
    ["run", "nonsense", "--config", str(CONFIG)],
])
def test_bad_arguments_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_unreadable_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "v.yaml"
    bad.write_text("kind: vessel\n", encoding="utf-8")
    assert main(["run", "loiter", "--config", str(bad)]) == 2
