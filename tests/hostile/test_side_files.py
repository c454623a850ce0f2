"""Issue 14.1: side files another SQLite program left beside a project (a -wal with
committed edits, a hot -journal of a transaction that never committed) are read through,
survive an import and a save, and a new file is never renamed in beside them."""
import hashlib
import subprocess
import sys

from desktop import cli
from desktop.core.project import load_project, save_project
from tests.hostile.build import (OTHER_NAME, UNCOMMITTED, hot_journal_left_behind, open_normally,
                                 wal_edit_left_behind)

NEW_UNITS = "id,name,side,lat,lon\nNEW-1,Newcomer,US-backed,35.9,38.9\n"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_csv(tmp_path, project, capsys):
    csv = tmp_path / "x.csv"
    csv.write_text(NEW_UNITS)
    code = cli.main(["import", str(project), str(csv)])
    return code, capsys.readouterr()


def assert_sound(project):
    """What the next program to open the file normally finds: no side files, a sound
    database, and no trace of the uncommitted transaction."""
    assert not (project.parent / f"{project.name}-wal").exists()
    assert not (project.parent / f"{project.name}-journal").exists()
    with open_normally(project) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = [r[0] for r in c.execute("SELECT name FROM units ORDER BY fid")]
        assert UNCOMMITTED not in names
        return names


def test_a_wal_edit_is_read_and_opening_changes_nothing(project):
    wal_edit_left_behind(project)
    wal = project.parent / f"{project.name}-wal"
    before = (digest(project), digest(wal))
    assert load_project(project).units.names[0] == OTHER_NAME
    assert (digest(project), digest(wal)) == before


def test_a_wal_edit_survives_an_import(tmp_path, project, capsys):
    wal_edit_left_behind(project)
    code, out = import_csv(tmp_path, project, capsys)
    assert code == 0, out.err
    names = assert_sound(project)
    assert names[0] == OTHER_NAME and "Newcomer" in names


def test_a_wal_edit_survives_a_save(project):
    wal_edit_left_behind(project)
    doc = load_project(project)
    save_project(doc, project)
    assert assert_sound(project)[0] == OTHER_NAME


def test_an_uncommitted_transaction_is_never_shown_nor_saved(tmp_path, project, capsys):
    committed = load_project(project).units.names.tolist()
    hot_journal_left_behind(project)
    before = digest(project)
    doc = load_project(project)
    assert doc.units.names.tolist() == committed and UNCOMMITTED not in doc.calls.summary.tolist()
    assert digest(project) == before  # read through a private copy
    code, out = import_csv(tmp_path, project, capsys)
    assert code == 0, out.err
    assert assert_sound(project) == committed + ["Newcomer"]


def test_a_program_still_holding_the_file_makes_the_save_refuse(tmp_path, project, capsys):
    """A live program in WAL mode: its committed edit is read, but replacing the file under
    it would lose its later work; the import refuses (exit 1) and changes nothing."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(project)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        f"c.execute(\"UPDATE units SET name='{OTHER_NAME}' WHERE fid=1\")\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = digest(project)
        code, out = import_csv(tmp_path, project, capsys)
        assert code == 1 and "open in another program" in out.err and len(out.err.strip().splitlines()) == 1
        assert digest(project) == before
    finally:
        holder.communicate("", timeout=30)
    assert assert_sound(project)[0] == OTHER_NAME


def test_empty_and_zeroed_journals_are_not_side_files(project):
    """TRUNCATE and PERSIST journal modes leave an empty or zeroed journal: nothing to read."""
    journal = project.parent / f"{project.name}-journal"
    for content in (b"", b"\0" * 4096):
        journal.write_bytes(content)
        save_project(load_project(project), project)
        with open_normally(project) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
