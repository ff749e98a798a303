"""`.wimrec` recordings: round trip, streaming, and one-line errors on bad files."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wim_station.daq.codec import encode
from wim_station.daq.frame import DaqFrame
from wim_station.daq.header import HeaderError, RecordingHeader
from wim_station.daq.recording import (
    RecordingError,
    RecordingWriter,
    open_recording,
    read_header,
)
from wim_station.errors import WimError

HEADER = {
    "site_id": "jx-g320-k12",
    "recorded_at": "2026-05-15T00:00:00Z",
    "sample_rate_hz": 4000,
    "lanes": [{"lane": 1, "direction": "northbound"}],
    "channels": [
        {
            "index": i,
            "lane": 1,
            "row": 0,
            "position_m": 0.0,
            "side": side,
            "type": "strip",
            "length_m": 0.07,
            "zero_counts": 0,
            "gain_n_per_count": 1.0,
        }
        for i, side in enumerate(("left", "right"))
    ],
}


def frames(n: int) -> list[DaqFrame]:
    return [
        DaqFrame(
            seq=i,
            t0_us=i * 25_000,
            sample_rate_hz=4000,
            samples=np.full((100, 2), i, dtype=np.int32),
        )
        for i in range(n)
    ]


def write_raw(path: Path, body: bytes, header: object = HEADER) -> Path:
    path.write_bytes(b"WIMREC 1\n" + json.dumps(header).encode() + b"\n" + body)
    return path


def test_round_trip_streams_frames(tmp_path: Path) -> None:
    path = tmp_path / "r.wimrec"
    header = RecordingHeader.from_mapping(HEADER)
    with RecordingWriter(path, header) as writer:
        for f in frames(30):
            writer.write_frame(f)
    assert not (tmp_path / "r.wimrec.part").exists()
    with open_recording(path, chunk_size=1000) as rec:
        assert rec.header == header
        assert rec.header.channel(1).side == "right"
        assert list(rec.frames()) == frames(30)
        assert rec.counters()["resync_bytes"] == 0


def test_unknown_header_keys_are_ignored(tmp_path: Path) -> None:
    hdr = json.loads(json.dumps(HEADER))
    hdr["daq_firmware"] = "3.2"
    hdr["channels"][0]["serial"] = "Q-17"
    header = read_header(write_raw(tmp_path / "r.wimrec", b"", hdr))
    assert header.n_channels == 2 and header.site_id == "jx-g320-k12"


def test_truncated_last_frame_is_counted_not_raised(tmp_path: Path) -> None:
    body = b"".join(encode(f) for f in frames(3))
    path = write_raw(tmp_path / "r.wimrec", body[:-10])
    with open_recording(path) as rec:
        assert len(list(rec.frames())) == 2
        assert rec.counters()["truncated_bytes"] == len(body) // 3 - 10


def test_corrupted_bytes_are_resynced(tmp_path: Path) -> None:
    body = bytearray(b"".join(encode(f) for f in frames(5)))
    body[len(body) // 5 + 50] ^= 0x55  # inside frame 1
    with open_recording(write_raw(tmp_path / "r.wimrec", bytes(body))) as rec:
        assert [f.seq for f in rec.frames()] == [0, 2, 3, 4]
        counters = rec.counters()
    assert counters["bad_crc"] == 1 and counters["lost_frames"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a .wimrec recording"),
        (b"RIFF....WAVEfmt ", "not a .wimrec recording"),
        (b'WIMREC 1\n{"site_id": ', "header truncated"),
        (b"WIMREC 1\n{not json}\n", "header is not valid JSON"),
        (b"WIMREC 1\n[1, 2]\n", "header must be a JSON object"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.wimrec"
    path.write_bytes(content)
    with pytest.raises(WimError) as info:
        open_recording(path)
    text = str(info.value)
    assert message in text and "\n" not in text and str(path) in text


def test_missing_channel_fields_are_named(tmp_path: Path) -> None:
    hdr = json.loads(json.dumps(HEADER))
    del hdr["channels"][1]["gain_n_per_count"]
    hdr["channels"][0]["side"] = "middle"
    with pytest.raises(HeaderError) as info:
        read_header(write_raw(tmp_path / "r.wimrec", b"", hdr))
    text = str(info.value)
    assert "channels.1.gain_n_per_count: missing" in text
    assert "channels.0.side" in text and "\n" not in text


def test_inconsistent_channel_indexes_rejected(tmp_path: Path) -> None:
    hdr = json.loads(json.dumps(HEADER))
    hdr["channels"][1]["index"] = 5
    with pytest.raises(HeaderError, match=r"channel indexes must be 0\.\.1"):
        read_header(write_raw(tmp_path / "r.wimrec", b"", hdr))


def test_missing_file_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot open"):
        open_recording(tmp_path / "nope.wimrec")


def test_deeply_nested_header_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.wimrec"
    path.write_bytes(b"WIMREC 1\n" + b"[" * 200_000 + b"\n")
    with pytest.raises(HeaderError, match="not valid JSON"):
        open_recording(path)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([b"", b"WIMREC 1\n", b"WIMREC 1\n" + json.dumps(HEADER).encode() + b"\n"]),
    st.binary(max_size=300),
)
def test_fuzz_recording_never_raises_unexpected(prefix: bytes, tail: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.wimrec"
        path.write_bytes(prefix + tail)
        try:
            with open_recording(path) as rec:
                frames = list(rec.frames())
                counters = rec.counters()
        except WimError as exc:
            assert "\n" not in str(exc)
            return
    decoded = sum(28 + 4 * f.samples.size + 4 for f in frames)
    assert decoded + counters["resync_bytes"] <= len(tail)
