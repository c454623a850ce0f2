"""Issue 14.3: a full disk never leaves a truncated file behind a command that says it
wrote it. Exports (SVG and PDF used to leave an empty or cut file and exit 0), saves and
imports fail with exit 1 naming the reason, and the old file stays as it was."""
import pytest

from desktop import cli
from desktop.core.demo import demo_document
from desktop.core.project import load_project, save_project
from tests.project.scenario import assert_same_document

OLD = b"the previous export, which must survive\n"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png", "jpg"])
def test_an_export_over_a_file_on_a_full_disk_keeps_the_old_file(full_disk, capsys, fmt):
    target = full_disk.path / f"brief.{fmt}"
    target.write_bytes(OLD)
    full_disk.fill(16 << 10)  # 16 KB left: less than any page of the demo
    code, out, err = run(capsys, "export", "--demo", target)
    assert code == 1 and out == "" and "the disk is full" in err and "Traceback" not in err
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in full_disk.path.iterdir()) == ["ballast", target.name]  # no temporary file left


def test_an_export_that_fits_is_whole(full_disk, capsys):
    target = full_disk.path / "brief.svg"
    code, _, err = run(capsys, "export", "--demo", target)
    assert code == 0, err
    assert target.read_text(encoding="utf-8").rstrip().endswith("</svg>")


def test_save_and_import_on_a_full_disk_keep_the_project(full_disk, tmp_path, capsys):
    project = full_disk.path / "P.gpkg"
    save_project(demo_document(), project)
    csv = tmp_path / "u.csv"
    csv.write_text("id,name,side,lat,lon\nNEW-1,Newcomer,US-backed,35.9,38.9\n")
    full_disk.fill(64 << 10)
    before = project.read_bytes()
    code, out, err = run(capsys, "import", project, csv)
    assert code == 1 and "the disk is full" in err and project.read_bytes() == before
    code, out, err = run(capsys, "new", "--demo", "--force", project)
    assert code == 1 and "the disk is full" in err and project.read_bytes() == before
    assert_same_document(load_project(project), demo_document())
