"""A deterministic editing session for the recovery tests: the same seed gives the same
edits in a child process (which is killed) and in the test (which knows what to expect).

Run as a child: python -m tests.recovery.editing ROOT SEED — it prints one line per edit,
after the edit is made (and so journaled), and edits until killed."""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterator

import numpy as np

from desktop.core import commands
from desktop.core.annotations import Annotation
from desktop.core.commands import Command, CommandStack
from desktop.core.demo import demo_document
from desktop.core.document import Document


@dataclass
class Retitle(Command):
    """A command type the journal has no record for (like one another helper adds)."""

    before: str
    after: str
    label: str = "Retitle"

    def do(self, doc: Document) -> None:
        doc.title = self.after

    def undo(self, doc: Document) -> None:
        doc.title = self.before


@dataclass
class SetBufferViaProtocol(Command):
    """A command that opts in to journaling on its own class."""

    record_kind: ClassVar[str] = "test_set_buffer"
    before: float
    after: float
    label: str = "Buffer (protocol)"

    def do(self, doc: Document) -> None:
        doc.set_buffer_km(self.after)

    def undo(self, doc: Document) -> None:
        doc.set_buffer_km(self.before)

    def to_record(self) -> dict:
        return {"before": self.before, "after": self.after}

    @classmethod
    def from_record(cls, data: dict) -> "SetBufferViaProtocol":
        return cls(data["before"], data["after"])


def digest(doc: Document) -> str:
    h = hashlib.sha256()
    for part in (doc.line.vertices, doc.ao.ring, doc.units.lon, doc.units.lat, doc.tracks.time):
        h.update(np.ascontiguousarray(part).tobytes())
    h.update(repr((doc.title, doc.buffer_km, [a.id for a in doc.annotations], doc.units.ids.tolist(),
                   [doc.calls.record(i) for i in range(len(doc.calls))],
                   [(r.id, r.state, r.effective, r.call_id, r.line.vertices.tolist()) for r in doc.revisions])).encode())
    return h.hexdigest()[:16]


def edits(doc: Document, stack: CommandStack, seed: int, import_file: Path | None = None) -> Iterator[str]:
    """Make edits forever; yield the document digest after each."""
    rng = np.random.default_rng(seed)
    step = 0
    while True:
        step += 1
        roll = rng.random() * 20
        if roll < 9 or len(doc.line) < 4:
            v = int(rng.integers(1, len(doc.line) - 1))
            lon, lat = doc.line.vertices[v]
            try:
                stack.push(commands.move_vertex(doc, v, lon + rng.normal(0, 0.003), lat + rng.normal(0, 0.003)))
            except ValueError:
                pass  # the line would cross itself: refused, as in the app
        elif roll < 11:
            stack.push(commands.set_buffer(doc, float(rng.integers(1, 20))))
        elif roll < 12:
            stack.push(SetBufferViaProtocol(doc.buffer_km, float(rng.integers(1, 20)) + 0.5))
        elif roll < 13:
            stack.push(Retitle(doc.title, f"Plan {step}"))
        elif roll < 14:
            a = Annotation(doc.annotations.new_id("arrow"), "arrow", [(38.5, 35.5), (39.0 + rng.random(), 35.9)])
            stack.push(commands.add_annotation(doc, a))
        elif roll < 14.5:
            from desktop.core import history_commands as hc
            t = int(doc.calls.start[0]) + int(rng.integers(0, 60 * 86_400))
            if rng.random() < 0.7 or not len(doc.calls):
                record = {"id": hc.next_call_id(doc, t), "start": t, "duration_s": int(rng.integers(30, 900)),
                          "summary": f"logged in step {step}", "units": ["SDF-01"], "category": "routine check"}
                stack.push(hc.add_call(doc, record))
            else:
                stack.push(hc.delete_calls(doc, [doc.calls.ids[int(rng.integers(0, len(doc.calls)))]]))
        elif roll < 15 and rng.random() < 0.5:
            from desktop.core import history_commands as hc
            stack.push(hc.save_revision(doc, f"rev-{step}", int(doc.calls.start[-1]) + step, state="agreed",
                                        call_id=str(doc.calls.ids[-1])))
        elif roll < 15 and import_file is not None:
            from desktop.core.importers.apply import import_command
            from desktop.core.importers.csv_table import read_csv
            import_file.write_text(f"id,lat,lon\nIMP-{step},35.{rng.integers(10, 99)},38.{rng.integers(10, 99)}\n")
            stack.push(import_command(doc, read_csv(import_file), reported_at=1_502_798_400 + step))  # not the clock
        elif roll < 17:
            stack.undo()
        elif roll < 18:
            stack.redo()
        else:
            stack.set_index(int(rng.integers(0, len(stack.commands) + 1)))
        yield digest(doc)


def main(root: str, seed: int) -> None:
    from desktop.core.recovery import EditJournal
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(Path(root), doc, stack)
    work = Path(root) / "import.csv"
    for k, state in enumerate(edits(doc, stack, seed, work), start=1):
        if k % 25 == 0:
            journal.checkpoint()  # autosave
        print(k, state, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
