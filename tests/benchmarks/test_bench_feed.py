"""Live feed benchmarks (headless part). Skipped by default; run them with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_feed.py --benchmark-enable --benchmark-only -s

Targets (2-core machine):
- 5,000 CoT events a second over loopback UDP for 30 s, from a pytak client in another
  process: no event lost by the application (sent = received = processed), memory growth
  reported; packet-to-alert latency p99 <= 100 ms, from the moment the feed reads the
  datagram to the alert. Also reported: from the moment the sender stamped the report
  (its `time`), which adds the sender's and the kernel's delays (large on a busy machine);
- one batch of 500 reports through the live session (units, reports, alerts) in a few ms,
  and decoding a report (defusedxml, checks) in well under 100 us.
The GUI part (repainting at 30 fps or better throughout) is test_bench_live_gui.py.
DECONFLICT_FLOOD_S=8 shortens both floods (30 s by default) for a quick look.
"""
from __future__ import annotations

import gc
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from desktop.cli.commands.listen import GATHER_S
from desktop.core.demo import demo_document
from desktop.core.feed.endpoints import FeedConfig, udp_endpoint
from desktop.core.feed.intake import Intake
from desktop.core.feed.live import LiveSession
from desktop.transport.runner import FeedRunner
from tests.benchmarks.feed_sender import report

ROOT = Path(__file__).resolve().parents[2]
RATE, SECONDS, UNITS = 5000, float(os.environ.get("DECONFLICT_FLOOD_S", 30.0)), 500


def _rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return math.nan


def flood(rate: float = RATE, seconds: float = SECONDS, units: int = UNITS) -> dict:
    feed = FeedRunner(FeedConfig(udp=(udp_endpoint("127.0.0.1:0"),)))
    session = LiveSession(demo_document())
    feed.start()
    assert feed.wait_ready(10)
    port = feed.status().endpoints[0].address[1]
    gc.freeze()     # as `listen` does once loaded
    rss0 = _rss_mb()
    sender = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.feed_sender", str(port), str(rate),
                               str(seconds), str(units)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    latencies, in_app, batches, processed, kinds = [], [], [], 0, {}
    quiet_since = None
    try:
        while quiet_since is None or time.monotonic() - quiet_since < 1.0:   # 1 s of nothing after the sender
            batch = feed.drain(0.05)
            if sender.poll() is not None and not len(batch):
                quiet_since = quiet_since or time.monotonic()
            t = time.perf_counter()
            alerts = session.apply(batch)
            shown = time.time()
            batches.append((len(batch), time.perf_counter() - t))
            processed += len(batch)
            for a in alerts:
                kinds[a.kind] = kinds.get(a.kind, 0) + 1
                if not math.isnan(a.received):        # raised by a packet (not a re-arm timer)
                    latencies.append(shown - a.time)      # from the moment the sender stamped it
                    in_app.append(shown - a.received)     # from the moment the feed read it
            if len(batch):
                time.sleep(GATHER_S)                  # as `listen` does: reports gather into batches
        sent = int(sender.stdout.read().strip())
    finally:
        sender.kill()
        feed.stop()
        gc.unfreeze()
    counters = feed.status().counters
    sizes, costs = np.array([b[0] for b in batches]), np.array([b[1] for b in batches])
    return {"sent": sent, "received": counters.packets, "accepted": counters.accepted, "processed": processed,
            "refused": counters.refused, "reports_kept": session.reports.n + session.duplicates,
            "rss_growth_mb": round(_rss_mb() - rss0, 1), "session_mb": round(session.memory_bytes() / 2 ** 20, 1),
            "alerts": kinds, "latency_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 1),
            "latency_p99_ms": round(float(np.percentile(latencies, 99)) * 1000, 1),
            "latency_max_ms": round(float(np.max(latencies)) * 1000, 1), "n_latencies": len(latencies),
            "read_to_alert_p50_ms": round(float(np.percentile(in_app, 50)) * 1000, 1),
            "read_to_alert_p99_ms": round(float(np.percentile(in_app, 99)) * 1000, 1),
            "load_average": os.getloadavg()[0],
            "batch_median": int(np.median(sizes[sizes > 0])), "apply_ms_median": round(
                float(np.median(costs[sizes > 0])) * 1000, 2), "apply_ms_max": round(float(costs.max()) * 1000, 1)}


def test_flood_5000_events_per_second_for_30_s(benchmark):
    result = benchmark.pedantic(flood, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print("\nfeed flood:", result)
    assert result["sent"] >= RATE * SECONDS * 0.98
    assert result["received"] == result["sent"] and result["refused"] == 0
    assert result["accepted"] == result["processed"] == result["reports_kept"] == result["sent"]
    assert result["alerts"].get("cross_line", 0) >= 50   # 99-135 seen: the swing's phase varies
    assert result["read_to_alert_p99_ms"] <= 100.0


def test_apply_a_batch_of_500_reports(benchmark):
    session = LiveSession(demo_document())
    start = time.time() - 90     # reports stay fresh (stale after 120 s) through the rounds
    state = {"t": start}

    def batch():
        intake = Intake()
        t = state["t"]
        for k in range(500):
            lat = 35.84 + 0.14 * math.sin(2 * math.pi * ((t + k * 0.002) / 60.0 + k / 500))
            intake.datagram(report(f"BENCH-{k:04d}", lat, 38.6 + 0.7 * k / 499, t + k * 0.002))
        state["t"] = t + 1.0
        return (intake.take(),), {}

    benchmark.pedantic(session.apply, setup=batch, rounds=60, iterations=1, warmup_rounds=3)
    assert len(session) == 500


def test_decode_one_report(benchmark):
    intake = Intake()
    data = report("BENCH-0001", 35.9, 38.9, time.time())
    benchmark(intake.datagram, data)
    assert intake.counters.refused == 0 and intake.counters.accepted > 0
