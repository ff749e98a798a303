"""Open a text display, or a sign board over one, from its URL or config."""

from __future__ import annotations

from edge.display.base import MemoryDisplay, TextDisplay
from edge.display.board import MessageBoard
from edge.display.config import TextDisplayConfig
from edge.display.serial_display import SerialTextDisplay
from edge.display.sign_board import SignBoard

_SERIAL_SCHEMES = ("socket://", "rfc2217://", "loop://", "/dev/", "COM")


def open_display(
    url: str,
    *,
    address: int = 1,
    baudrate: int = 9600,
    reply_timeout_s: float = 0.5,
    retries: int = 2,
) -> TextDisplay:
    """`memory://` keeps messages in memory; serial-like URLs speak `edge.display.protocol`."""
    if url.startswith("memory://"):
        return MemoryDisplay(url)
    if url.startswith(_SERIAL_SCHEMES):
        return SerialTextDisplay(
            url, address=address, baudrate=baudrate, reply_timeout_s=reply_timeout_s,
            retries=retries,
        )  # fmt: skip
    raise ValueError(f"unsupported display URL {url!r} (memory://, /dev/…, socket://, rfc2217://)")


def open_sign_board(config: TextDisplayConfig) -> SignBoard:
    """The display from `config` behind a message board with the configured default message."""
    display = open_display(
        config.url, address=config.address, baudrate=config.baudrate,
        reply_timeout_s=config.reply_timeout_s, retries=config.retries,
    )  # fmt: skip
    default = config.default.render({}) if config.default else None
    board = MessageBoard(default, max_wait_s=config.max_wait_s)
    return SignBoard(display, board, retry_s=config.retry_s)
