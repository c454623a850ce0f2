"""The edit journal: every edit is on disk the moment it is made, so a crash, a kill -9 or a
power cut loses nothing.

One folder per editing session under the recovery root:

  lock            held (flock) while the session's program runs; free once it died
  session.json    project path, title, start time, whether the base holds unsaved work
  snap-N.gpkg     the document at some point (a project file, written atomically)
  journal.jsonl   line 1: {"op": "snapshot", "file": "snap-N.gpkg", "edits": n, "label": ...}
                  (the unsaved edits the snapshot holds, and the last one); then one line
                  per change of the command stack, flushed and fsynced before the next edit:
                  {"op": "push", "record": {...}, "label": ...} or {"op": "goto", "index": k, ...};
                  live reports come in batches, not edits: {"op": "live", "record": {...},
                  "reports": n} (desktop.core.feed.recording)
  blobs-N/        numpy arrays of records (.npy), fsynced before the line naming them

Replaying = opening the snapshot and re-running the lines on a fresh command stack, which
ends in the state of the moment of the crash, with the same undo history since the
snapshot. A command type the journal cannot record (desktop.core.recovery.records) gets a
new snapshot of the whole document instead of a line, and so does an undo or redo that
leaves the history the journal can replay. Every snapshot compacts the journal (the new
snapshot plus nothing), and autosave (`checkpoint`) takes one now and then so replays stay
short. The user's project file is never written by any of this.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from desktop.core.atomic import atomic_write, fsync_path
from desktop.core.commands import CommandStack
from desktop.core.document import Document
from desktop.core.events import Signal
from desktop.core.recovery.records import record_of
from desktop.core.text_columns import STRING, Categorical

INLINE_MAX = 64  # arrays up to this size are written in the line itself


class _Codec:
    """JSON values and numpy arrays; arrays beyond INLINE_MAX go to files in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def encode(self, value):
        if isinstance(value, Categorical):
            return {"$categorical": self.encode(np.ascontiguousarray(value.codes)),
                    "categories": self.encode(value.categories)}
        if isinstance(value, np.ndarray):
            if value.dtype == object or value.dtype == STRING:
                items = value.tolist()
                if len(items) <= INLINE_MAX:
                    return {"$objects": items}
                if set(map(type, items)) <= {str}:  # text columns: joined by NUL (fast both ways)
                    joined = "\0".join(items)
                    if joined.count("\0") == len(items) - 1:
                        return {"$strings_file": self._write(".txt", joined.encode("utf-8", "surrogatepass")),
                                "count": len(items)}
                return {"$objects_file": self._write(".json", json.dumps(items, ensure_ascii=False).encode())}
            if value.size <= INLINE_MAX:
                return {"$array": value.tolist(), "dtype": value.dtype.str, "shape": list(value.shape)}
            return {"$npy": self._write(".npy", value)}
        if isinstance(value, dict):
            return {str(k): self.encode(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.encode(v) for v in value]
        if isinstance(value, np.generic):
            return value.item()
        return value

    def decode(self, value):
        if isinstance(value, dict):
            if "$array" in value:
                return np.array(value["$array"], dtype=np.dtype(value["dtype"])).reshape(value["shape"])
            if "$npy" in value:
                return np.load(self.folder / value["$npy"], allow_pickle=False)
            if "$categorical" in value:
                return Categorical(self.decode(value["$categorical"]), self.decode(value["categories"]))
            if "$objects" in value:
                return np.array(value["$objects"], dtype=object)
            if "$strings_file" in value:
                text = (self.folder / value["$strings_file"]).read_bytes().decode("utf-8", "surrogatepass")
                out = np.empty(value["count"], dtype=object)
                out[:] = text.split("\0") if value["count"] else []
                return out
            if "$objects_file" in value:
                items = json.loads((self.folder / value["$objects_file"]).read_text(encoding="utf-8"))
                out = np.empty(len(items), dtype=object)
                out[:] = items
                return out
            return {k: self.decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        return value

    def _write(self, suffix: str, payload) -> str:
        self.folder.mkdir(exist_ok=True)
        self.count += 1
        name = f"{self.count}{suffix}"
        path = self.folder / name
        with open(path, "wb") as f:
            if isinstance(payload, np.ndarray):
                np.save(f, payload, allow_pickle=False)
            else:
                f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        return f"{self.folder.name}/{name}"


class _Lock:
    """An exclusive advisory lock on a file: held while the process lives (the OS drops
    it when the process dies, even by SIGKILL)."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def try_acquire(self) -> bool:
        try:
            import fcntl
        except ImportError:  # Windows: a live session keeps its lock file open; best effort
            return True
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self) -> None:  # a claim nobody released still ends with its holder
        self.release()


def _write_json(path: Path, data: dict) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8"))


class EditJournal:
    """Journals the edits of one document's command stack (see the module doc)."""

    def __init__(self, folder: Path, doc: Document, stack: CommandStack, project: Path | None) -> None:
        self.folder, self.doc, self.stack, self.project = folder, doc, stack, project
        self._lock = _Lock(folder / "lock")
        if not self._lock.try_acquire():
            raise OSError(f"recovery session {folder} is in use")
        self._generation = 0
        self._file = None
        self._codec: _Codec | None = None
        self._offset = self._replayable = 0
        self._index = stack.index
        self._mirror = list(stack.commands)
        self.edits_since_snapshot = 0
        self.unsaved_edits, self.last_edit = 0, ""  # since the base was saved, for the recovery offer
        self.live_reports = 0  # live reports recorded since the base was saved (the recovery offer says so)
        self.snapshot_taken = Signal()  # (): the document was written whole (live recorders start again)
        self.base_unsaved = True
        self.started = time.time()
        self.failed: str | None = None
        self.on_error = None  # callable(message), e.g. the window's status bar
        self._pending_base: tuple[Path | None, bool] | None = None  # (base_file, unsaved) not yet written

    @classmethod
    def start(cls, root: Path, doc: Document, stack: CommandStack, project: str | Path | None = None,
              base_file: str | Path | None = None, defer_base: bool = False) -> "EditJournal":
        """Start journaling `stack`. `base_file`: a project file equal to the document now
        (it is copied as the first snapshot; faster than writing one). `defer_base`: the
        document now exists elsewhere (a file, the demo, a new empty one), so the first
        snapshot may wait for `write_base` (the window calls it once it has painted); an edit
        before that is journaled as a snapshot of the document after it."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        folder = root / f"session-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        journal = cls(folder, doc, stack, Path(project) if project else None)
        if defer_base:  # the document exists elsewhere: its base is no unsaved work
            journal._pending_base = (Path(base_file) if base_file else None, False)
        else:
            journal.snapshot(base_file=base_file, unsaved=base_file is None)
        stack.changed.connect(journal._on_stack_changed)
        return journal

    def write_base(self) -> None:
        """Write the deferred first snapshot (nothing when it is written already). A failure
        stops the journal, as a failed record does: editing goes on."""
        if self._pending_base is not None and self.failed is None:
            base_file, unsaved = self._pending_base
            try:
                self.snapshot(base_file=base_file, unsaved=unsaved)
            except OSError as exc:
                self._stop(exc)

    # -- writing ---------------------------------------------------------------------------
    def _append(self, entry: dict) -> None:
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def append_live(self, record: dict, reports: int) -> None:
        """A batch of live reports and alerts (desktop.core.feed.recording): one line, replayed
        in order with the edits; no edit, so it never enters the undo history. Before the
        first snapshot a snapshot is written instead (the document holds the batch)."""
        if self.failed is not None or (self._file is None and self._pending_base is None):   # stopped, closed
            return
        try:
            if self._pending_base is not None:
                self.live_reports += reports
                self.snapshot()
                return
            self._append({"op": "live", "record": self._codec.encode(record), "reports": int(reports)})
            self.live_reports += reports
            self.edits_since_snapshot += 1  # autosave compacts these too
        except OSError as exc:
            self._stop(exc)

    def _on_stack_changed(self) -> None:
        try:
            self._record_change()
        except OSError as exc:  # full disk, removed folder: say so once and stop, never break editing
            self._stop(exc)

    def _stop(self, exc: OSError) -> None:
        self.failed = f"crash recovery stopped: cannot write {self.folder}: {exc.strerror or exc}"
        self.stack.changed.disconnect(self._on_stack_changed)
        if self.on_error is not None:
            self.on_error(self.failed)

    def _record_change(self) -> None:
        commands, index = self.stack.commands, self.stack.index
        pushed = index > 0 and len(commands) == index and (
            index - 1 >= len(self._mirror) or self._mirror[index - 1] is not commands[index - 1])
        if pushed or index != self._index:
            self.unsaved_edits += 1
            self.last_edit = (commands[index - 1].label if pushed else f"Undo {commands[index].label}"
                              if index < self._index else f"Redo {commands[index - 1].label}")
        if self._pending_base is not None:  # an edit before the first snapshot: snapshot after it
            self.snapshot()
            self._index, self._mirror = index, list(commands)
            return
        if pushed:
            try:
                record = record_of(commands[index - 1])
            except Exception:  # noqa: BLE001 - a command that cannot describe itself: snapshot it
                record = None
            if record is None or index - 1 < self._offset:
                self.snapshot()
            else:
                self._append({"op": "push", "record": self._codec.encode(record), "label": self.last_edit})
                self._replayable = index - self._offset
                self.edits_since_snapshot += 1
        elif index != self._index:
            if self._offset <= index <= self._offset + self._replayable:
                self._append({"op": "goto", "index": index - self._offset, "label": self.last_edit})
                self.edits_since_snapshot += 1
            else:
                self.snapshot()
        self._index, self._mirror = index, list(commands)

    def snapshot(self, base_file: str | Path | None = None, unsaved: bool = True) -> None:
        """Write the whole document (or copy `base_file`, a project equal to it) and restart
        the journal from it."""
        from desktop.core.project import save_project
        self._pending_base = None  # any snapshot is a base
        self._generation += 1
        gen = self._generation
        name = f"snap-{gen}.gpkg"
        if base_file is not None:
            atomic_write(self.folder / name, lambda tmp: shutil.copyfile(base_file, tmp))
        else:
            save_project(self.doc, self.folder / name)
        self.base_unsaved = unsaved
        self._write_session()
        # The unsaved edits the snapshot holds, and the last of them: what a recovery offer says.
        line = json.dumps({"op": "snapshot", "file": name, "edits": self.unsaved_edits if unsaved else 0,
                           "label": self.last_edit if unsaved else "",
                           "live": self.live_reports if unsaved else 0}, ensure_ascii=False) + "\n"
        atomic_write(self.folder / "journal.jsonl", lambda tmp: tmp.write_text(line, encoding="utf-8"))
        if self._file is not None:
            self._file.close()
        self._file = open(self.folder / "journal.jsonl", "a", encoding="utf-8")
        self._codec = _Codec(self.folder / f"blobs-{gen}")
        self._offset, self._replayable = self.stack.index, 0
        self.edits_since_snapshot = 0
        for old in self.folder.iterdir():  # earlier snapshots and their arrays
            if old.name.startswith(("snap-", "blobs-")) and old.name not in (name, f"blobs-{gen}"):
                shutil.rmtree(old) if old.is_dir() else old.unlink(missing_ok=True)
        fsync_path(self.folder, directory=True)
        self.snapshot_taken.emit()

    def _write_session(self) -> None:
        _write_json(self.folder / "session.json", {
            "pid": os.getpid(), "started": self.started, "project": str(self.project) if self.project else None,
            "title": self.doc.title, "base_unsaved": self.base_unsaved})

    def checkpoint(self, min_edits: int = 1) -> bool:
        """Autosave: a snapshot when at least `min_edits` edits were journaled since the last
        one (True if written). A few edits replay instantly; a snapshot of a huge document
        takes seconds, so the GUI asks for one only when the journal has grown."""
        if self.edits_since_snapshot < max(min_edits, 1):
            return False
        self.snapshot(unsaved=True)
        return True

    def saved(self, path: str | Path) -> None:
        """The user saved the document to `path`: it becomes the base; the journal restarts."""
        self.project = Path(path)
        self.unsaved_edits, self.last_edit, self.live_reports = 0, "", 0
        self.snapshot(base_file=path, unsaved=False)

    def close(self) -> None:
        """The session ended normally (its work saved or given up): remove its folder."""
        self.stack.changed.disconnect(self._on_stack_changed)  # (a no-op when already stopped)
        if self._file is not None:
            self._file.close()
            self._file = None
        self._lock.release()
        shutil.rmtree(self.folder, ignore_errors=True)
