"""Reading a recording folder back: timed chunks of bytes, timed JPEG files."""

from __future__ import annotations

from pathlib import Path

from edge.recorder.manifest import RecordingFolderError

TimedChunk = tuple[float, bytes]


def nmea_chunks(path: Path) -> list[TimedChunk]:
    """Each NMEA line with the host time it arrived (`# t=` lines of `NmeaCapture`)."""
    out: list[TimedChunk] = []
    t_s: float | None = None
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"# t="):
                try:
                    t_s = float(line[4:])
                except ValueError:
                    t_s = None
            elif not line.startswith(b"#") and t_s is not None:
                out.append((t_s, line))
    return out


def daq_chunks(path: Path) -> list[TimedChunk]:
    """The `.wimrec`'s bytes (after its header) cut and timed as `daq.index` says."""
    from wim_station.daq import open_recording

    index = path.with_suffix(".index")
    try:
        marks = [(int(a), float(b)) for a, b in
                 (line.split() for line in index.read_text("ascii").splitlines() if line)]
    except (OSError, ValueError) as exc:
        raise RecordingFolderError(f"{index}: unreadable ({exc})") from exc
    with open_recording(path) as rec:
        data = b"".join(rec.chunks())
    out: list[TimedChunk] = []
    for i, (offset, t_s) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(data)
        out.append((t_s, data[offset:end]))
    return out


def jpeg_frames(folder: Path) -> list[tuple[float, Path]]:
    """(host time, file) of each recorded frame, in order."""
    try:
        rows = (folder / "index.csv").read_text("ascii").splitlines()[1:]
        return [(float(t), folder / name) for _, t, name in (r.split(",") for r in rows if r)]
    except (OSError, ValueError) as exc:
        raise RecordingFolderError(f"{folder / 'index.csv'}: unreadable ({exc})") from exc
