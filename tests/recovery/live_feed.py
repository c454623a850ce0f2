"""A live feed session for the crash test: reports from 40 units walking across the demo
line are read as CoT (the feed's intake), applied, written into the document a few times a
second and recorded in the crash journal once a second, with an autosave snapshot now and
then and an edit in between, until the process is killed.

Run as a child: python -m tests.recovery.live_feed ROOT — after each record it prints
"recorded R written W alerts A" (reports recorded so far, reports written into the
document, alerts logged), flushed, so the test knows what must survive a SIGKILL."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.feed.intake import Intake
from desktop.core.feed.live import LiveSession
from desktop.core.feed.recording import RECORD_EVERY_S, LiveRecorder
from desktop.core.recovery import EditJournal
from tests.feed.samples import event, walk_south
from tests.recovery.editing import SetBufferViaProtocol

UNITS, STEP_S, WRITE_S = 40, 0.02, 0.1


def main(root: str) -> None:
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(Path(root), doc, stack)
    session = LiveSession(doc)
    recorder = LiveRecorder(session, journal)
    lons, lats = walk_south(km=30.0, step_m=100.0)
    step, records = 0, 0
    last_write = last_record = time.monotonic()
    while True:
        intake = Intake()
        now = time.time()
        for k in range(UNITS):
            i = (step + 7 * k) % len(lons)
            intake.datagram(event(f"LIVE-{k:02d}", lats[i], lons[i] + 0.01 * k, now, callsign=f"Tm {k}"))
        session.apply(intake.take())
        step += 1
        if time.monotonic() - last_write >= WRITE_S:
            session.write_to_document()
            last_write = time.monotonic()
        if time.monotonic() - last_record >= RECORD_EVERY_S:
            recorder.record()
            records += 1
            if records % 3 == 0:
                journal.checkpoint(1)               # an autosave snapshot between records
            if records == 2:
                stack.push(SetBufferViaProtocol(doc.buffer_km, 6.5))   # an edit among the records
            last_record = time.monotonic()
            print(f"recorded {recorder._reports} written {session.written} alerts {len(doc.alerts)}", flush=True)
        time.sleep(STEP_S)


def live_reports(doc) -> int:
    """Reports of the live units (LIVE-*) in `doc`'s tracks."""
    live = np.flatnonzero(np.strings.startswith(doc.units.ids, "LIVE-"))
    return int(doc.tracks.report_counts()[live].sum()) if len(live) else 0


if __name__ == "__main__":
    main(sys.argv[1])
