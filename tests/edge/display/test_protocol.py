"""The display wire codec: round trips, stuffing, resync, corrupt frames, GB2312."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.display.errors import DisplayProtocolError
from edge.display.protocol import (
    ESC,
    ETX,
    STX,
    BadFrame,
    Command,
    Frame,
    ShowPayload,
    crc16_modbus,
    decode,
    decode_show,
    encode_frame,
    encode_show,
    to_gb2312,
)

frames = st.builds(
    Frame,
    address=st.integers(0, 255),
    command=st.integers(0, 255),
    seq=st.integers(0, 255),
    payload=st.binary(max_size=64),
)


def test_crc16_modbus_check_value() -> None:
    assert crc16_modbus(b"123456789") == 0x4B37


@settings(max_examples=150, deadline=None)
@given(frame=frames, junk=st.binary(max_size=16).filter(lambda b: STX not in b))
def test_round_trip_after_junk(frame: Frame, junk: bytes) -> None:
    wire = junk + encode_frame(frame)
    consumed, item, discarded = decode(wire)
    assert (consumed, item, discarded) == (len(wire), frame, len(junk))


@settings(max_examples=100, deadline=None)
@given(frame=frames)
def test_delimiters_never_appear_inside_a_frame(frame: Frame) -> None:
    inner = encode_frame(frame)[1:-1]
    assert STX not in inner and ETX not in inner


def test_stuffing_of_reserved_bytes() -> None:
    wire = encode_frame(Frame(0x02, 0x03, 0x1B, b""))
    assert wire[:7] == bytes((STX, ESC, 0x22, ESC, 0x23, ESC, 0x3B))


def test_truncated_frame_waits_for_more() -> None:
    wire = encode_frame(Frame(1, Command.SHOW, 7, b"abc"))
    consumed, item, discarded = decode(b"xx" + wire[:-3])
    assert (consumed, item, discarded) == (2, None, 2)
    consumed2, item2, _ = decode(wire[:-3] + wire[-3:])
    assert (consumed2, item2) == (len(wire), Frame(1, Command.SHOW, 7, b"abc"))


def test_bad_crc_is_reported_with_address_and_seq() -> None:
    wire = bytearray(encode_frame(Frame(5, Command.CLEAR, 42, b"hello")))
    wire[8] ^= 0x01  # a payload byte
    consumed, item, _ = decode(bytes(wire))
    assert consumed == len(wire)
    assert isinstance(item, BadFrame) and item.reason == "bad CRC"
    assert (item.address, item.seq, item.raw) == (5, 42, bytes(wire))


def test_restart_inside_a_frame_discards_the_fragment() -> None:
    good = encode_frame(Frame(1, Command.CLEAR, 1, b""))
    fragment = good[:5]
    consumed, item, discarded = decode(fragment + good)
    assert (consumed, item) == (len(fragment + good), Frame(1, Command.CLEAR, 1, b""))
    assert discarded == len(fragment)


@pytest.mark.parametrize("body", [b"", b"\x01\x02", b"\x01\x31\x01\x00\x09ab\x00\x00"])
def test_short_or_inconsistent_frames_are_bad_not_crashes(body: bytes) -> None:
    _, item, _ = decode(bytes((STX,)) + body + bytes((ETX,)))
    assert isinstance(item, BadFrame)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_never_crashes_and_is_accounted(buf: bytes) -> None:
    consumed, item, discarded = decode(buf)
    assert 0 <= discarded <= consumed <= len(buf)
    assert item is None or isinstance(item, Frame | BadFrame)


def test_show_payload_round_trip() -> None:
    show = ShowPayload("red", "scroll", 7, 150, "浙F12345 超限12%\n请驶入检测站")
    assert decode_show(encode_show(show)) == show


def test_gb2312_replaces_visibly_and_counts() -> None:
    data, replaced = to_gb2312("浙A12345😀\x07é")
    assert replaced == 2  # the emoji and the bell; "é" (pinyin) exists in GB2312
    assert data.decode("gb2312") == "浙A12345??é"


@pytest.mark.parametrize(
    "payload",
    [b"\x01\x00", b"\x09\x00\x05\x00\x00abc", b"\x01\x00\x05\x00\x00\xff\xff\xff"],
)
def test_malformed_show_payload_is_a_protocol_error(payload: bytes) -> None:
    with pytest.raises(DisplayProtocolError):
        decode_show(payload)


def test_every_plate_character_is_in_gb2312() -> None:
    # GA 36-2018 province abbreviations and special-use characters must never become '?'.
    plate_chars = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼警学挂港澳领使试超"
    assert to_gb2312(plate_chars)[1] == 0
