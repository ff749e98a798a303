"""`python -m wim_station calibrate`: fit gains on simulated reference runs, report classes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from simulators.traffic.generate import generate
from simulators.traffic.sensors import SensorParams
from simulators.traffic.truth import load_truth
from wim_station.calibration.cli import main
from wim_station.config import CalibrationSection


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reference trucks over sensors whose true gains are 8 % above the channel table."""
    out = tmp_path_factory.mktemp("cal")
    run = generate(out, vehicles=30, seed=11, name="ref",
                   sensors=SensorParams(gain_error_sd=0.0, temperature_coeff_per_c=0.0,
                                        noise_n=40.0))
    # Scale the recording's true gain by rewriting the header: counts stay, table says less.
    raw = run.recording.read_bytes()
    head, rest = raw.split(b"\n", 2)[:2], raw.split(b"\n", 2)[2]
    table = json.loads(head[1])
    for ch in table["channels"]:
        ch["gain_n_per_count"] *= 1.08
    run.recording.write_bytes(head[0] + b"\n" + json.dumps(table).encode() + b"\n" + rest)
    doc = load_truth(run.truth)
    path = out / "weights.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["recording", "t_first_axle_us", "vehicle", "axle_loads_kg", "speed_kmh"])
        for v in doc["vehicles"]:
            if not v["abnormal"] and v["kind"] != "car":
                w.writerow(["ref.wimrec", v["t_first_axle_us"], v["id"],
                            ";".join(str(a["load_kg"]) for a in v["axles"]), v["speed_kmh"]])
    return path


def test_fit_removes_the_gain_error(weights: Path, tmp_path: Path) -> None:
    before = io.StringIO()
    assert main([str(weights), "--check", "--json"], out=before) == 0
    rep0 = json.loads(before.getvalue())["report"]
    gvw0 = next(c for c in rep0["criteria"] if c["criterion"] == "gvw")
    assert gvw0["mean_pct"] == pytest.approx(8.0, abs=1.5)

    after = io.StringIO()
    out_yaml = tmp_path / "cal.yaml"
    assert main([str(weights), "--json", "--version", "cal-test", "--out", str(out_yaml)],
                out=after) == 0
    doc = json.loads(after.getvalue())
    gvw = next(c for c in doc["report"]["criteria"] if c["criterion"] == "gvw")
    assert abs(gvw["mean_pct"]) < 0.5 and gvw["class"] == "A(5)"
    assert doc["report"]["calibration_version"] == "cal-test"
    gains = doc["calibration"]["channel_gains"]
    assert all(1 / 1.08 - 0.03 < g < 1 / 1.08 + 0.03 for g in gains.values())
    # The written section is a valid `calibration:` of the site config.
    section = CalibrationSection.model_validate(yaml.safe_load(out_yaml.read_text())["calibration"])
    assert section.version == "cal-test" and len(section.channel_gains) == 4


def test_text_report(weights: Path) -> None:
    out = io.StringIO()
    assert main([str(weights), "--check"], out=out) == 0
    text = out.getvalue()
    assert "COST 323 class" in text and "OIML R134" in text and "calibration:" in text
    assert "pi0 approximated" in text  # no --pi0: the report says its pi0 is not the table's


def test_pi0_entered_from_the_specification_table(weights: Path) -> None:
    out = io.StringIO()
    assert main([str(weights), "--check", "--json", "--pi0", "2=60,inf=99.9"], out=out) == 0
    rep = json.loads(out.getvalue())["report"]
    assert rep["pi0_from_spec"] is True
    # Linear in 1/n between the entries: n runs -> 99.9 - 39.9 * 2 / n.
    gvw = next(c for c in rep["criteria"] if c["criterion"] == "gvw")
    assert gvw["pi0_pct"] == pytest.approx(99.9 - 39.9 * 2 / gvw["n"], abs=0.01)


@pytest.mark.parametrize("pi0", ["95", "10=101", "1=90", "10=abc", "nan=90"])
def test_malformed_pi0_is_a_usage_error(weights: Path, pi0: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main([str(weights), "--check", "--pi0", pi0], out=io.StringIO())
    assert exc.value.code == 2


def test_pi0_row_not_covering_the_sample_size_is_exit_2(weights: Path, capsys) -> None:
    # Never extrapolated: the row must cover every criterion's number of results.
    assert main([str(weights), "--check", "--pi0", "2=60,3=70"], out=io.StringIO()) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pi0 table covers" in err[0]


@pytest.mark.parametrize("content", ["recording\nx.wimrec\n", "recording,axle_loads_kg\n",
                                     "recording,axle_loads_kg\nnope.wimrec,6000;abc\n"])
def test_bad_weights_file_is_one_line_exit_2(tmp_path: Path, capsys, content: str) -> None:
    path = tmp_path / "w.csv"
    path.write_text(content, encoding="utf-8")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
