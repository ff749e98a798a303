"""`python -m wim_station replay`: tools.md fields, exit codes, and corrupted recordings."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.traffic.generate import generate
from simulators.traffic.truth import load_truth
from tests.wim_station.core.synth import SynthVehicle, frames, header, signals
from wim_station.daq.recording import RecordingWriter
from wim_station.errors import WimError
from wim_station.replay import main, replay

REPO = Path(__file__).resolve().parents[2]
TOOLS_FIELDS = {"lane", "t_first_axle_us", "speed_kmh", "axle_count", "axles", "gvw_kg",
                "class_code", "valid", "flags", "limit_kg", "overloaded", "excess_pct"}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    run = generate(tmp_path_factory.mktemp("sim"), vehicles=12, seed=5, name="short")
    return run.recording, load_truth(run.truth)


@pytest.fixture(scope="module")
def small_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two trucks, 4 s at 4 kHz: small enough to corrupt many times."""
    hdr = header()
    counts = signals(hdr, [SynthVehicle(0.5, 16.0, (5000, 9000, 9000), (0, 4, 5.35)),
                           SynthVehicle(2.5, 20.0, (800, 700), (0, 2.7))], 4.0)
    path = tmp_path_factory.mktemp("rec") / "small.wimrec"
    with RecordingWriter(path, hdr) as w:
        for f in frames(hdr, counts, 250):
            w.write_frame(f)
    return path


def test_json_lines_carry_the_tools_fields(simulated: tuple[Path, dict], caplog) -> None:
    path, truth = simulated
    out = io.StringIO()
    with caplog.at_level(logging.INFO):
        assert main([str(path), "--json"], out=out) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == len(truth["vehicles"])
    for rec, tv in zip(records, truth["vehicles"], strict=True):
        assert rec.keys() >= TOOLS_FIELDS
        assert rec["axle_count"] == tv["axle_count"] == len(rec["axles"])
        assert rec["axles"][0]["spacing_m"] is None
        assert abs(rec["t_first_axle_us"] - tv["t_first_axle_us"]) < 2000
        assert rec["valid"] == (not rec["flags"])
    times = [r["t_first_axle_us"] for r in records]
    assert times == sorted(times)
    assert "replay done" in caplog.text


def test_config_gives_rules_and_calibration(simulated: tuple[Path, dict], tmp_path: Path) -> None:
    path, _ = simulated
    site = (REPO / "config" / "wim_site.yaml").read_text(encoding="utf-8")
    cfg = tmp_path / "site.yaml"
    cfg.write_text(site.replace("tolerance_pct: 5.0", "tolerance_pct: 7.5")
                   .replace("version: factory", "version: cal-2026-11"), encoding="utf-8")
    out = io.StringIO()
    assert main([str(path), "--config", str(cfg), "--json"], out=out) == 0
    rec = json.loads(out.getvalue().splitlines()[0])
    assert rec["calibration_version"] == "cal-2026-11"


def test_text_output(simulated: tuple[Path, dict]) -> None:
    out = io.StringIO()
    assert main([str(simulated[0])], out=out) == 0
    assert out.getvalue().startswith("lane 1 t=")


@pytest.mark.parametrize("content", [b"", b"not a recording\n", b"WIMREC 1\n{\"site_id\": 1}\n",
                                     b"WIMREC 1\n{broken json\n", b"WIMREC 1\n{\"site_id\":"])
def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path, capsys, content: bytes) -> None:
    path = tmp_path / "bad.wimrec"
    path.write_bytes(content)
    assert main([str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")


def test_missing_file_and_bad_config(tmp_path: Path, capsys, simulated) -> None:
    assert main([str(tmp_path / "nope.wimrec")]) == 2
    bad = tmp_path / "site.yaml"
    bad.write_text("kind: wim\ndaq: {}\n", encoding="utf-8")
    assert main([str(simulated[0]), "--config", str(bad)]) == 2
    assert "error:" in capsys.readouterr().err


def test_truncated_recording_is_counted_not_fatal(small_recording: Path, tmp_path: Path,
                                                   caplog) -> None:
    raw = small_recording.read_bytes()
    path = tmp_path / "cut.wimrec"
    path.write_bytes(raw[: len(raw) - 3000])
    out = io.StringIO()
    with caplog.at_level(logging.INFO):
        assert main([str(path), "--json"], out=out) == 0
    assert "truncated_bytes=" in caplog.text and "truncated_bytes=0 " not in caplog.text
    assert len(out.getvalue().splitlines()) == 2


def test_as_a_process(simulated: tuple[Path, dict]) -> None:
    ok = subprocess.run([sys.executable, "-m", "wim_station", "replay", str(simulated[0]),
                         "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.count("\n") == 12
    bad = subprocess.run([sys.executable, "-m", "wim_station", "replay"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_recordings_never_crash(small_recording: Path, tmp_path: Path,
                                          data: st.DataObject) -> None:
    buf = bytearray(small_recording.read_bytes())
    for _ in range(data.draw(st.integers(0, 6))):
        kind = data.draw(st.sampled_from(["flip", "cut", "garbage", "drop"]))
        pos = data.draw(st.integers(0, max(len(buf) - 1, 0)))
        if kind == "flip" and buf:
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            del buf[pos:]
        elif kind == "garbage":
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=300))
        elif kind == "drop":
            del buf[pos:pos + data.draw(st.integers(1, 5000))]
    path = tmp_path / "fuzz.wimrec"
    path.write_bytes(bytes(buf))
    try:
        records = list(replay(path))
    except WimError as exc:
        assert str(exc).strip()  # a message a person can read
        return
    for rec in records:
        assert rec["axle_count"] >= 1 and rec["gvw_kg"] == rec["gvw_kg"]  # never NaN


def test_subcommand_dispatch(capsys) -> None:
    from wim_station.__main__ import main as wim_main

    assert wim_main([]) == 2
    assert wim_main(["bogus"]) == 2
    assert "unknown command" in capsys.readouterr().err
    assert wim_main(["record", "--help"]) == 0  # delegated to wim_station.record's parser
    assert "--out" in capsys.readouterr().out
