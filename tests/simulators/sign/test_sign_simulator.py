"""The sign simulator: NAKs, PNG rendering, history file, CLI."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from edge.display import DisplayMessage, open_display
from edge.display.protocol import Command, Frame, NakReason, decode, encode_frame
from simulators.sign import SignGeometry, SignSimulator, read_history, render_sign

REPO = Path(__file__).resolve().parents[3]


def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def exchange(port: int, wire: bytes) -> Frame:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(wire)
        buf = b""
        while True:
            buf += conn.recv(256)
            _, item, _ = decode(buf)
            if isinstance(item, Frame):
                return item


def test_bad_crc_and_bad_payload_get_naks(tmp_path: Path) -> None:
    with SignSimulator(png_dir=tmp_path) as sim:
        wire = bytearray(encode_frame(Frame(1, Command.SHOW, 9, b"\x01\x00\x05\x00\x00AB")))
        wire[-4] ^= 0xFF
        reply = exchange(sim.port, bytes(wire))
        assert (reply.command, reply.seq, reply.payload[1]) == (Command.NAK, 9, NakReason.BAD_CRC)
        reply = exchange(sim.port, encode_frame(Frame(1, Command.SHOW, 10, b"\x07")))
        assert (reply.command, reply.payload[1]) == (Command.NAK, NakReason.BAD_PAYLOAD)
        reply = exchange(sim.port, encode_frame(Frame(1, 0x7E, 11, b"")))
        assert (reply.command, reply.payload[1]) == (Command.NAK, NakReason.UNKNOWN_COMMAND)
        assert sim.history() == [] and sim.frames_bad == 1


def test_png_shows_lit_leds_in_the_message_colour(tmp_path: Path) -> None:
    with SignSimulator(png_dir=tmp_path) as sim, open_display(sim.url) as display:
        assert display.show(DisplayMessage("浙F12345 超限12%", colour="red"))
    [shown] = read_history(tmp_path)
    assert shown.text == "浙F12345 超限12%" and not shown.clipped
    image = cv2.imread(shown.png or "")
    assert image is not None
    lit = image[..., 2] > 200
    assert lit.mean() > 0.02  # text is there
    assert (image[lit][:, 1] < 100).all()  # and it is red, not amber/white


def test_text_too_long_for_a_static_panel_is_flagged() -> None:
    geometry = SignGeometry(width_leds=96, height_leds=32)
    _, clipped = render_sign("浙F12345 超限12% 请驶入检测站", "amber", "static", geometry)
    assert clipped
    image, clipped = render_sign("浙F12345 超限12% 请驶入检测站", "amber", "scroll", geometry)
    assert not clipped and image.shape[1] > 96 * geometry.pitch_px


def test_blank_sign_has_no_lit_led() -> None:
    image, _ = render_sign(None, "amber", "static", SignGeometry())
    assert int(np.max(image)) < 60


def test_cli_serves_and_exits_on_sigterm(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.sign",
            "serve",
            "--port",
            str(port),
            "--png-dir",
            str(tmp_path),
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        assert "sign simulator on" in proc.stderr.readline()
        with open_display(f"socket://127.0.0.1:{port}") as display:
            assert display.show(DisplayMessage("你好"))
        assert [s.text for s in read_history(tmp_path)] == ["你好"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stderr.close()  # type: ignore[union-attr]


def test_sign_blanks_itself_when_the_hold_ends(tmp_path: Path) -> None:
    with SignSimulator(png_dir=tmp_path) as sim, open_display(sim.url) as display:
        assert display.show(DisplayMessage("苏E00001", hold_s=0.1))
        assert wait_for(lambda: len(sim.history()) == 2)
        shown = sim.showing()
    assert shown is not None and shown.text is None
    first, blank = read_history(tmp_path)
    assert blank.t_s == first.t_s + 0.1 and blank.text is None
