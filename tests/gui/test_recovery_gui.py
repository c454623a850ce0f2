"""After a crash the next start offers recovery; the recovered window has every edit, says
it is unsaved, journals on, and the old session is gone."""
import pytest

from desktop.core import commands
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.project import save_project
from desktop.core.recovery import EditJournal, recoverable_sessions
from desktop.gui import recovery_dialog, windows
from desktop.gui.main_window import show_window


def crashed_session(root, path=None):
    """Edits journaled by a 'program' that then died (its lock released, nothing closed)."""
    doc = demo_document()
    if path is not None:
        save_project(doc, path)
    stack = CommandStack(doc)
    journal = EditJournal.start(root, doc, stack, path, base_file=path)
    for k in range(3):
        stack.push(commands.move_vertex(doc, 3, doc.line.vertices[3, 0] + 0.01, doc.line.vertices[3, 1]))
    stack.push(commands.set_buffer(doc, 8.0))
    journal._lock.release()
    return doc


@pytest.fixture
def cleanup(qtbot):
    yield
    for w in windows.windows():
        w.files.ask_before_closing = False
        w.close()


def test_recover_opens_a_window_with_every_edit(tmp_path, monkeypatch, cleanup):
    root = tmp_path / "recovery"
    crashed = crashed_session(root, tmp_path / "plan.gpkg")
    asked = []
    monkeypatch.setattr(recovery_dialog, "ask_recover", lambda parent, s: asked.append(s.describe()) or "recover")
    (win,) = recovery_dialog.offer_recovery(root)
    assert "plan.gpkg: 4 unsaved edits, the last “Set buffer to 8 km”, at " in asked[0]
    assert win.document.line == crashed.line and win.document.buffer_km == 8.0
    assert win.stack.undo_label == "Set buffer to 8 km" and len(win.stack.commands) == 4
    assert win.windowTitle() == "plan.gpkg * — Deconflict" and win.files.path == tmp_path / "plan.gpkg"
    # The old session is gone; the window journals its own (a new crash would be recoverable).
    sessions = [p for p in root.iterdir()]
    assert len(sessions) == 1 and sessions[0] == win.files.journal.folder
    win.stack.undo()
    win.files.journal._lock.release()
    (again,) = recoverable_sessions(root)
    doc, _, _ = again.recover()
    assert doc.buffer_km == 5.0 and doc.line == crashed.line


@pytest.mark.parametrize("answer, left", [("discard", 0), ("later", 1)])
def test_discard_and_later(tmp_path, monkeypatch, cleanup, answer, left):
    root = tmp_path / "recovery"
    crashed_session(root)
    monkeypatch.setattr(recovery_dialog, "ask_recover", lambda parent, s: answer)
    assert recovery_dialog.offer_recovery(root) == []
    assert len(list(root.iterdir())) == left


def test_a_clean_close_leaves_nothing_to_recover(tmp_path, cleanup, qtbot):
    root = tmp_path / "recovery"
    win = show_window(demo_document(), None, recovery_root=root, ask_before_closing=False)
    # The first snapshot is written once the window is up, then edits are records.
    qtbot.waitUntil(lambda: (win.files.journal.folder / "journal.jsonl").exists(), timeout=5000)
    win.stack.push(commands.set_buffer(win.document, 9.0))
    assert len(list(root.iterdir())) == 1
    assert not win.files.checkpoint()  # autosave waits until the journal has grown
    assert win.files.checkpoint(min_edits=1) and not win.files.checkpoint(min_edits=1)
    win.close()
    assert list(root.iterdir()) == [] and recoverable_sessions(root) == []
