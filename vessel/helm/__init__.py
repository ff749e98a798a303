"""The helm link: the line protocol to the motor controller and the driver that speaks it."""

from vessel.helm.link import HelmError, HelmLink, open_helm
from vessel.helm.protocol import HelmCommand, HelmDecoder, HelmStatus, decode, encode_command

__all__ = [
    "HelmCommand",
    "HelmDecoder",
    "HelmError",
    "HelmLink",
    "HelmStatus",
    "decode",
    "encode_command",
    "open_helm",
]
