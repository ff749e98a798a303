"""The demo's configs: the packaged templates with free ports, written into the output folder."""

from __future__ import annotations

import socket
from importlib import resources
from pathlib import Path
from string import Template

TEMPLATES = ("wim_site.yaml", "vessel.yaml")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def template_text(name: str) -> str:
    """The text of a packaged template (`wim_site.yaml`, `vessel.yaml`)."""
    return (resources.files("edge.demo") / "templates" / name).read_text(encoding="utf-8")


def template_fields(name: str) -> list[str]:
    """The `${...}` names a template needs."""
    return sorted({m.group("named") or m.group("braced")
                   for m in Template.pattern.finditer(template_text(name))
                   if m.group("named") or m.group("braced")})


def write_config(name: str, out_dir: Path, **values: object) -> Path:
    """Fill a template (missing `*_port` values get free ports) and write it to `out_dir`.

    Relative paths inside the config are relative to `out_dir`, so the outbox, keys and
    evidence of the demo all land there.
    """
    filled = {k: str(v) for k, v in values.items()}
    for field in template_fields(name):
        if field not in filled and field.endswith("_port"):
            filled[field] = str(free_port())
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_text(Template(template_text(name)).substitute(filled), encoding="utf-8")
    return path
