"""Text displays: roadside LED variable-message signs and onboard LED/LCD screens.

`open_display(url)` gives a `TextDisplay`; `open_sign_board(config)` puts a `MessageBoard`
(priority, hold, default message) in front of it; templates come from config
(`MessageTemplateConfig`, `validate_template`). The wire protocol is documented in
`edge.display.protocol`.
"""

from edge.display.base import DisplayHealth, MemoryDisplay, TextDisplay
from edge.display.board import BoardView, MessageBoard
from edge.display.config import MessageTemplateConfig, TextDisplayConfig
from edge.display.errors import (
    DisplayDeviceError,
    DisplayError,
    DisplayProtocolError,
    TemplateError,
)
from edge.display.factory import open_display, open_sign_board
from edge.display.message import DisplayMessage
from edge.display.serial_display import SerialTextDisplay
from edge.display.sign_board import SignBoard, SignBoardHealth
from edge.display.template import render_template, template_names, validate_template

__all__ = [
    "BoardView",
    "DisplayDeviceError",
    "DisplayError",
    "DisplayHealth",
    "DisplayMessage",
    "DisplayProtocolError",
    "MemoryDisplay",
    "MessageBoard",
    "MessageTemplateConfig",
    "SerialTextDisplay",
    "SignBoard",
    "SignBoardHealth",
    "TemplateError",
    "TextDisplay",
    "TextDisplayConfig",
    "open_display",
    "open_sign_board",
    "render_template",
    "template_names",
    "validate_template",
]
