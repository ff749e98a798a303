"""A sign/screen controller reached through pyserial's `serial_for_url`.

Any URL pyserial accepts works: `/dev/ttyS0`, `socket://127.0.0.1:7010`, `rfc2217://…`,
`loop://`. The port is opened lazily and reopened after a failure, so a controller that
was switched off comes back on its own at the next command.
"""

from __future__ import annotations

import contextlib
import time

import serial

from edge.display.base import TextDisplay
from edge.display.errors import DisplayDeviceError, DisplayError
from edge.display.message import DisplayMessage
from edge.display.protocol import (
    BROADCAST,
    BadFrame,
    Command,
    Frame,
    NakReason,
    ShowPayload,
    decode,
    encode_frame,
    encode_show,
)


class SerialTextDisplay(TextDisplay):
    """Speaks `edge.display.protocol` to one controller address, with retries."""

    def __init__(
        self,
        url: str,
        *,
        address: int = 1,
        baudrate: int = 9600,
        reply_timeout_s: float = 0.5,
        retries: int = 2,
    ) -> None:
        super().__init__(url)
        if not 0 <= address <= BROADCAST:
            raise ValueError(f"address {address} must be within 0..255")
        self.address = address
        self.baudrate = baudrate
        self.reply_timeout_s = reply_timeout_s
        self.max_retries = retries
        self._port: serial.SerialBase | None = None
        self._seq = 0
        self.bytes_discarded = 0

    def status(self) -> int | None:
        """Ask the controller for its status byte (see protocol); None if it did not answer."""
        with self._lock:
            try:
                reply = self._transact(Command.STATUS, b"")
            except DisplayError as exc:
                self._last_error = str(exc)
                return None
            self._status_bits = reply.payload[1] if len(reply.payload) > 1 else None
            return self._status_bits

    def _show(self, message: DisplayMessage) -> None:
        hold_ds = round(message.hold_s * 10)
        payload = ShowPayload(message.colour, message.effect, message.speed, hold_ds, message.text)
        self._transact(Command.SHOW, encode_show(payload))

    def _clear(self) -> None:
        self._transact(Command.CLEAR, b"")

    def _close(self) -> None:
        self._drop_port()

    def _transact(self, command: Command, payload: bytes) -> Frame:
        self._seq = (self._seq + 1) & 0xFF
        request = encode_frame(Frame(self.address, command, self._seq, payload))
        problem = "no attempt"
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._retries += 1
            try:
                port = self._open_port()
                port.reset_input_buffer()
                port.write(request)
                port.flush()
                if self.address == BROADCAST:
                    # Nobody answers a broadcast: written is all we can know.
                    return Frame(self.address, Command.ACK, self._seq, bytes((command,)))
                reply = self._await_reply(port, self._seq)
            except (OSError, serial.SerialException) as exc:
                self._drop_port()
                problem = f"{self.url}: {exc}"
                continue
            if reply is None:
                problem = f"{self.url}: no reply within {self.reply_timeout_s} s"
            elif reply.command == Command.ACK:
                return reply
            elif reply.command == Command.NAK:
                reason = reply.payload[1] if len(reply.payload) > 1 else 0
                name = NakReason(reason).name if reason in NakReason._value2member_map_ else reason
                problem = f"{self.url}: controller refused command 0x{command:02X} ({name})"
            else:
                problem = f"{self.url}: unexpected reply command 0x{reply.command:02X}"
        raise DisplayDeviceError(f"{problem} after {self.max_retries + 1} attempt(s)")

    def _await_reply(self, port: serial.SerialBase, seq: int) -> Frame | None:
        deadline = time.monotonic() + self.reply_timeout_s
        buf = b""
        while (remaining := deadline - time.monotonic()) > 0:
            port.timeout = min(remaining, 0.05)
            chunk = port.read(max(1, port.in_waiting))
            if not chunk:
                continue
            buf += chunk
            while True:
                consumed, item, discarded = decode(buf)
                buf = buf[consumed:]
                self.bytes_discarded += discarded
                if item is None:
                    break
                if isinstance(item, BadFrame):
                    self.bytes_discarded += len(item.raw)
                elif item.seq == seq and item.address == self.address:
                    return item
                # Any other frame is a late reply to an earlier attempt: drop it.
        return None

    def _open_port(self) -> serial.SerialBase:
        if self._port is None:
            self._port = serial.serial_for_url(
                self.url, baudrate=self.baudrate, timeout=self.reply_timeout_s,
                write_timeout=self.reply_timeout_s,
            )  # fmt: skip
        return self._port

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(OSError, serial.SerialException):
                port.close()
