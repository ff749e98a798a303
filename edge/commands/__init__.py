"""Commands from the central platform on `down/command`: validated, expiring, idempotent."""

from edge.commands.registry import (
    MAX_COMMAND_BYTES,
    CommandEnvelope,
    CommandMemory,
    CommandRegistry,
    CommandRejected,
    CommandResult,
)

__all__ = [
    "MAX_COMMAND_BYTES",
    "CommandEnvelope",
    "CommandMemory",
    "CommandRegistry",
    "CommandRejected",
    "CommandResult",
]
