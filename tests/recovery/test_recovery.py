"""A killed program loses nothing: the journal replays every edit (SIGKILL of a child
process mid-editing), saves are atomic (SIGKILL mid-save), and unknown command types are
still recovered (by snapshot)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.project import load_project, save_project
from desktop.core.recovery import EditJournal, recoverable_sessions
from desktop.core.recovery.records import record_of
from tests.recovery.editing import Retitle, SetBufferViaProtocol, digest, edits

REPO = Path(__file__).resolve().parents[2]


def expected_digests(seed, n, tmp_path):
    doc = demo_document()
    gen = edits(doc, CommandStack(doc), seed, tmp_path / "expected.csv")
    return [next(gen) for _ in range(n)]


@pytest.mark.parametrize("seed, kill_after", [(1, 40), (2, 75), (3, 130)])
def test_sigkill_mid_editing_loses_no_edit(tmp_path, seed, kill_after):
    root = tmp_path / "recovery"
    child = subprocess.Popen([sys.executable, "-m", "tests.recovery.editing", str(root), str(seed)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        while len(seen) < kill_after:
            line = child.stdout.readline()
            assert line, child.stderr.read()
            seen.append(line.split()[1])
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    (session,) = recoverable_sessions(root)
    doc, stack, problems = session.recover()
    assert problems == []
    expected = expected_digests(seed, len(seen) + 1, tmp_path)
    assert expected[:len(seen)] == seen  # the child did what the test expects
    # Every edit the child reported is there; it may have made one more before dying.
    assert digest(doc) in (expected[len(seen) - 1], expected[len(seen)])


def test_replay_matches_the_live_document_after_every_kind_of_edit(tmp_path):
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path, doc, stack)
    gen = edits(doc, stack, 7, tmp_path / "i.csv")
    for k in range(150):
        state = next(gen)
        if k % 30 == 29:
            session_doc, _, problems = _recover_copy(journal, tmp_path / f"copy{k}")
            assert problems == [] and digest(session_doc) == state
    journal.close()
    assert not journal.folder.exists() and recoverable_sessions(tmp_path) == []


def _recover_copy(journal, where):
    """Recover from a copy of a live session's folder (its lock is held by this process)."""
    import shutil
    shutil.copytree(journal.folder, where / journal.folder.name)
    (session,) = recoverable_sessions(where)
    return session.recover()


def test_unknown_commands_are_snapshotted_and_protocol_commands_recorded(tmp_path):
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path, doc, stack)
    assert record_of(Retitle("a", "b")) is None
    stack.push(SetBufferViaProtocol(doc.buffer_km, 9.5))
    assert journal.edits_since_snapshot == 1  # a record, no snapshot
    stack.push(Retitle(doc.title, "Renamed"))
    assert journal.edits_since_snapshot == 0  # snapshot
    stack.undo()  # undoing the snapshotted command leaves the replayable history: snapshot again
    assert doc.title == "Euphrates 2017 (demo)" and journal.edits_since_snapshot == 0
    doc2, _, problems = _recover_copy(journal, tmp_path / "copy")
    assert problems == [] and digest(doc2) == digest(doc)
    journal.close()


def test_call_and_revision_edits_are_journaled_as_records(tmp_path):
    """The timeline's commands (calls logged/edited/deleted, revisions saved) opt in: each is
    a small record, not a snapshot of the document, and replays to the same document."""
    from desktop.core import history_commands as hc
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path, doc, stack)
    t = int(doc.calls.start[-1]) + 600
    stack.push(hc.add_call(doc, {"id": "C-NEW-1", "start": t, "summary": "Su-22 down", "units": ["SDF-01"],
                                 "category": "incident", "priority": "flash"}))
    stack.push(hc.delete_calls(doc, [str(doc.calls.ids[0])]))
    stack.push(hc.save_revision(doc, "october", t + 60, state="agreed", call_id="C-NEW-1"))
    stack.undo()
    stack.redo()
    assert journal.edits_since_snapshot == 5  # five records, no snapshot
    assert all(record_of(c) is not None for c in stack.commands)
    doc2, _, problems = _recover_copy(journal, tmp_path / "copy")
    assert problems == [] and digest(doc2) == digest(doc)
    assert doc2.calls.record(doc2.calls.index_of("C-NEW-1"))["priority"] == "flash"
    assert doc2.revisions.get("october").call_id == "C-NEW-1" and doc2.revisions.get("august").state == "superseded"
    journal.close()


def test_a_deferred_first_snapshot_loses_nothing(tmp_path):
    """The window defers the journal's first snapshot until it has painted: an edit made
    before it is snapshotted after the edit; a program killed before any edit leaves
    nothing to recover (and its folder goes)."""
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path / "a", doc, stack, defer_base=True)
    assert not (journal.folder / "journal.jsonl").exists()
    stack.push(SetBufferViaProtocol(doc.buffer_km, 7.5))  # before write_base
    stack.push(SetBufferViaProtocol(7.5, 8.5))
    journal.write_base()  # already written by the first edit: nothing more
    doc2, _, problems = _recover_copy(journal, tmp_path / "copy")
    assert problems == [] and doc2.buffer_km == 8.5 and digest(doc2) == digest(doc)
    journal.close()
    idle = EditJournal.start(tmp_path / "b", demo_document(), CommandStack(doc), defer_base=True)
    idle._lock.release()  # as if killed before its first snapshot
    assert recoverable_sessions(tmp_path / "b") == [] and not idle.folder.exists()


def test_saving_makes_the_saved_file_the_base_and_nothing_is_left_to_recover(tmp_path):
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path / "rec", doc, stack)
    stack.push(SetBufferViaProtocol(doc.buffer_km, 3.0))
    save_project(doc, tmp_path / "p.gpkg")
    journal.saved(tmp_path / "p.gpkg")
    journal._lock.release()  # as if the program died now, with everything saved
    assert recoverable_sessions(tmp_path / "rec") == []


def test_torn_last_line_is_ignored(tmp_path):
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path, doc, stack)
    stack.push(SetBufferViaProtocol(doc.buffer_km, 3.0))
    with open(journal.folder / "journal.jsonl", "a") as f:
        f.write('{"op": "push", "record": {"kind": "set_li')  # the crash hit mid-write
    doc2, _, problems = _recover_copy(journal, tmp_path / "copy")
    assert problems == [] and doc2.buffer_km == 3.0
    journal.close()


SAVER = """
import sys
from desktop.core.project import save_project
from tests.project.big_project import big_document
doc = big_document(n_units=2000, reports_per_unit=100, n_calls=2000, seed=int(sys.argv[2]))
print("ready", flush=True)
while True:
    save_project(doc, sys.argv[1])
    print("saved", flush=True)
"""


def test_sigkill_mid_save_leaves_the_old_or_the_new_file(tmp_path):
    from tests.project.big_project import big_document
    path = tmp_path / "p.gpkg"
    old = big_document(n_units=2000, reports_per_unit=100, n_calls=2000, seed=0)
    save_project(old, path)
    for k, delay in enumerate((0.05, 0.13, 0.21, 0.34, 0.55)):
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(path), str(k + 1)], cwd=REPO,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        doc = load_project(path)  # never a broken file
        assert doc.title == "Big" and len(doc.tracks) == 200_000
    # A killed save leaves its temporary file; the next save clears those of dead processes.
    save_project(old, path)
    assert [p.name for p in tmp_path.iterdir()] == ["p.gpkg"]


GUI_EDITOR = """
import sys
from pathlib import Path
from PySide6 import QtWidgets
app = QtWidgets.QApplication([])
from desktop.core.demo import demo_document
from desktop.gui.main_window import show_window
from tests.recovery.editing import edits
win = show_window(demo_document(), None, recovery_root=Path(sys.argv[1]))
for k, state in enumerate(edits(win.document, win.stack, int(sys.argv[2]), Path(sys.argv[1]) / "i.csv"), start=1):
    app.processEvents()
    print(k, state, flush=True)
"""


def test_sigkill_of_the_application_window_mid_editing(tmp_path):
    """The same through the real main window (offscreen): its journal, its views, its stack."""
    root = tmp_path / "recovery"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", GUI_EDITOR, str(root), "11"], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = []
    try:
        while len(seen) < 60:
            line = child.stdout.readline()
            assert line, "the child editor died"
            seen.append(line.split()[1])
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    (session,) = recoverable_sessions(root)
    doc, _, problems = session.recover()
    expected = expected_digests(11, len(seen) + 1, tmp_path)
    assert problems == [] and digest(doc) in (expected[len(seen) - 1], expected[len(seen)])


def test_sigkill_during_a_live_feed_loses_at_most_the_last_second(tmp_path):
    """Live reports reach the journal in batches once a second: a feed killed outright
    (SIGKILL) is recovered with every report recorded before the kill, its units where
    their last report put them, its alerts, and the edit made among the records."""
    from desktop.core.feed.recording import RECORD_EVERY_S
    from tests.recovery.live_feed import UNITS, live_reports
    root = tmp_path / "recovery"
    child = subprocess.Popen([sys.executable, "-m", "tests.recovery.live_feed", str(root)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    told = []
    try:
        while len(told) < 5:
            line = child.stdout.readline()
            assert line, child.stderr.read()
            told.append([int(v) for v in line.split()[1::2]])
        time.sleep(0.5 * RECORD_EVERY_S)   # killed between two records
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    recorded, written, alerts = told[-1]
    (session,) = recoverable_sessions(root)
    assert f"{recorded:,} live reports" in session.describe() or session.live >= recorded
    doc, stack, problems = session.recover()
    assert problems == [] and doc.buffer_km == 6.5   # the edit replayed among the live lines
    got = live_reports(doc)
    # Everything recorded is back (a record the kill hit mid-write may add some more); what
    # was lost is at most what the last second brought: about 50 batches of UNITS reports.
    assert recorded <= got <= written + 2 * RECORD_EVERY_S * 50 * UNITS
    assert len(doc.alerts) >= alerts and {a.kind for a in doc.alerts} >= {"enter_buffer", "cross_line"}
    assert len(doc.tracks) == len(demo_document().tracks) + got
    # Each live unit stands at its last report.
    for k in range(UNITS):
        i = doc.units.index_of(f"LIVE-{k:02d}")
        last = doc.tracks.offsets[i + 1] - 1
        assert (doc.units.lon[i], doc.units.lat[i]) == (doc.tracks.lon[last], doc.tracks.lat[last])


def test_two_deconflicts_started_after_a_crash_cannot_both_take_a_session(tmp_path):
    """Issue 14.11: both offered to recover the same session. Offering claims it (its lock):
    a second Deconflict, here a child process, sees nothing until the first lets it go."""
    from desktop.core import commands
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path, doc, stack)
    stack.push(commands.set_buffer(doc, 8.0))
    journal._lock.release()  # the program died: its lock is free
    (first,) = recoverable_sessions(tmp_path)

    def seen_by_another_process() -> int:
        code = f"from desktop.core.recovery import recoverable_sessions as s\nprint(len(s({str(tmp_path)!r})))"
        return int(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                  timeout=60).stdout)

    assert recoverable_sessions(tmp_path) == [] and seen_by_another_process() == 0
    first.release()  # "Later"
    assert seen_by_another_process() == 1
    (again,) = recoverable_sessions(tmp_path)
    again.discard()
    assert seen_by_another_process() == 0 and not journal.folder.exists()
