"""The live feed in the window under load. Skipped by default; run it with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_live_gui.py --benchmark-enable --benchmark-only -s

Targets (2-core machine), the GUI part of issue 11's benchmark:
- 5,000 CoT events a second over loopback UDP for 30 s from a pytak client in another
  process (500 units swinging across the demo line), into the main window (offscreen) with
  its feed on: nothing lost by the application (sent = received = accepted, and every
  report kept is in the document's tracks at the end), memory growth reported;
- the map repainting at 30 frames a second or better throughout: the map is asked to
  repaint every 16 ms (as a pan would) and every paint is timed; every whole second of
  the run must have had 30 paints or more;
- packet to alert line p99 <= 100 ms: from the moment the feed read the datagram that
  raised an alert to the first paint of the alert list after its line was added.
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
from PySide6 import QtCore, QtWidgets

from desktop.core.demo import demo_document
from desktop.gui.feed.settings import FeedSettings
from tests.benchmarks.test_bench_feed import RATE, SECONDS, UNITS, _rss_mb

ROOT = Path(__file__).resolve().parents[2]
FRAME_MS = 16


class PaintClock(QtCore.QObject):
    """Times every paint of `widget`, and calls `on_paint(t)` after each."""

    def __init__(self, widget, on_paint=None) -> None:
        super().__init__()
        self.times: list[float] = []
        self.on_paint = on_paint
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Paint:
            self.times.append(time.perf_counter())
            if self.on_paint is not None:
                QtCore.QTimer.singleShot(0, self.on_paint)   # after the paint itself
        return False


def run_until(condition, timeout_s: float) -> None:
    """The event loop, running as in the application (not qtbot's waits: QTest.qWait sleeps
    10 ms between passes, which would starve the repaints this measures), until `condition`
    holds (checked every 50 ms) or `timeout_s` passes."""
    loop = QtCore.QEventLoop()
    check = QtCore.QTimer(interval=50)
    check.timeout.connect(lambda: condition() and loop.quit())
    QtCore.QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    check.start()
    loop.exec()
    check.stop()


def flood_window(qtbot, rate: float = RATE, seconds: float = SECONDS, units: int = UNITS) -> dict:
    from desktop.gui.main_window import MainWindow
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.docks["alerts"].raise_()
    panel, doc, feed = win.panels["alerts"], win.document, win.feed_menu.feed
    feed.settings = FeedSettings(mesh=False, udp="127.0.0.1:0")
    feed.start()
    assert feed.runner.wait_ready(10)
    port = feed.runner.status().endpoints[0].address[1]
    # The first paint of the list after an alert's line went in shows it.
    waiting: list = []
    shown: dict[int, float] = {}
    listed: dict[int, float] = {}    # when each alert's line went into the list's model
    panel.model.rowsInserted.connect(lambda *_: [listed.setdefault(i, time.time()) for i in panel.model.ids()[:50]])

    def list_painted() -> None:
        now = time.time()
        for alert in waiting:
            shown.setdefault(alert.id, now)
        waiting.clear()
    doc.alerts.changed.connect(lambda a: waiting.append(a) if a.id not in shown else None)
    list_clock = PaintClock(panel.table.viewport(), list_painted)
    map_clock = PaintClock(win.map_view)
    ask = QtCore.QTimer(interval=FRAME_MS, timerType=QtCore.Qt.TimerType.PreciseTimer)
    ask.timeout.connect(win.map_view.update)
    ask.start()
    run_until(lambda: False, 0.5)
    gc.collect()
    rss0 = _rss_mb()
    before = len(map_clock.times)
    sender = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.feed_sender", str(port), str(rate),
                               str(seconds), str(units)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    t_start = time.perf_counter()
    cpu0, gui0 = time.process_time(), time.thread_time()
    try:
        run_until(lambda: sender.poll() is not None, seconds + 30)
        t_end = time.perf_counter()
        cpu1, gui1 = time.process_time(), time.thread_time()
        sent = int(sender.stdout.read().strip())
        run_until(lambda: feed.runner.status().counters.packets >= sent, 10.0)   # the kernel's buffer
        run_until(lambda: False, 0.5)
    finally:
        sender.kill()
        ask.stop()
    rss1 = _rss_mb()
    feed.stop()
    counters, session = feed.status.counters, feed.session
    live = np.flatnonzero(np.strings.startswith(doc.units.ids, "BENCH-"))
    in_tracks = int(doc.tracks.report_counts()[live].sum())
    paints = np.array([t for t in map_clock.times[before:] if t_start <= t <= t_end])
    per_second = np.bincount(((paints - t_start) // 1.0).astype(int))[:int(t_end - t_start)]
    gaps = np.diff(paints) * 1000.0
    latencies = [shown[a.id] - a.received for a in doc.alerts if a.id in shown and not math.isnan(a.received)]
    to_model = [listed[a.id] - a.received for a in doc.alerts if a.id in listed and not math.isnan(a.received)]
    kinds: dict[str, int] = {}
    for a in doc.alerts:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    return {"sent": sent, "received": counters.packets, "accepted": counters.accepted, "refused": counters.refused,
            "kept": session.reports.n, "duplicates": session.duplicates, "in_tracks": in_tracks,
            "fps_min": int(per_second.min()), "fps_median": float(np.median(per_second)),
            "fps_per_second": per_second.tolist(),
            "paint_gap_p99_ms": round(float(np.percentile(gaps, 99)), 1), "paint_gap_max_ms": round(float(gaps.max()), 1),
            "alerts": kinds, "alert_lines_timed": len(latencies),
            "packet_to_line_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 1),
            "packet_to_line_p99_ms": round(float(np.percentile(latencies, 99)) * 1000, 1),
            "packet_to_line_max_ms": round(float(np.max(latencies)) * 1000, 1),
            "packet_to_model_p99_ms": round(float(np.percentile(to_model, 99)) * 1000, 1),
            "gui_thread_cpu_s_per_s": round((gui1 - gui0) / (t_end - t_start), 2),
            "process_cpu_s_per_s": round((cpu1 - cpu0) / (t_end - t_start), 2),
            "rss_growth_mb": round(rss1 - rss0, 1), "session_mb": round(session.memory_bytes() / 2 ** 20, 1),
            "list_paints": len(list_clock.times), "load_average": os.getloadavg()[0]}


@pytest.mark.skipif(not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen",
                    reason="needs a display or the offscreen platform")
def test_window_under_5000_events_per_second(benchmark, qtbot):
    result = benchmark.pedantic(flood_window, args=(qtbot,), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print("\nlive window flood:", result)
    assert result["sent"] >= RATE * SECONDS * 0.98
    assert result["received"] == result["accepted"] == result["sent"] and result["refused"] == 0
    assert result["kept"] + result["duplicates"] == result["sent"] and result["in_tracks"] == result["kept"]
    assert result["fps_min"] >= 30
    assert result["alerts"].get("cross_line", 0) >= 50   # 99-135 seen: the swing's phase varies
    assert result["packet_to_line_p99_ms"] <= 100.0
