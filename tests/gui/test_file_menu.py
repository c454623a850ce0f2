"""File menu: New, Open, Save, Save As, Recent, the title's file name and unsaved mark, and
the Save / Discard / Cancel question before changes are lost."""
import os

import pytest

from desktop.core import commands
from desktop.core.demo import demo_document
from desktop.core.project import load_project, save_project
from desktop.gui import project_files, windows
from desktop.gui.main_window import show_window
from tests.project.scenario import assert_same_document


@pytest.fixture
def answers(monkeypatch):
    """Scripted answers to the file dialogs and the unsaved-changes question."""
    script = {"ask": [], "save": [], "open": [], "errors": []}

    def ask(parent, name, action):
        script.setdefault("asked", []).append((name, action))
        return script["ask"].pop(0)

    monkeypatch.setattr(project_files, "ask_save_changes", ask)
    monkeypatch.setattr(project_files, "choose_save_path", lambda *a: script["save"].pop(0))
    monkeypatch.setattr(project_files, "choose_open_path", lambda *a: script["open"].pop(0))
    monkeypatch.setattr(project_files, "show_error", lambda parent, title, msg: script["errors"].append(msg))
    return script


@pytest.fixture
def app_window(qtbot):
    """A window as the application opens it (asks before closing), closed at the end."""
    win = show_window(demo_document(), None, settings=None)
    yield win
    for w in windows.windows():
        w.files.ask_before_closing = False
        w.close()


def move_a_vertex(win):
    doc = win.document
    win.stack.push(commands.move_vertex(doc, 2, doc.line.vertices[2, 0] + 0.02, doc.line.vertices[2, 1]))


def test_title_shows_the_file_name_and_the_unsaved_mark(app_window, answers, tmp_path):
    win = app_window
    assert win.windowTitle() == "Euphrates 2017 (demo) — Deconflict"
    move_a_vertex(win)
    assert win.windowTitle() == "Euphrates 2017 (demo) * — Deconflict"
    answers["save"].append(str(tmp_path / "plan"))
    win.files.save_action.trigger()
    assert win.windowTitle() == "plan.gpkg — Deconflict"
    assert_same_document(win.document, load_project(tmp_path / "plan.gpkg"))
    move_a_vertex(win)
    assert win.windowTitle() == "plan.gpkg * — Deconflict"
    win.files.save_action.trigger()  # Save goes to the same file without asking
    assert win.windowTitle() == "plan.gpkg — Deconflict" and not answers["save"]
    assert load_project(tmp_path / "plan.gpkg").line == win.document.line


def test_open_replaces_the_window_and_asks_about_unsaved_changes(app_window, answers, tmp_path, qtbot):
    other = demo_document()
    save_project(other, tmp_path / "other.gpkg")
    win = app_window
    move_a_vertex(win)
    answers["open"].append(str(tmp_path / "other.gpkg"))
    answers["ask"].append(project_files.CANCEL)
    win.files.open_action.trigger()
    assert windows.windows() == (win,) and win.isVisible()  # cancelled: nothing happened
    answers["open"].append(str(tmp_path / "other.gpkg"))
    answers["ask"].append(project_files.DISCARD)
    win.files.open_action.trigger()
    (new,) = windows.windows()
    assert new is not win and not win.isVisible() and new.isVisible()
    assert new.windowTitle() == "other.gpkg — Deconflict"
    assert_same_document(other, new.document)
    assert new.files.recent_files() == [] or str((tmp_path / "other.gpkg").resolve()) in new.files.recent_files()


def test_close_with_unsaved_changes_asks_and_cancel_keeps_the_window(app_window, answers, tmp_path):
    win = app_window
    move_a_vertex(win)
    answers["ask"].append(project_files.CANCEL)
    assert not win.close() and win.isVisible()
    answers["ask"].append(project_files.SAVE)
    answers["save"].append(str(tmp_path / "kept.gpkg"))
    assert win.close()
    assert load_project(tmp_path / "kept.gpkg").line == win.document.line


def _full_disk(monkeypatch):
    """Every fsync fails as on a full disk (ENOSPC): the data never reaches the disk."""
    import errno
    from desktop.core import atomic

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", fsync)


@pytest.mark.parametrize("where", ["missing folder", "full disk"])
def test_failed_save_says_so_and_keeps_the_document_dirty(app_window, answers, tmp_path, monkeypatch, where):
    win = app_window
    move_a_vertex(win)
    folder = tmp_path / "out"
    if where == "full disk":
        folder.mkdir()
        _full_disk(monkeypatch)
    answers["save"].append(str(folder / "plan.gpkg"))
    assert not win.files.save_as()
    reason = "the disk is full" if where == "full disk" else "does not exist"
    assert answers["errors"] and "cannot save" in answers["errors"][0] and reason in answers["errors"][0]
    assert win.files.is_dirty() and win.windowTitle().endswith("* — Deconflict") and win.files.path is None
    assert not folder.exists() or os.listdir(folder) == []  # no temporary file left behind


def test_open_a_broken_file_changes_nothing(app_window, answers, tmp_path):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("nope")
    answers["open"].append(str(bad))
    app_window.files.open_action.trigger()
    assert windows.windows() == (app_window,)
    assert "bad.gpkg: not a GeoPackage" in answers["errors"][0]


def test_new_starts_an_untitled_project(app_window, answers):
    answers["ask"].append(project_files.DISCARD)
    move_a_vertex(app_window)
    app_window.files.new_action.trigger()
    (new,) = windows.windows()
    assert new.windowTitle() == "Untitled — Deconflict" and len(new.document.units) == 0


def test_recent_files(app_window, answers, tmp_path):
    for name in ("a", "b"):
        answers["save"].append(str(tmp_path / name))
        app_window.files.save_as()
    recent = app_window.files.recent_files()
    assert [os.path.basename(p) for p in recent] == ["b.gpkg", "a.gpkg"]
    app_window.files._fill_recent()
    entries = [a.text() for a in app_window.files.recent_menu.actions()]
    assert entries == ["b.gpkg", "a.gpkg"]
    app_window.files.recent_menu.actions()[1].trigger()
    (new,) = windows.windows()
    assert new.windowTitle() == "a.gpkg — Deconflict"


@pytest.mark.parametrize("layer", ["line", "sectors", "units"])
def test_export_data_from_the_menu(app_window, answers, tmp_path, layer):
    from desktop.core.exporters import export_layer_text
    for ext in ("geojson", "kml", "csv"):
        out = tmp_path / f"{layer}.{ext}"
        answers["save"].append(str(out))
        assert app_window.files.export_data(layer)
        assert out.read_text(encoding="utf-8") == export_layer_text(app_window.document, layer, ext)


def test_deconflict_project_gpkg_opens_that_project(qapp, tmp_path, monkeypatch, capsys):
    from desktop import cli
    from desktop.gui import app
    save_project(demo_document(), tmp_path / "p.gpkg")
    opened = []
    monkeypatch.setattr(app, "run_gui", lambda project=None, imports=(): opened.append(project) or 0)
    assert cli.main([str(tmp_path / "p.gpkg")]) == 0 and opened == [str(tmp_path / "p.gpkg")]
    doc, path = app._initial_document(str(tmp_path / "p.gpkg"))
    assert path == str(tmp_path / "p.gpkg") and len(doc.units) == 47
    (tmp_path / "bad.gpkg").write_text("x")
    shown = []
    from desktop.gui import plain
    monkeypatch.setattr(plain, "show_message", lambda parent, icon, title, text: shown.append(text))
    doc, path = app._initial_document(str(tmp_path / "bad.gpkg"))
    assert path is None and doc.title == "Euphrates 2017 (demo)" and "bad.gpkg: not a GeoPackage" in shown[0]
    assert "bad.gpkg: not a GeoPackage" in capsys.readouterr().err


def test_cancelling_a_save_leaves_the_old_file(app_window, answers, tmp_path, monkeypatch):
    from desktop.core.progress import Cancelled
    path = tmp_path / "plan.gpkg"
    answers["save"].append(str(path))
    assert app_window.files.save_as()
    before = path.read_bytes()
    move_a_vertex(app_window)

    def cancel_midway(parent, title, work, **kw):
        def progress(fraction, message):
            if fraction > 0.3:
                raise Cancelled(title)
        return work(progress)
    monkeypatch.setattr(project_files, "run_with_progress", cancel_midway)
    assert not app_window.files.save()
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]
    assert app_window.files.is_dirty() and "Save cancelled" in app_window.status.currentMessage()


@pytest.mark.parametrize("answer", [project_files.CANCEL, project_files.OVERWRITE, project_files.SAVE_AS,
                                    project_files.RELOAD])
def test_two_windows_on_one_project_never_lose_a_save_silently(app_window, answers, tmp_path, monkeypatch, answer):
    """Issue 14.2: both windows used to say "Saved" and the first save was lost."""
    path = tmp_path / "plan.gpkg"
    save_project(demo_document(), path)
    first = show_window(load_project(path), path, settings=None)
    second = show_window(load_project(path), path, settings=None)
    move_a_vertex(first)
    assert first.files.save()
    doc = second.document
    second.stack.push(commands.move_vertex(doc, 1, doc.line.vertices[1, 0], doc.line.vertices[1, 1] + 0.03))
    asked = []
    monkeypatch.setattr(project_files, "ask_changed_on_disk", lambda parent, name: asked.append(name) or answer)
    answers["save"].append(str(tmp_path / "mine.gpkg"))
    saved = second.files.save()
    assert asked == ["plan.gpkg"]
    on_disk = load_project(path).line
    if answer == project_files.CANCEL:
        assert not saved and on_disk == first.document.line and second.files.is_dirty()
    elif answer == project_files.OVERWRITE:
        assert saved and on_disk == second.document.line and not second.files.is_dirty()
    elif answer == project_files.SAVE_AS:
        assert saved and on_disk == first.document.line
        assert load_project(tmp_path / "mine.gpkg").line == second.document.line
        assert second.files.path == tmp_path / "mine.gpkg"
    else:
        assert not saved and second not in windows.windows()
        reloaded = windows.windows()[-1]
        assert reloaded.document.line == first.document.line == on_disk and not reloaded.files.is_dirty()
    # the window that saved last can save again without being asked
    latest = second if answer in (project_files.OVERWRITE, project_files.SAVE_AS) else windows.windows()[-1]
    if answer != project_files.CANCEL:
        move_a_vertex(latest)
        assert latest.files.save() and len(asked) == 1


def test_a_project_that_fails_in_any_way_opens_with_a_dialog(qapp, tmp_path, monkeypatch, capsys):
    """Issue 14.9: a project whose reading raised something else than a ProjectError printed
    a traceback and opened no window."""
    import sqlite3

    from desktop.gui import app
    bad = tmp_path / "bad.gpkg"
    save_project(demo_document(), bad)
    with sqlite3.connect(bad) as c:
        c.execute("UPDATE calls SET duration_s = 9e999 WHERE fid = 1")
    shown = []
    monkeypatch.setattr("desktop.gui.plain.show_message", lambda *a: shown.append(a[3]))
    doc, path = app._initial_document(str(bad))
    assert path is None and doc.title == "Euphrates 2017 (demo)"
    assert "bad.gpkg: layer 'calls': feature 1: duration_s inf is not a whole number of seconds" in shown[0]
    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr("desktop.core.project.load_project", too_deep)
    doc, path = app._initial_document(str(bad))
    assert path is None and "bad.gpkg: cannot be read (RecursionError: maximum recursion depth" in shown[1]
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("deconflict: error:") == 2


def test_open_from_the_menu_reports_any_failure(app_window, answers, tmp_path, monkeypatch):
    def fails(*args, **kwargs):
        raise OverflowError("cannot convert float infinity to integer")
    monkeypatch.setattr("desktop.core.project.load_project", fails)
    answers["open"].append(str(tmp_path / "x.gpkg"))
    app_window.files.open_action.trigger()
    assert windows.windows() == (app_window,)
    assert "x.gpkg: cannot be read (OverflowError: cannot convert float infinity to integer)" in answers["errors"][0]
