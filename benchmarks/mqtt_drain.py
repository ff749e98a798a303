"""Outbox and MQTT link figures against mosquitto on loopback, with the reference receiver.

Run: `.venv/bin/python benchmarks/mqtt_drain.py [--records 10000] [--latency-records 1000]
[--rate 50] [--max-inflight 20]`. Prints:

- enqueue rate with synchronous=FULL (signed violation records of ~1 KB, and bulk passages);
- drain of N queued ~1 KB records to the receiver with acks (records/s, from connect to the
  last ack applied to the outbox);
- enqueue -> stored-in-receiver latency (p50/p99) while online, at a paced rate.

Everything runs in one process on the same machine (agent, receiver) plus mosquitto, so the
figures include both ends' fsyncs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt

from edge.central import CentralReceiver
from edge.config.common import AgentConfig
from edge.mqtt import EdgeRuntime
from tests.support.mosquitto import Mosquitto

WHEN = "2026-11-30T08:00:00.000Z"
PAD = "x" * 560  # brings a signed record's JSON to about 1 KB


class TimedReceiver(CentralReceiver):
    """Notes when each violation record was committed to the receiver's database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_at: dict[str, float] = {}
        self._pending: list[str] = []
        self._mutex = threading.Lock()

    def _on_message(self, client: mqtt.Client, message: mqtt.MQTTMessage) -> None:
        if message.topic.endswith("/up/violation"):
            self._pending.append(json.loads(message.payload)["record_id"])
        super()._on_message(client, message)

    def _pump(self, client: mqtt.Client) -> float:
        pending, self._pending = self._pending, []
        wait = super()._pump(client)
        now = time.monotonic()
        with self._mutex:
            for rid in pending:
                self.stored_at.setdefault(rid, now)
        return wait


def config(tmp: Path, url: str, max_inflight: int, device: str) -> AgentConfig:
    return AgentConfig.model_validate({
        "kind": "wim", "device": {"id": device, "position": {"lat": 30.0, "lon": 120.0}},
        "broker": {"url": url, "max_inflight": max_inflight, "reconnect_min_s": 0.1},
        "outbox": {"path": str(tmp / device / "outbox.sqlite"),
                   "evidence_dir": str(tmp / device / "evidence")},
        "keys": {"signing_key_file": str(tmp / device / "key.pem")},
        "health": {"interval_s": 30},
    })


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--latency-records", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0,
                        help="records/s while online (keep below the enqueue rate)")
    parser.add_argument("--max-inflight", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mqtt-bench-"))
    # Central broker tuning (edge/mqtt/README.md): no Nagle delay on small packets (acks),
    # and more than mosquitto's default 20 QoS 1 messages in flight towards the receiver,
    # which reads nothing while it commits a batch (fsync).
    broker = Mosquitto(tmp / "broker", extra_conf="allow_anonymous true\nset_tcp_nodelay true\n"
                       "max_inflight_messages 1000\n").start()
    try:
        # 1. Enqueue rate (the agent is not connected: pure outbox cost).
        offline = config(tmp, "mqtt://127.0.0.1:9", args.max_inflight, "bench-drain")
        rt = EdgeRuntime(offline)
        t0 = time.perf_counter()
        for i in range(args.records):
            rt.submit_violation("overload", WHEN, None, {"i": i, "pad": PAD})
        t_viol = time.perf_counter() - t0
        t0 = time.perf_counter()
        n_bulk = min(args.records, 2000)
        for i in range(n_bulk):
            rt.submit_bulk("passage", {"i": i, "pad": PAD})
        t_bulk = time.perf_counter() - t0
        size = len(rt.outbox.next_batch({}, 1)[0].payload or b"")
        rt.stop()
        print(f"enqueue (synchronous=FULL): violations {args.records / t_viol:,.0f}/s "
              f"({size} B signed JSON), passages {n_bulk / t_bulk:,.0f}/s")

        # 2. Drain of the backlog, acked by the receiver.
        drain_cfg = offline.model_copy(update={"broker": offline.broker.model_copy(
            update={"url": broker.url})})
        total = args.records + n_bulk
        with TimedReceiver(broker.url, tmp / "central.sqlite") as rx:
            rx.wait_connected(10)
            rt = EdgeRuntime(drain_cfg)
            t0 = time.perf_counter()
            rt.start()
            if not rt.wait_drained(600):
                print("drain did not finish:", rt.health()["outbox"]["depth"])
                return 1
            t_drain = time.perf_counter() - t0
            peak = rt.link.health()["inflight_peak"]
            rt.stop()
            print(f"drain: {total} records ({args.records} violations + {n_bulk} passages) in "
                  f"{t_drain:.2f} s = {total / t_drain:,.0f} records/s acked "
                  f"(max_inflight {args.max_inflight}, peak in flight {peak})")

            # 3. Latency while online, paced.
            rt = EdgeRuntime(config(tmp, broker.url, args.max_inflight, "bench-live")).start()
            rt.wait_connected(10)
            submitted: dict[str, float] = {}
            period = 1.0 / args.rate
            start = time.monotonic()
            for i in range(args.latency_records):
                time.sleep(max(0.0, start + i * period - time.monotonic()))
                t = time.monotonic()
                submitted[rt.submit_violation("overload", WHEN, None, {"i": i, "pad": PAD})] = t
            rt.wait_drained(60)
            rt.stop()
            with rx._mutex:
                lat = [(rx.stored_at[r] - t) * 1000 for r, t in submitted.items()
                       if r in rx.stored_at]
            print(f"latency enqueue->stored in receiver at {args.rate:.0f}/s over "
                  f"{len(lat)} records: p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, "
                  f"max {max(lat):.1f} ms")
    finally:
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
