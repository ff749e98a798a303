"""DAQ wire frames, their codec, `.wimrec` recordings and URL-selected frame sources."""

from wim_station.daq.codec import FrameDecoder, SeqGap, decode, encode
from wim_station.daq.frame import DaqFrame
from wim_station.daq.header import ChannelInfo, HeaderError, LaneInfo, RecordingHeader
from wim_station.daq.recording import (
    RecordingError,
    RecordingReader,
    RecordingWriter,
    open_recording,
    read_header,
)
from wim_station.daq.source import DaqSource, DaqSourceError, open_daq

__all__ = [
    "ChannelInfo",
    "DaqFrame",
    "DaqSource",
    "DaqSourceError",
    "FrameDecoder",
    "HeaderError",
    "LaneInfo",
    "RecordingError",
    "RecordingHeader",
    "RecordingReader",
    "RecordingWriter",
    "SeqGap",
    "decode",
    "encode",
    "open_daq",
    "open_recording",
    "read_header",
]
