"""Sign and onboard-screen controller simulator (see `simulators.sign.server`)."""

from simulators.sign.render import SignGeometry, render_sign
from simulators.sign.server import ShownMessage, SignSimulator, read_history

__all__ = ["ShownMessage", "SignGeometry", "SignSimulator", "read_history", "render_sign"]
