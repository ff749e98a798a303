"""Commands: schema, expiry, idempotence (across restarts), hostile payloads, handlers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from edge.commands import CommandRegistry, CommandRejected
from edge.config.common import OutboxSection
from edge.errors import EdgeError
from edge.outbox import Outbox

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = (NOW + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")


class SetMode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["patrol", "hold", "return"]


def cmd(name: str = "set_mode", args: object = None, cid: str = "c-1",
        expires: str = LATER) -> bytes:
    return json.dumps({"command_id": cid, "name": name,
                       "args": {"mode": "hold"} if args is None else args,
                       "expires_at": expires}).encode()


def registry(calls: list[str], memory: Outbox | None = None) -> CommandRegistry:
    reg = CommandRegistry(memory)

    def set_mode(args: SetMode) -> str:
        if args.mode == "return":
            raise CommandRejected("no route loaded")
        calls.append(args.mode)
        return f"mode {args.mode}"

    reg.register_command("set_mode", SetMode, set_mode)
    reg.register_command("crash", SetMode, lambda args: 1 / 0)  # type: ignore[arg-type,return-value]
    return reg


def test_valid_command_runs_once_and_repeats_get_the_same_answer() -> None:
    calls: list[str] = []
    reg = registry(calls)
    first = reg.handle(cmd(), NOW)
    again = reg.handle(cmd(), NOW)
    assert first.as_payload() == {"command_id": "c-1", "ok": True, "detail": "mode hold"}
    assert again == first and calls == ["hold"]


def test_idempotence_survives_a_restart(tmp_path: Path) -> None:
    sec = OutboxSection(path=tmp_path / "o.sqlite", evidence_dir=tmp_path / "e")
    calls: list[str] = []
    with Outbox(sec, "d") as box:
        registry(calls, box).handle(cmd(), NOW)
    with Outbox(sec, "d") as box:
        result = registry(calls, box).handle(cmd(), NOW)
    assert result.ok and calls == ["hold"]


@pytest.mark.parametrize(("payload", "expected"), [
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"{nope", "not JSON"),
    (b"[" * 10000 + b"]" * 10000, "not JSON"),
    (b"42", "not a JSON object"),
    (b"x" * 70_000, "too large"),
    (cmd(name="rm -rf /"), "invalid command: name"),
    (cmd(name="reboot"), "unknown command 'reboot'"),
    (cmd(args={"mode": "hold; reboot"}), "invalid args: mode"),
    (cmd(args={"mode": "hold", "x": 1}), "invalid args: x"),
    (cmd(args=[1, 2]), "invalid command: args"),
    (cmd(cid=""), "invalid command: command_id"),
    (cmd(expires="tomorrow"), "invalid command: expires_at"),
    (cmd(expires="2026-11-30T09:00:00"), "invalid command: expires_at"),
    (json.dumps({"command_id": 5, "name": "set_mode", "args": {}, "expires_at": LATER}).encode(),
     "invalid command: command_id"),
    (cmd(expires="2026-11-30T08:59:59Z"), "expired"),
    (cmd(args={"mode": "return"}), "no route loaded"),
    (cmd(name="crash"), "handler failed: ZeroDivisionError"),
])
def test_rejections_are_results_not_crashes(payload: bytes, expected: str) -> None:
    calls: list[str] = []
    result = registry(calls).handle(payload, NOW)
    assert result.ok is False and expected in result.detail
    assert calls == []


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.builds(lambda d: json.dumps(d).encode(),
                                           st.dictionaries(st.sampled_from(
                                               ["command_id", "name", "args", "expires_at"]),
                                               st.none() | st.integers() | st.text(max_size=30)
                                               | st.lists(st.integers(), max_size=3))))
def test_any_bytes_give_a_result(payload: bytes) -> None:
    result = registry([]).handle(payload, NOW)
    assert isinstance(result.ok, bool) and result.detail


def test_names_are_checked_and_unique() -> None:
    reg = registry([])
    with pytest.raises(EdgeError, match="already registered"):
        reg.register_command("set_mode", SetMode, lambda a: None)
    with pytest.raises(EdgeError, match="must match"):
        reg.register_command("Set Mode", SetMode, lambda a: None)
