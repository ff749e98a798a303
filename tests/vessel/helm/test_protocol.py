"""The helm line protocol: round trips, CRC, garbage and corruption never become a command."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.lake.helm_port import MotorController
from vessel.helm.protocol import (
    HelmCommand,
    HelmDecoder,
    HelmStatus,
    crc16_ccitt,
    decode,
    encode_command,
    encode_status,
    mix,
    unmix,
)


def test_crc_check_value() -> None:
    assert crc16_ccitt(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE catalogue value


def test_documented_example_lines() -> None:
    assert encode_command(HelmCommand(5, "rudder", 0.5, -0.25)) == b"$HLM,5,500,-250*43A6\r\n"
    assert decode(b"$HLS,5,A,80,24000*440A\r\n") == (24, HelmStatus(5, True, 80.0, 24000), 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0xFFFF), st.sampled_from(["rudder", "differential"]),
       st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_command_round_trip(seq: int, kind: str, a: int, b: int) -> None:
    cmd = HelmCommand(seq, kind, a / 1000, b / 1000)  # type: ignore[arg-type]
    line = encode_command(cmd)
    assert decode(line) == (len(line), cmd, 0)


def test_status_without_battery_round_trips() -> None:
    status = HelmStatus(65535, False, None, None)
    assert decode(encode_status(status))[1] == status


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 35), st.integers(0, 7))
def test_a_flipped_bit_never_yields_a_different_command(pos: int, bit: int) -> None:
    line = bytearray(encode_command(HelmCommand(77, "rudder", 0.8, -0.6)))
    pos = pos % (len(line) - 2)  # keep the terminator
    line[pos] ^= 1 << bit
    decoder = HelmDecoder()
    messages = decoder.feed(bytes(line) + encode_command(HelmCommand(78, "rudder", 0.0, 0.0)))
    assert messages[-1] == HelmCommand(78, "rudder", 0.0, 0.0)  # resyncs on the next line
    assert all(m == HelmCommand(77, "rudder", 0.8, -0.6) for m in messages[:-1])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_never_raises_nor_commands(junk: bytes) -> None:
    decoder = HelmDecoder()
    messages = decoder.feed(junk)
    assert all(not isinstance(m, HelmCommand) or m.seq >= 0 for m in messages)
    good = encode_command(HelmCommand(1, "rudder", 0.1, 0.1))
    assert decoder.feed(b"\n" + good)[-1] == HelmCommand(1, "rudder", 0.1, 0.1)


@pytest.mark.parametrize("line", [
    b"$HLM,1,1001,0*%04X\r\n" % crc16_ccitt(b"HLM,1,1001,0"),  # out of range: refused, not clamped
    b"$HLM,70000,0,0*%04X\r\n" % crc16_ccitt(b"HLM,70000,0,0"),
    b"$HLM,1,0*%04X\r\n" % crc16_ccitt(b"HLM,1,0"),
    b"$HLM,1,0,0*12\r\n",
    b"$HLM,1,x,0*%04X\r\n" % crc16_ccitt(b"HLM,1,x,0"),
])
def test_bad_lines_are_discarded(line: bytes) -> None:
    consumed, message, discarded = decode(line)
    assert message is None and consumed == discarded == len(line)


def test_partial_line_waits_for_more() -> None:
    line = encode_command(HelmCommand(3, "rudder", 0.2, 0.0))
    assert decode(line[:10]) == (0, None, 0)


def test_differential_mixing_turns_the_right_way() -> None:
    left, right = mix(0.5, 0.4, "differential")
    assert left > right  # starboard turn: the port motor pushes harder
    thrust, rudder = unmix(HelmCommand(0, "differential", left, right))
    assert thrust == pytest.approx(0.5) and rudder > 0


def test_controller_times_out_to_neutral() -> None:
    ctl = MotorController(neutral_timeout_s=1.0)
    assert ctl.demand(0.0) == (0.0, 0.0)  # nothing commanded yet
    reply = ctl.feed(0.0, encode_command(HelmCommand(9, "rudder", 0.7, 0.3)), 88.0)
    assert decode(reply)[1] == HelmStatus(9, True, 88.0, None)
    assert ctl.demand(0.9) == (0.7, 0.3)
    assert ctl.demand(1.1) == (0.0, 0.0)
    assert ctl.timeouts == 1
    ctl.feed(1.2, b"$HLM,10,900,0*0000\r\n")  # bad CRC: ignored, still neutral
    assert ctl.demand(1.3) == (0.0, 0.0)
    assert ctl.discarded_bytes > 0
