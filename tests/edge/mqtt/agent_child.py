"""A child agent for the kill -9 test: enqueue forever, print each committed record_id.

    python -m tests.edge.mqtt.agent_child CONFIG.json [--drain]

With --drain it only connects and exits 0 once every record is acknowledged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from edge.config.common import AgentConfig
from edge.evidence import EvidenceFile
from edge.mqtt import EdgeRuntime


def main(argv: list[str]) -> int:
    cfg = AgentConfig.model_validate(json.loads(Path(argv[0]).read_text()))
    with EdgeRuntime(cfg) as rt:
        if "--drain" in argv:
            return 0 if rt.wait_drained(60) else 1
        i = 0
        while True:
            files = [EvidenceFile("photo.jpg", "image/jpeg", bytes([i % 256]) * 4096)] \
                if i % 3 == 0 else []
            rid = rt.submit_violation("overload", "2026-11-30T08:00:00.000Z", None, {"i": i},
                                      files)
            sys.stdout.write(rid + "\n")
            sys.stdout.flush()
            if i % 5 == 0:
                rt.submit_bulk("passage", {"i": i})
            i += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
