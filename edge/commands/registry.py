"""Command handling: parse and validate a hostile payload, dispatch to a registered handler.

Handlers are plain Python functions registered by name with a pydantic model for their
arguments; nothing here ever reaches a shell. Every payload gets a result, even garbage.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from edge.errors import EdgeError

log = logging.getLogger(__name__)

# A command is a name and a few arguments; anything bigger is an attack or a bug.
MAX_COMMAND_BYTES = 64 * 1024
_NAME = r"^[a-z][a-z0-9_]{0,63}$"


class CommandRejected(EdgeError):
    """Raised by a handler to refuse a command with a reason (the result says ok=false)."""


class CommandEnvelope(BaseModel):
    """`{"command_id", "name", "args", "expires_at"}` as specs/mqtt.md defines it."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    command_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,128}$")]
    name: Annotated[str, Field(pattern=_NAME)]
    args: dict[str, Any] = Field(default_factory=dict)
    expires_at: Annotated[AwareDatetime, Field(strict=False)]


@dataclass(frozen=True)
class CommandResult:
    """What goes back on `up/command-result`."""

    command_id: str | None
    ok: bool
    detail: str

    def as_payload(self) -> dict[str, Any]:
        return {"command_id": self.command_id, "ok": self.ok, "detail": self.detail}


class CommandMemory(Protocol):
    """Where results are remembered so a repeated command_id is answered, not re-run."""

    def recall_command(self, command_id: str) -> dict[str, Any] | None: ...

    def remember_command(self, command_id: str, result: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class _Entry:
    args_model: type[BaseModel]
    handler: Callable[[Any], str | None]


class CommandRegistry:
    """Handlers by name; `handle(payload, now)` turns any bytes into a CommandResult."""

    def __init__(self, memory: CommandMemory | None = None) -> None:
        self._memory = memory
        self._entries: dict[str, _Entry] = {}
        self._seen: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def register_command(self, name: str, args_model: type[BaseModel],
                         handler: Callable[[Any], str | None]) -> None:
        """Register `handler(args) -> detail | None`; it may raise CommandRejected.

        Handlers run on the MQTT link's thread: they must return quickly (hand long work
        to the agent's own thread).
        """
        if not re.match(_NAME, name):
            raise EdgeError(f"command name {name!r} must match {_NAME}")
        with self._lock:
            if name in self._entries:
                raise EdgeError(f"command {name!r} is already registered")
            self._entries[name] = _Entry(args_model, handler)

    @property
    def names(self) -> list[str]:
        return sorted(self._entries)

    def handle(self, payload: bytes, now: datetime) -> CommandResult:
        """Validate, check expiry and idempotence, run the handler; never raises."""
        envelope, problem, command_id = self._parse(payload)
        if envelope is None:
            log.warning("command rejected", extra={"command_id": command_id, "reason": problem})
            return CommandResult(command_id, False, problem)
        earlier = self._recall(envelope.command_id)
        if earlier is not None:
            return CommandResult(envelope.command_id, bool(earlier.get("ok")),
                                 str(earlier.get("detail", "")))
        result = self._run(envelope, now)
        self._remember(result)
        log.info("command handled", extra={"command_id": result.command_id,
                                           "command": envelope.name, "ok": result.ok})
        return result

    def _parse(self, payload: bytes) -> tuple[CommandEnvelope | None, str, str | None]:
        if len(payload) > MAX_COMMAND_BYTES:
            return None, f"payload too large ({len(payload)} bytes, max {MAX_COMMAND_BYTES})", None
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            return None, "payload is not UTF-8", None
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError):
            return None, "payload is not JSON", None
        if not isinstance(raw, dict):
            return None, "payload is not a JSON object", None
        cid = raw.get("command_id")
        command_id = cid if isinstance(cid, str) and 0 < len(cid) <= 128 else None
        try:
            return CommandEnvelope.model_validate_json(text), "", command_id
        except ValidationError as exc:
            return None, "invalid command: " + _first_error(exc), command_id

    def _run(self, envelope: CommandEnvelope, now: datetime) -> CommandResult:
        cid = envelope.command_id
        if envelope.expires_at.astimezone(UTC) <= now.astimezone(UTC):
            return CommandResult(cid, False, f"expired at {envelope.expires_at.isoformat()}")
        entry = self._entries.get(envelope.name)
        if entry is None:
            return CommandResult(cid, False, f"unknown command {envelope.name!r} "
                                 f"(known: {', '.join(self.names) or 'none'})")
        try:
            args = entry.args_model.model_validate(envelope.args)
        except ValidationError as exc:
            return CommandResult(cid, False, "invalid args: " + _first_error(exc))
        try:
            detail = entry.handler(args)
        except CommandRejected as exc:
            return CommandResult(cid, False, str(exc))
        except Exception as exc:  # a handler bug must not take the link down
            log.exception("command handler failed", extra={"command": envelope.name})
            return CommandResult(cid, False, f"handler failed: {type(exc).__name__}: {exc}")
        return CommandResult(cid, True, detail or "done")

    def _recall(self, command_id: str) -> dict[str, Any] | None:
        if self._memory is not None:
            return self._memory.recall_command(command_id)
        return self._seen.get(command_id)

    def _remember(self, result: CommandResult) -> None:
        if result.command_id is None:
            return
        if self._memory is not None:
            self._memory.remember_command(result.command_id, result.as_payload())
        else:
            self._seen[result.command_id] = result.as_payload()


def _first_error(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    text = f"{where}: {err['msg']}"
    return text if len(text) <= 200 else text[:197] + "..."
