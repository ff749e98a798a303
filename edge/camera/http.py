"""HTTP cameras: MJPEG streams (`http://…`) and triggered JPEG snapshots (`snapshot+http://…`).

opencv-python-headless 5.0 here can read HTTP MJPEG through its FFmpeg backend (use
`ffmpeg+http://…` to get that path), but by default MJPEG is read with our own small HTTP
client: the camera's JPEG bytes are kept exactly as they came (evidence keeps the original,
and a frame is decoded only when someone looks at it, which saves a core on a 2-core box),
every read is bounded, and a stop request is seen within 0.25 s.
Basic authentication comes from the URL (`http://user:password@host/…`). Chunked transfer
encoding is not supported (MJPEG cameras do not use it).
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from edge.camera.base import FrameSource
from edge.camera.errors import CameraDeviceError
from edge.camera.frame import TimedFrame
from edge.camera.mjpeg import boundary_from_content_type, next_part

_POLL_S = 0.25
_MAX_HEADERS = 16384
_MAX_PART = 16 * 1024 * 1024


def _split_auth(url: str) -> tuple[str, str | None]:
    """The URL without userinfo, and a Basic Authorization header value if it had one."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    token = base64.b64encode(credentials.encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=netloc)), f"Basic {token}"


def looks_like_jpeg(data: bytes) -> bool:
    """Starts with SOI and ends with EOI (trailing line breaks allowed)."""
    return data.startswith(b"\xff\xd8") and data.rstrip(b"\r\n").endswith(b"\xff\xd9")


class MjpegHttpSource(FrameSource):
    """`http(s)://host[:port]/path`: a multipart/x-mixed-replace JPEG stream."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self._target, self._auth = _split_auth(url)
        self._sock: socket.socket | None = None
        self._buf = b""
        self._boundary = b""
        self.bytes_discarded = 0
        super().__init__(url, **kwargs)

    def _connect(self) -> None:
        parts = urlsplit(self._target)
        secure = parts.scheme == "https"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        try:
            sock = socket.create_connection((host, port), timeout=self.read_timeout_s)
            if secure:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        except OSError as exc:
            raise CameraDeviceError(f"{self.url}: cannot connect: {exc}") from exc
        self._sock = sock
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "User-Agent: edge-camera/1"]
        lines += ["Accept: multipart/x-mixed-replace, image/jpeg", "Connection: close"]
        if self._auth:
            lines.append(f"Authorization: {self._auth}")
        try:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        except OSError as exc:
            raise CameraDeviceError(f"{self.url}: request failed: {exc}") from exc
        sock.settimeout(_POLL_S)
        head = b""
        deadline = time.monotonic() + self.read_timeout_s
        while b"\r\n\r\n" not in head:
            if len(head) > _MAX_HEADERS or time.monotonic() > deadline:
                raise CameraDeviceError(f"{self.url}: no HTTP response header")
            head += self._recv()
        head, _, self._buf = head.partition(b"\r\n\r\n")
        status, *header_lines = head.decode("latin-1", "replace").split("\r\n")
        if len(status.split()) < 2 or status.split()[1] != "200":
            raise CameraDeviceError(f"{self.url}: HTTP answer {status!r}")
        content_type = next(
            (
                v
                for k, _, v in (h.partition(":") for h in header_lines)
                if k.lower() == "content-type"
            ),
            "",
        )
        boundary = boundary_from_content_type(content_type)
        if boundary is None:
            raise CameraDeviceError(f"{self.url}: not an MJPEG stream ({content_type.strip()!r})")
        self._boundary = boundary

    def _recv(self) -> bytes:
        assert self._sock is not None
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise CameraDeviceError(f"{self.url}: read failed: {exc}") from exc
        if not chunk:
            raise CameraDeviceError(f"{self.url}: the camera closed the stream")
        return chunk

    def _grab(self) -> bytes | None:
        deadline = time.monotonic() + self.read_timeout_s
        while not self._stop.is_set():
            consumed, part, discarded = next_part(self._buf, self._boundary)
            self._buf = self._buf[consumed:]
            self.bytes_discarded += discarded
            if part is not None:
                if looks_like_jpeg(part):
                    return part
                self._bad_frames += 1
                continue
            if len(self._buf) > _MAX_PART:
                raise CameraDeviceError(f"{self.url}: part larger than {_MAX_PART} B")
            if time.monotonic() > deadline:
                raise CameraDeviceError(f"{self.url}: no frame for {self.read_timeout_s} s")
            self._buf += self._recv()
        return None

    def _disconnect(self) -> None:
        sock, self._sock = self._sock, None
        self._buf = b""
        if sock is not None:
            sock.close()


class HttpSnapshotSource(FrameSource):
    """`snapshot+http(s)://host/snap.jpg`: one JPEG per GET.

    `snapshot()` fetches a frame now (in the caller's thread, bounded by its timeout); the
    background thread also polls every `poll_s` so the buffer and health stay current.
    """

    def __init__(self, url: str, *, poll_s: float = 1.0, **kwargs: Any) -> None:
        self._target, self._auth = _split_auth(url.removeprefix("snapshot+"))
        self.poll_s = poll_s
        self._first = True
        super().__init__(url, **kwargs)

    def snapshot(self, timeout_s: float = 2.0) -> TimedFrame | None:
        """GET a frame now; None (and health says why) when the camera does not deliver."""
        try:
            return self._store(self._fetch(timeout_s))
        except CameraDeviceError as exc:
            self._last_error = str(exc)
            return None

    def _fetch(self, timeout_s: float) -> bytes:
        request = urllib.request.Request(self._target, headers={"User-Agent": "edge-camera/1"})
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                data: bytes = response.read(_MAX_PART + 1)
        except (OSError, urllib.error.URLError) as exc:
            raise CameraDeviceError(f"{self.url}: snapshot failed: {exc}") from exc
        if not looks_like_jpeg(data):
            self._bad_frames += 1
            raise CameraDeviceError(f"{self.url}: snapshot is not a JPEG ({len(data)} B)")
        return data

    def _connect(self) -> None:
        self._first = True

    def _grab(self) -> bytes | None:
        if not self._first and self._wait(self.poll_s):
            return None
        self._first = False
        return self._fetch(self.read_timeout_s)

    def _disconnect(self) -> None:
        pass
