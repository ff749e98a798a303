"""`python -m wim_station record` (via `wim_station.record.main`) against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.traffic.server import TrafficDaqServer
from wim_station.daq.recording import open_recording
from wim_station.record import main

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def server() -> Iterator[TrafficDaqServer]:
    srv = TrafficDaqServer(seed=9).start()
    try:
        yield srv
    finally:
        srv.stop()


def test_record_with_channel_table_json(
    server: TrafficDaqServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "channels.json"
    channels = [c.model_dump() for c in server.layout.channels()]
    table.write_text(json.dumps({"site_id": "bench", "sample_rate_hz": 4000, "channels": channels}))
    out = tmp_path / "rec.wimrec"
    code = main(
        [
            "--port",
            server.url,
            "--out",
            str(out),
            "--channels",
            str(table),
            "--seconds",
            "0.6",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    with open_recording(out) as rec:
        assert rec.header.site_id == "bench" and rec.header.n_channels == 4
        assert [lane.lane for lane in rec.header.lanes] == [1]
        frames = list(rec.frames())
    assert len(frames) >= summary["frames"] >= 1
    header_size = len(b"WIMREC 1\n") + len(rec.header.to_json().encode()) + 1
    assert out.stat().st_size == header_size + summary["bytes"]


def test_record_with_site_config(server: TrafficDaqServer, tmp_path: Path) -> None:
    site = REPO / "config" / "wim_site.yaml"
    if not site.exists():
        pytest.skip("no example site config")
    out = tmp_path / "rec.wimrec"
    assert (
        main(["--port", server.url, "--out", str(out), "--config", str(site), "--seconds", "0.3"])
        == 0
    )
    with open_recording(out) as rec:
        assert rec.header.site_id == "jx-g320-k12"
        assert rec.header.n_channels == 8  # the site table, whatever the DAQ sends


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "socket://127.0.0.1:9"], "need --config"),
        (["--channels", "missing.json"], "cannot read channel table"),
    ],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main([*args, "--out", str(tmp_path / "x.wimrec")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
