"""The systemd notify protocol (sd_notify), spoken directly over the datagram socket.

No library is needed: a notification is one datagram of `KEY=value` lines sent to the socket
named by $NOTIFY_SOCKET (a path, or an abstract name starting with `@`). Outside systemd the
variable is unset and every call is a no-op, so agents run the same everywhere.
"""

from __future__ import annotations

import os
import socket


class SystemdNotifier:
    """Sends READY/WATCHDOG/STATUS/STOPPING to systemd when run as a `Type=notify` unit."""

    def __init__(self, address: str | None = None) -> None:
        self._address = address if address is not None else os.environ.get("NOTIFY_SOCKET")
        self._sock: socket.socket | None = None
        if self._address:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    @property
    def enabled(self) -> bool:
        """True when running under systemd with notifications enabled."""
        return self._sock is not None

    def watchdog_interval_s(self) -> float | None:
        """Half the watchdog timeout systemd set for this process, or None without a watchdog."""
        usec = os.environ.get("WATCHDOG_USEC")
        pid = os.environ.get("WATCHDOG_PID")
        if not usec or (pid and pid != str(os.getpid())):
            return None
        try:
            return int(usec) / 2e6
        except ValueError:
            return None

    def notify(self, **fields: str) -> bool:
        """Send one notification (`READY="1"`, `STATUS="..."`); False when not delivered."""
        if self._sock is None or not self._address:
            return False
        address = "\0" + self._address[1:] if self._address.startswith("@") else self._address
        payload = "\n".join(f"{key}={value}" for key, value in fields.items()).encode()
        try:
            self._sock.sendto(payload, address)
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Close the socket; safe to call twice."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
