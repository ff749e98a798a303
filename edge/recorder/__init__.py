"""Record the raw input streams of a running site, and replay them through an agent.

`record_site(config, config_path, out_dir, seconds)` captures NMEA bytes, DAQ bytes (as a
`.wimrec` plus arrival times) and camera JPEGs (with arrival times) into a folder with a
`manifest.json`; `Replay(recording, config)` serves them again on loopback ports, paced by
the recorded times, and `replay_config()` points a copy of the config at those ports.
"""

from edge.recorder.capture import record_site
from edge.recorder.compare import PassageMatch, compare_passages
from edge.recorder.manifest import Manifest, StreamEntry
from edge.recorder.replay import Replay

__all__ = ["Manifest", "PassageMatch", "Replay", "StreamEntry", "compare_passages",
           "record_site"]
