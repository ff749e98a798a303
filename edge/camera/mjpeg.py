"""A pure parser for `multipart/x-mixed-replace` MJPEG streams (no I/O).

Each part is `--BOUNDARY` CRLF, headers, CRLF CRLF, the JPEG. With a Content-Length header
the JPEG is taken by length; without one it ends at the next boundary line.
"""

from __future__ import annotations

_MAX_HEADER = 8192


def boundary_from_content_type(content_type: str) -> bytes | None:
    """The boundary of a `multipart/x-mixed-replace; boundary=...` header, without `--`."""
    if "multipart" not in content_type.lower():
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip().strip('"').removeprefix("--").encode("latin-1")
    return None


def next_part(buf: bytes, boundary: bytes) -> tuple[int, bytes | None, int]:
    """Return (bytes consumed, the next part body or None, bytes discarded while resyncing)."""
    marker = b"--" + boundary
    start = buf.find(marker)
    if start < 0:
        keep = len(marker) + 1
        drop = max(0, len(buf) - keep)
        return drop, None, drop
    # Line breaks between parts are framing, not loss.
    skipped = len(buf[:start].strip(b"\r\n"))
    header_end = buf.find(b"\r\n\r\n", start)
    if header_end < 0:
        if len(buf) - start > _MAX_HEADER:
            return start + len(marker), None, skipped + len(marker)
        return start, None, skipped
    headers = buf[start + len(marker) : header_end].decode("latin-1", "replace")
    body_start = header_end + 4
    length = _content_length(headers)
    if length is not None:
        if len(buf) < body_start + length:
            return start, None, skipped
        return body_start + length, buf[body_start : body_start + length], skipped
    end = buf.find(b"\r\n" + marker, body_start)
    if end < 0:
        return start, None, skipped
    return end + 2, buf[body_start:end], skipped


def _content_length(headers: str) -> int | None:
    for line in headers.split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
            return length if length >= 0 else None
    return None


def stream_content_type(boundary: str) -> str:
    """The Content-Type header of an MJPEG stream with this boundary."""
    return f"multipart/x-mixed-replace; boundary={boundary}"


def encode_part(jpeg: bytes, boundary: str, timestamp_us: int | None = None) -> bytes:
    """One JPEG as a part of an MJPEG stream, optionally stamped with `X-Timestamp-Us`."""
    stamp = f"X-Timestamp-Us: {timestamp_us}\r\n" if timestamp_us is not None else ""
    head = (f"--{boundary}\r\nContent-Type: image/jpeg\r\n"
            f"Content-Length: {len(jpeg)}\r\n{stamp}\r\n")
    return head.encode() + jpeg + b"\r\n"
