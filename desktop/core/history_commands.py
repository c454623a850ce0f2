"""Undoable edits of the document's history: hotline calls and line revisions.

Calls: one command, `ChangeCalls`, holds the records it takes out and puts in (plain dicts,
as `CallLog.record` gives them), so adding, editing, deleting and importing are all it and
it journals as JSON; a 100k-call log is never copied into the undo history.
Revisions: `ChangeRevisions` holds the whole (small) list before and after.

Agreeing is ordered in time: of the revisions that were ever agreed, the one effective
last is `agreed` and those before it `superseded` (`settled`), whatever edit made them so.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from desktop.core.calls import CallLog
from desktop.core.commands import Command
from desktop.core.document import Document
from desktop.core.revisions import AGREED, PROPOSED, SUPERSEDED, LineRevision, RevisionLog
from desktop.core.tracks import as_epoch, format_time
from desktop.core.wording import plural


def _ids(records: Iterable[Mapping]) -> list[str]:
    return [str(r["id"]) for r in records]


@dataclass
class ChangeCalls(Command):
    """Take the calls `removed` out of the log and put the calls `added` in."""

    removed: tuple[dict, ...]
    added: tuple[dict, ...]
    label: str = "Edit calls"

    def do(self, doc: Document) -> None:
        doc.set_calls(doc.calls.changed(_ids(self.removed), self.added))

    def undo(self, doc: Document) -> None:
        doc.set_calls(doc.calls.changed(_ids(self.added), self.removed))


def _records(calls: CallLog, idx) -> tuple[dict, ...]:
    return tuple(calls.record(int(i)) for i in idx)


def add_call(doc: Document, record: Mapping) -> ChangeCalls:
    return ChangeCalls((), (dict(record),), f"Log call {record['id']}")


def edit_call(doc: Document, call_id: str, record: Mapping) -> ChangeCalls:
    """Replace call `call_id` by `record` (which may carry a new id)."""
    old = doc.calls.record(doc.calls.index_of(call_id))
    return ChangeCalls((old,), (dict(record),), f"Edit call {call_id}")


def delete_calls(doc: Document, call_ids: Iterable[str]) -> ChangeCalls:
    ids = list(call_ids)
    idx = [doc.calls.index_of(i) for i in ids]
    label = f"Delete call {ids[0]}" if len(ids) == 1 else f"Delete {len(ids)} calls"
    return ChangeCalls(_records(doc.calls, sorted(idx)), (), label)


def import_calls(doc: Document, calls: CallLog, source: str) -> ChangeCalls:
    """Add the calls of `calls`; a call whose id is already in the log is replaced by it."""
    replaced = np.flatnonzero(np.isin(doc.calls.ids, calls.ids))
    return ChangeCalls(_records(doc.calls, replaced), _records(calls, range(len(calls))),
                       f"Import {plural(len(calls), 'call')} from {source}")


def next_call_id(doc: Document, t) -> str:
    """A fresh id in the demo's style, C-YYYYMMDD-NN, for a call logged at t (UTC day)."""
    day = format_time(as_epoch(t))[:10].replace("-", "")
    taken = set(doc.calls.ids.tolist())
    k = 1
    while f"C-{day}-{k:02d}" in taken:
        k += 1
    return f"C-{day}-{k:02d}"


# -- revisions ------------------------------------------------------------------------------
def settled(revisions: Iterable[LineRevision]) -> tuple[LineRevision, ...]:
    """The revisions with the agreed ones relabelled in time order: the latest effective is
    `agreed`, the earlier ones `superseded`; proposals are left alone."""
    revs = list(revisions)
    agreed = sorted((r for r in revs if r.was_agreed), key=lambda r: r.effective)
    latest = agreed[-1].id if agreed else None
    out = []
    for r in revs:
        if r.was_agreed:
            state = AGREED if r.id == latest else SUPERSEDED
            r = r if r.state == state else dataclasses.replace(r, state=state)
        out.append(r)
    return tuple(out)


@dataclass
class ChangeRevisions(Command):
    before: tuple[LineRevision, ...]
    after: tuple[LineRevision, ...]
    label: str = "Edit line revisions"

    def do(self, doc: Document) -> None:
        doc.set_revisions(RevisionLog(self.after))

    def undo(self, doc: Document) -> None:
        doc.set_revisions(RevisionLog(self.before))


def save_revision(doc: Document, revision_id: str, effective, *, state: str = PROPOSED, note: str = "",
                  call_id: str = "") -> ChangeRevisions:
    """Save the current line as a new revision tied to the call `call_id`."""
    revision_id = revision_id.strip()
    if not revision_id:
        raise ValueError("a line revision needs an id")
    if revision_id in doc.revisions.ids:
        raise ValueError(f"a line revision {revision_id!r} already exists")
    if call_id and call_id not in set(doc.calls.ids.tolist()):
        raise ValueError(f"no call {call_id!r} in the log")
    new = LineRevision(revision_id, doc.line, as_epoch(effective), state, note, call_id)
    before = tuple(doc.revisions)
    return ChangeRevisions(before, settled(before + (new,)), f"Save line as revision {revision_id}")


def set_revision_state(doc: Document, revision_id: str, state: str) -> ChangeRevisions:
    """Mark a revision proposed or agreed (the others are relabelled by `settled`)."""
    if state not in (PROPOSED, AGREED):
        raise ValueError(f"a revision can be marked {PROPOSED} or {AGREED}, not {state!r}")
    doc.revisions.get(revision_id)  # raises for an unknown id
    before = tuple(doc.revisions)
    after = settled(dataclasses.replace(r, state=state) if r.id == revision_id else r for r in before)
    return ChangeRevisions(before, after, f"Mark revision {revision_id} {state}")


def delete_revision(doc: Document, revision_id: str) -> ChangeRevisions:
    doc.revisions.get(revision_id)
    before = tuple(doc.revisions)
    return ChangeRevisions(before, settled(r for r in before if r.id != revision_id),
                           f"Delete revision {revision_id}")
