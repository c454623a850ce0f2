"""Issue 14.2: two writers on one project. Two imports at once both land (the second waits
for the first) or the second refuses saying why; never do both say "wrote" while one import
is lost. A save over a file someone else saved since it was opened is refused."""
import subprocess
import sys
import time

import pytest

from desktop.core.demo import demo_document
from desktop.core.project import ChangedOnDisk, ProjectBusy, fingerprint, load_project, project_lock, save_project
from tests.hostile.build import ROOT


def test_two_imports_at_once_both_land(tmp_path, project):
    files = []
    for k in range(2):
        f = tmp_path / f"u{k}.csv"
        f.write_text(f"id,name,side,lat,lon\nNEW-{k},Newcomer {k},US-backed,35.9,38.{k + 5}\n")
        files.append(f)
    env_python = [sys.executable, "-m", "desktop", "import"]
    procs = [subprocess.Popen([*env_python, str(project), str(f)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    ids = set(load_project(project).units.ids.tolist())
    for k, (out, err, code) in enumerate(results):
        assert code == 0, err
        assert f"wrote {project}" in out and f"NEW-{k}" in ids


def test_a_writer_waits_for_the_lock_then_refuses_saying_why(project):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys\n"
        "from desktop.core.project import project_lock\n"
        f"with project_lock({str(project)!r}):\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.read()\n")], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = project.read_bytes()
        t0 = time.monotonic()
        with pytest.raises(ProjectBusy, match="being written by another Deconflict.*waited 0.5 s"):
            save_project(demo_document(), project, wait=0.5)
        assert 0.5 <= time.monotonic() - t0 < 5 and project.read_bytes() == before
    finally:
        holder.communicate("", timeout=30)
    save_project(demo_document(), project, wait=0.5)  # free again


def test_a_waiter_locks_the_file_that_replaced_the_one_it_waited_on(project):
    """The first writer renames a new file into place while the second waits on the old
    one: the second must then hold the new file, or a third could write beside it."""
    with project_lock(project):
        waiter = subprocess.Popen([sys.executable, "-c", (
            "import sys\n"
            "from desktop.core.project import project_lock\n"
            "print('waiting', flush=True)\n"
            f"with project_lock({str(project)!r}, wait=60):\n"
            "    print('got it', flush=True)\n"
            "    sys.stdin.read()\n")], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert waiter.stdout.readline().strip() == "waiting"
        time.sleep(1.0)  # it has opened the old file and waits on it
        save_project(demo_document(), project)  # a new file is renamed into place
    try:
        assert waiter.stdout.readline().strip() == "got it"
        with pytest.raises(ProjectBusy):
            with project_lock(project, wait=0.3):
                pass
    finally:
        waiter.communicate("", timeout=30)


def test_a_save_over_a_file_changed_since_it_was_opened_is_refused(tmp_path, project):
    opened = fingerprint(project)
    mine = load_project(project)
    theirs = load_project(project)
    theirs.title = "their title"
    save_project(theirs, project)  # another window saves first
    with pytest.raises(ChangedOnDisk, match="changed on disk since it was opened"):
        save_project(mine, project, expect=opened)
    assert load_project(project).title == "their title"
    again = save_project(mine, project)  # the user chose to overwrite
    assert load_project(project).title == mine.title and again == fingerprint(project)


def test_another_programs_commit_in_place_is_a_change(project):
    import sqlite3
    opened = fingerprint(project)
    with sqlite3.connect(project) as c:
        c.execute("UPDATE units SET name = upper(name) WHERE fid = 1")  # same size, same instant
    assert fingerprint(project) != opened
