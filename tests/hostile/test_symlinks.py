"""Issue 14.4 (the part in atomic writes): saving through a symbolic link keeps the link
and writes the file it names; it used to replace the link by a regular file."""
import os

from desktop.core.atomic import atomic_write
from desktop.core.demo import demo_document
from desktop.core.project import fingerprint, load_project, project_lock, save_project


def test_a_save_through_a_link_keeps_the_link_and_writes_its_target(tmp_path):
    real = tmp_path / "store" / "plan.gpkg"
    real.parent.mkdir()
    save_project(demo_document(), real)
    link = tmp_path / "plan.gpkg"
    link.symlink_to(os.path.relpath(real, tmp_path))
    doc = load_project(link)
    doc.title = "through the link"
    opened = fingerprint(link)
    assert opened == fingerprint(real)
    save_project(doc, link, expect=opened)
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(real, tmp_path)
    assert load_project(real).title == "through the link"
    assert sorted(p.name for p in real.parent.iterdir()) == ["plan.gpkg"]  # no temporary file left
    with project_lock(link):  # the link and its target are one lock
        with project_lock(real, wait=0):
            pass


def test_any_atomic_write_goes_through_a_link(tmp_path):
    real = tmp_path / "brief.csv"
    real.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    atomic_write(link, lambda tmp: tmp.write_text("new"))
    assert link.is_symlink() and real.read_text() == "new"
