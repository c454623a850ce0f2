"""Finding the sessions of programs that died with unsaved work, and replaying them."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.commands import CommandStack
from desktop.core.document import Document
from desktop.core.recovery.journal import _Codec, _Lock
from desktop.core.recovery.records import command_from


@dataclass
class Recoverable:
    """A dead session's folder and what it says about itself. It holds the session's lock
    (the dead program's lock, now this one's) until `release` or `discard`: a second
    Deconflict started at the same time does not see it, so only one can take it."""

    folder: Path
    project: str | None
    title: str
    edits: int          # journal lines after the snapshot
    base_unsaved: bool  # the snapshot itself holds work that was never saved
    modified: float     # when the last edit was written (epoch seconds)
    unsaved: int = 0    # unsaved edits in all (those the snapshot holds too)
    last: str = ""      # the last of them ("Edit line", "Import units.csv: 3 units", "Undo ...")
    live: int = 0       # live reports from a TAK feed not saved (desktop.core.feed.recording)
    claim: _Lock | None = field(default=None, repr=False, compare=False)

    def release(self) -> None:
        """Leave the session for later (or for another Deconflict)."""
        if self.claim is not None:
            self.claim.release()
            self.claim = None

    def describe(self) -> str:
        """What there is to recover: where, how many edits, the last one, and when."""
        import time
        where = self.project or f"“{self.title}” (never saved)"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.modified))
        live = f"{self.live:,} live report{'s' if self.live != 1 else ''}" if self.live else ""
        if not self.unsaved:
            return f"{where}: {live or 'unsaved work'}, last changed {when}"
        last = f"the last “{self.last}”, " if self.last else "the last "
        live = f" and {live}" if live else ""
        return f"{where}: {self.unsaved} unsaved edit{'s' if self.unsaved != 1 else ''}{live}, {last}at {when}"

    def _entries(self) -> tuple[list[dict], list[str]]:
        """Journal lines; a torn last line (the crash hit mid-write) is dropped."""
        lines = (self.folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
        entries, problems = [], []
        for k, line in enumerate(lines):
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                if k != len(lines) - 1:
                    problems.append(f"journal line {k + 1} is damaged: edits from there on are lost")
                break
        return entries, problems

    def load(self) -> tuple[Document, list[dict]]:
        """The snapshot document and the edits to replay on it (see `replay`)."""
        from desktop.core.project import load_project
        entries, _ = self._entries()
        if not entries or entries[0].get("op") != "snapshot":
            raise ValueError(f"{self.folder}: the journal does not start with a snapshot")
        return load_project(self.folder / entries[0]["file"]), entries[1:]

    def replay(self, stack: CommandStack, edits: list[dict]) -> list[str]:
        """Re-run `edits` on `stack` (a stack over the snapshot document); returns problems
        (an edit that could not be replayed stops the replay there)."""
        codec = _Codec(self.folder)
        _, problems = self._entries()
        for k, entry in enumerate(edits):
            try:
                if entry["op"] == "push":
                    stack.push(command_from(codec.decode(entry["record"])))
                elif entry["op"] == "goto":
                    stack.set_index(int(entry["index"]))
                elif entry["op"] == "live":
                    from desktop.core.feed.recording import replay_live
                    replay_live(stack.doc, codec.decode(entry["record"]))
            except Exception as exc:  # noqa: BLE001 - keep what replayed; say where it stopped
                problems.append(f"edit {k + 1} of {len(edits)} could not be replayed ({exc}); the later ones are lost")
                break
        return problems

    def recover(self) -> tuple[Document, CommandStack, list[str]]:
        doc, edits = self.load()
        stack = CommandStack(doc)
        return doc, stack, self.replay(stack, edits)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.release()


def recoverable_sessions(root: str | Path) -> list[Recoverable]:
    """Sessions whose program is gone (their lock is free) and that hold unsaved work,
    each claimed (its lock held) until released or discarded. Sessions with nothing
    unsaved are removed on the way."""
    root = Path(root)
    found = []
    if not root.is_dir():
        return found
    for folder in sorted(root.glob("session-*")):
        try:
            lock = _Lock(folder / "lock")
        except OSError:
            continue  # removed meanwhile, or not ours to open
        if not lock.try_acquire():
            lock.release()
            continue  # a running program's session, or one another Deconflict is offering
        if not (folder / "journal.jsonl").exists() or not (folder / "session.json").exists():
            shutil.rmtree(folder, ignore_errors=True)  # ended before its first snapshot: nothing to recover
            lock.release()
            continue
        try:
            info = json.loads((folder / "session.json").read_text(encoding="utf-8"))
            lines = (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):
            lock.release()
            continue
        unsaved, last, live = _edits_told(lines)
        session = Recoverable(folder, info.get("project"), str(info.get("title", "")), max(len(lines) - 1, 0),
                              bool(info.get("base_unsaved")), (folder / "journal.jsonl").stat().st_mtime,
                              unsaved, last, live, lock)
        if session.edits or session.base_unsaved:
            found.append(session)
        else:
            session.discard()
    return found


def _edits_told(lines: list[str]) -> tuple[int, str, int]:
    """(unsaved edits, the last one's label, live reports) as the journal's lines tell them:
    the counts the snapshot line carries plus one edit per edit line after it (the reports of
    each live line); the last label found."""
    unsaved, last, live = 0, "", 0
    for k, line in enumerate(lines):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            break  # a torn last line: that edit was not finished
        if k == 0:
            unsaved, live = int(entry.get("edits", 0)), int(entry.get("live", 0))
        elif entry.get("op") == "live":
            live += int(entry.get("reports", 0))
        else:
            unsaved += 1
        last = entry.get("label") or last
    return unsaved, last, live
