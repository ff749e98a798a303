"""DAQ frame codec: round trip, partial input, resync after garbage, seq gaps."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wim_station.daq.codec import FrameDecoder, SeqGap, decode, encode
from wim_station.daq.frame import DaqFrame


def make_frame(seq: int = 0, n_samples: int = 8, n_channels: int = 4, **kw: object) -> DaqFrame:
    rng = np.random.default_rng(seq)
    samples = rng.integers(-(2**31), 2**31 - 1, size=(n_samples, n_channels), dtype=np.int32)
    args: dict = {"seq": seq, "t0_us": 1_700_000_000_000_000 + seq * 2000, "sample_rate_hz": 4000}
    args.update(kw)
    return DaqFrame(samples=samples, **args)


def test_round_trip_keeps_every_field() -> None:
    frame = make_frame(7, status=0b1011, temperature_c=-12.34)
    wire = encode(frame)
    assert len(wire) == 28 + 4 * 8 * 4 + 4
    consumed, out, discarded = decode(wire)
    assert (consumed, discarded) == (len(wire), 0)
    assert out == frame
    assert out is not None
    assert out.samples.dtype == np.int32 and out.samples.shape == (8, 4)
    assert out.overrange and out.channel_fault and not out.clock_unsynced and out.dropped_before
    assert out.temperature_c == pytest.approx(-12.34)


def test_wire_layout_matches_spec() -> None:
    samples = np.array([[1, -1], [2, -2]], dtype=np.int32)
    wire = encode(DaqFrame(seq=1, t0_us=2, sample_rate_hz=3, samples=samples))
    assert wire[:4] == b"\xa5\x5a\x01\x02"
    assert wire[20:22] == b"\x02\x00"
    assert wire[24:26] == b"\x00\x80"  # temperature not available = -32768
    assert wire[28:32] == b"\x01\x00\x00\x00" and wire[32:36] == b"\xff\xff\xff\xff"
    assert wire[-4:] == zlib.crc32(wire[2:-4]).to_bytes(4, "little")


def test_missing_temperature_decodes_to_none() -> None:
    _, out, _ = decode(encode(make_frame(1)))
    assert out is not None and out.temperature_c is None


def test_partial_frame_waits_without_discarding() -> None:
    wire = encode(make_frame(3))
    for cut in range(len(wire)):
        assert decode(wire[:cut]) == (0, None, 0) or cut == 0
    decoder = FrameDecoder()
    frames = [f for b in wire for f in decoder.feed(bytes([b]))]
    assert frames == [make_frame(3)]
    assert decoder.resync_bytes == 0


def test_garbage_before_frame_is_counted() -> None:
    garbage = b"\x00\x01\xa5\xffhello\xa5"
    decoder = FrameDecoder()
    frames = decoder.feed(garbage + encode(make_frame(1)))
    assert frames == [make_frame(1)]
    assert decoder.resync_bytes == len(garbage)


def test_bad_crc_resyncs_on_next_frame() -> None:
    bad = bytearray(encode(make_frame(1)))
    bad[40] ^= 0xFF
    decoder = FrameDecoder()
    frames = decoder.feed(bytes(bad) + encode(make_frame(2)))
    assert frames == [make_frame(2)]
    assert decoder.bad_crc == 1
    assert decoder.resync_bytes == len(bad)


def test_bad_version_and_impossible_sizes_rejected_immediately() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(b"\xa5\x5a\x02") == []
    assert decoder.bad_version == 1 and decoder.resync_bytes == 3
    decoder = FrameDecoder()
    assert decoder.feed(b"\xa5\x5a\x01\x41") == []  # 65 channels
    assert decoder.bad_size == 1
    header = bytearray(encode(make_frame(1))[:22])
    header[20:22] = (1025).to_bytes(2, "little")
    decoder = FrameDecoder()
    assert decoder.feed(bytes(header)) == []
    assert decoder.bad_size == 1
    assert decoder.resync_bytes == 22


def test_seq_gap_reports_lost_frames_and_samples() -> None:
    decoder = FrameDecoder()
    items = decoder.feed_items(b"".join(encode(make_frame(s)) for s in (1, 2, 5)))
    assert [type(i).__name__ for i in items] == ["DaqFrame", "DaqFrame", "SeqGap", "DaqFrame"]
    gap = items[2]
    assert isinstance(gap, SeqGap)
    assert (gap.expected_seq, gap.seq, gap.lost_frames, gap.lost_samples) == (3, 5, 2, 16)
    assert decoder.counters()["lost_samples"] == 16


def test_seq_wraps_without_gap() -> None:
    decoder = FrameDecoder()
    frames = decoder.feed(encode(make_frame(2**32 - 1)) + encode(make_frame(0)))
    assert len(frames) == 2 and decoder.seq_gaps == 0
    decoder.feed(encode(make_frame(2)))
    assert (decoder.seq_gaps, decoder.lost_frames) == (1, 1)


def test_backwards_seq_is_a_reset_not_a_gap() -> None:
    decoder = FrameDecoder()
    decoder.feed(encode(make_frame(100)) + encode(make_frame(0)))
    assert decoder.seq_resets == 1 and decoder.lost_frames == 0


def test_finish_counts_truncated_tail() -> None:
    decoder = FrameDecoder()
    wire = encode(make_frame(1))
    decoder.feed(wire[:-3])
    assert decoder.finish() == len(wire) - 3
    assert decoder.resync_bytes == len(wire) - 3


def test_encode_rejects_impossible_shape() -> None:
    with pytest.raises(ValueError):
        encode(DaqFrame(seq=0, t0_us=0, sample_rate_hz=1, samples=np.zeros((0, 2), np.int32)))


_frames = st.builds(
    make_frame,
    seq=st.integers(0, 2**32 - 1),
    n_samples=st.integers(1, 6),
    n_channels=st.integers(1, 5),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(_frames.map(encode), st.binary(max_size=64)), max_size=8),
    st.integers(1, 97),
    st.data(),
)
def test_fuzz_decoder_never_raises_and_accounts_for_every_byte(
    parts: list[bytes], chunk: int, data: st.DataObject
) -> None:
    stream = bytearray(b"".join(parts))
    if stream:
        for _ in range(data.draw(st.integers(0, 3))):
            stream[data.draw(st.integers(0, len(stream) - 1))] ^= data.draw(st.integers(1, 255))
    decoder = FrameDecoder()
    frames = []
    for k in range(0, len(stream), chunk):
        frames += decoder.feed(bytes(stream[k : k + chunk]))
    decoded_bytes = sum(28 + 4 * f.samples.size + 4 for f in frames)
    assert decoded_bytes + decoder.resync_bytes + decoder.pending_bytes == len(stream)
    # The pure function agrees with the incremental decoder.
    buf, pure = bytes(stream), []
    while True:
        consumed, frame, _ = decode(buf)
        if consumed == 0:
            break
        buf = buf[consumed:]
        if frame is not None:
            pure.append(frame)
    assert pure == frames


@settings(max_examples=100, deadline=None)
@given(st.lists(_frames, min_size=1, max_size=5))
def test_fuzz_clean_stream_decodes_every_frame(frames: list[DaqFrame]) -> None:
    decoder = FrameDecoder()
    assert decoder.feed(b"".join(encode(f) for f in frames)) == frames
    assert decoder.resync_bytes == 0 and decoder.pending_bytes == 0
