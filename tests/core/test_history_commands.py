"""Undoable edits of calls and line revisions: do/undo round trips, validation, agreed order."""
import json

import numpy as np
import pytest

from desktop.core.commands import CommandStack
from desktop.core.calls import CallLog
from desktop.core.calls_csv import calls_csv_text
from desktop.core.demo import demo_document
from desktop.core.history_commands import (add_call, delete_calls, delete_revision, edit_call, import_calls,
                                           next_call_id, save_revision, set_revision_state)
from desktop.core.revisions import AGREED, PROPOSED, SUPERSEDED
from desktop.core.tracks import parse_time

T = parse_time("2017-06-18T15:00:00Z")


@pytest.fixture
def doc():
    return demo_document()


@pytest.fixture
def stack(doc):
    return CommandStack(doc)


def new_record(doc, **kw):
    record = {"id": next_call_id(doc, T), "start": T, "duration_s": 120, "initiator": "Coalition",
              "category": "incident", "priority": "flash", "summary": "test call", "units": ["SDF-06"]}
    record.update(kw)
    return record


def test_add_edit_delete_are_undoable_and_keep_start_order(doc, stack):
    before = calls_csv_text(doc.calls)
    seen = []
    doc.calls_changed.connect(seen.append)
    record = new_record(doc)
    on_the_day = sum(i.startswith("C-20170618-") for i in doc.calls.ids.tolist())
    assert record["id"] == f"C-20170618-{on_the_day + 1:02d}"
    stack.push(add_call(doc, record))
    i = doc.calls.index_of(record["id"])
    assert doc.calls.start[i] == T and np.all(np.diff(doc.calls.start) >= 0)
    assert doc.calls.links(i) == ("SDF-06",) and len(seen) == 1
    stack.push(edit_call(doc, record["id"], dict(record, start=T - 7200, summary="moved")))
    i = doc.calls.index_of(record["id"])
    assert doc.calls.start[i] == T - 7200 and doc.calls.summary[i] == "moved"
    stack.push(delete_calls(doc, [record["id"], "C-20170618-01"]))
    assert record["id"] not in doc.calls.ids and "C-20170618-01" not in doc.calls.ids
    assert stack.undo_label == "Delete 2 calls"
    for _ in range(3):
        stack.undo()
    assert calls_csv_text(doc.calls) == before
    for _ in range(3):
        stack.redo()
    assert len(doc.calls) == len(demo_document().calls) - 1


def test_commands_hold_plain_data(doc):
    cmd = edit_call(doc, "C-20170618-05", dict(doc.calls.record(doc.calls.index_of("C-20170618-05")), summary="x"))
    json.dumps([cmd.removed, cmd.added])  # journalable


def test_bad_edits_are_refused_and_change_nothing(doc, stack):
    n = len(doc.calls)
    with pytest.raises(ValueError, match="already in the log"):
        stack.push(add_call(doc, new_record(doc, id="C-20170618-01")))
    with pytest.raises(ValueError, match="category"):
        stack.push(add_call(doc, new_record(doc, category="gossip")))
    with pytest.raises(KeyError):
        delete_calls(doc, ["nope"])
    assert len(doc.calls) == n and not stack.can_undo()


def test_import_adds_new_calls_and_replaces_those_with_known_ids(doc, stack):
    known = doc.calls.record(doc.calls.index_of("C-20170618-05"))
    incoming = CallLog.from_records([dict(known, summary="corrected"), new_record(doc, id="X-1")])
    stack.push(import_calls(doc, incoming, "log.csv"))
    assert len(doc.calls) == len(demo_document().calls) + 1
    assert doc.calls.summary[doc.calls.index_of("C-20170618-05")] == "corrected"
    assert stack.undo_label == "Import 2 calls from log.csv"
    stack.undo()
    assert doc.calls.summary[doc.calls.index_of("C-20170618-05")] == known["summary"]
    assert "X-1" not in doc.calls.ids


def test_save_line_as_revision_tied_to_a_call(doc, stack):
    seen = []
    doc.revisions_changed.connect(seen.append)
    stack.push(save_revision(doc, "oct", T, note="draft", call_id="C-20170618-05"))
    rev = doc.revisions.get("oct")
    assert rev.line == doc.line and rev.state == PROPOSED and rev.call_id == "C-20170618-05" and seen
    assert doc.revisions.in_force_at(T + 1).id == "june"  # a proposal is never in force
    stack.push(set_revision_state(doc, "oct", AGREED))
    assert doc.revisions.in_force_at(T + 1).id == "oct"
    # Agreed revisions are relabelled in time order: august is the latest agreed one.
    states = {r.id: r.state for r in doc.revisions}
    assert states == {"june": SUPERSEDED, "oct": SUPERSEDED, "august": AGREED, "september": PROPOSED}
    stack.push(set_revision_state(doc, "august", PROPOSED))
    assert {r.id: r.state for r in doc.revisions}["oct"] == AGREED
    stack.push(delete_revision(doc, "oct"))
    assert "oct" not in doc.revisions.ids
    for _ in range(4):
        stack.undo()
    assert [(r.id, r.state) for r in doc.revisions] == [(r.id, r.state) for r in demo_document().revisions]


@pytest.mark.parametrize("kw, message", [
    (dict(revision_id="june"), "already exists"),
    (dict(revision_id=" "), "needs an id"),
    (dict(revision_id="x", call_id="nope"), "no call 'nope'"),
])
def test_bad_revisions_are_refused(doc, kw, message):
    with pytest.raises(ValueError, match=message):
        save_revision(doc, effective=T, **kw)
