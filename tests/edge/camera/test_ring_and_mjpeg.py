"""The ring buffer's time search and the MJPEG multipart parser (pure parts)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.camera import FrameRing, TimedFrame
from edge.camera.mjpeg import boundary_from_content_type, next_part


def frame(t_s: float, seq: int = 0, size: int = 10) -> TimedFrame:
    return TimedFrame(t_s, seq, b"\xff\xd8" + bytes(size) + b"\xff\xd9")


def test_closest_and_frames_near() -> None:
    ring = FrameRing(max_age_s=10.0)
    for i in range(10):
        ring.push(frame(100.0 + i * 0.1, i))
    assert ring.closest(100.34).seq == 3  # type: ignore[union-attr]
    assert ring.closest(100.36).seq == 4  # type: ignore[union-attr]
    assert ring.closest(50.0).seq == 0  # type: ignore[union-attr]
    assert ring.closest(50.0, max_gap_s=1.0) is None
    assert [f.seq for f in ring.frames_near(100.5, 0.15)] == [4, 5, 6]


def test_eviction_by_age_bytes_and_clock_step() -> None:
    ring = FrameRing(max_age_s=1.0, max_bytes=10_000)
    for i in range(30):
        ring.push(frame(i / 8, i))  # eighths are exact in binary: no rounding at the edge
    assert ring.span_s() == (21 / 8, 29 / 8)
    ring.push(frame(4.0, 99, size=9_990))
    assert len(ring) == 1  # the big frame pushed the rest out
    ring.push(frame(1.0, 100))  # clock stepped back
    assert [f.seq for f in ring.frames_near(2.0, 5.0)] == [100]


def test_jpeg_frames_decode_lazily_and_keep_original_bytes() -> None:
    import cv2

    image = np.full((16, 16, 3), 200, np.uint8)
    jpeg = cv2.imencode(".jpg", image)[1].tobytes()
    timed = TimedFrame(1.0, 0, jpeg)
    assert timed.jpeg() == jpeg and timed.image.shape == (16, 16, 3)
    assert TimedFrame(1.0, 0, image).jpeg().startswith(b"\xff\xd8")


def test_boundary_parsing() -> None:
    assert boundary_from_content_type("multipart/x-mixed-replace; boundary=--frame") == b"frame"
    assert boundary_from_content_type('multipart/x-mixed-replace;boundary="ab"') == b"ab"
    assert boundary_from_content_type("image/jpeg") is None


def stream(parts: list[bytes], with_length: bool) -> bytes:
    out = b""
    for body in parts:
        head = b"--frame\r\nContent-Type: image/jpeg\r\n"
        if with_length:
            head += b"Content-Length: %d\r\n" % len(body)
        out += head + b"\r\n" + body + b"\r\n"
    return out + b"--frame\r\n"


@settings(max_examples=100, deadline=None)
@given(
    parts=st.lists(st.binary(min_size=1, max_size=50), min_size=1, max_size=5),
    with_length=st.booleans(),
    chunk=st.integers(1, 40),
)
def test_parts_survive_any_chunking(parts: list[bytes], with_length: bool, chunk: int) -> None:
    if not with_length:
        # Without Content-Length a part ends at the boundary line: bodies must not hold it.
        parts = [p for p in parts if b"--" not in p] or [b"x"]
    wire = stream(parts, with_length)
    got: list[bytes] = []
    buf = b""
    discarded = 0
    for i in range(0, len(wire), chunk):
        buf += wire[i : i + chunk]
        while True:
            consumed, part, lost = next_part(buf, b"frame")
            buf = buf[consumed:]
            discarded += lost
            if part is None:
                break
            got.append(part)
    assert got == parts
    assert discarded == 0


def test_garbage_before_a_part_is_counted() -> None:
    wire = b"junk" + stream([b"abc"], True)
    consumed, part, discarded = next_part(wire, b"frame")
    assert part == b"abc" and discarded == 4
    assert wire[consumed:] == b"\r\n--frame\r\n"  # the next boundary stays for the next call
