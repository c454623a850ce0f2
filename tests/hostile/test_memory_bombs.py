"""Issue 14.7: small files that expand into gigabytes when read. Each reader runs in a
child process whose address space is capped: a bomb that got through would die with a
MemoryError there, not slow the machine."""
import pytest

from desktop.core.demo import demo_document
from desktop.core.project import save_project
from tests.hostile.build import default_bomb, deflated_zeros, known_column_bomb, lying_zip, run_cli

CAP_MB = 1024  # the sectors command on the demo project peaks near 200 MB of address space


def test_unknown_tables_and_columns_are_never_read(project):
    """An 11 MB project whose other-tool table has 200 KB column defaults reached 7.7 GB."""
    default_bomb(project)
    assert project.stat().st_size < 16 << 20
    done = run_cli("sectors", "--project", project, "--format", "csv", memory_mb=CAP_MB)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1 + len(demo_document().units)


def test_a_known_column_made_of_huge_defaults_is_refused(project):
    known_column_bomb(project)
    done = run_cli("sectors", "--project", project, memory_mb=CAP_MB)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "P.gpkg: layer 'units': column 'name' has a default of 204,802 characters" in line


def test_a_foreign_geopackage_layer_with_huge_defaults_imports_what_it_uses(tmp_path, project):
    layer = tmp_path / "layer.gpkg"
    save_project(demo_document(), layer)
    default_bomb(layer)
    with __import__("sqlite3").connect(layer) as c:  # no longer a project: read layer by layer
        c.execute("DROP TABLE deconflict_meta")
    done = run_cli("import", project, layer, memory_mb=CAP_MB)
    assert done.returncode == 0, done.stderr
    demo = demo_document()
    assert f"{len(demo.units) + len(demo.places)} units" in done.stdout  # the units layer, and the places as points


def test_a_kmz_whose_directory_lies_about_a_bzip2_member_is_refused(tmp_path, project):
    """A 9 KB KMZ whose bzip2 member held 12 GB got past the 512 MB check."""
    import bz2
    kmz = tmp_path / "bomb.kmz"
    lying_zip(kmz, "doc.kml", 12, bz2.compress(b"\0" * (8 << 20)), 1000)
    done = run_cli("import", project, kmz, memory_mb=CAP_MB)
    assert done.returncode == 2
    assert "bomb.kmz: doc.kml is compressed with method 12; only stored and deflated members are read" in done.stderr


@pytest.mark.parametrize("claimed_mb", [0, 500])
def test_a_deflated_kmz_bomb_stops_early(tmp_path, project, claimed_mb):
    """500 MB of zeros in 0.5 MB: said to be 1 KB (zipfile stops there: a bad CRC), or
    honestly 500 MB, under the 512 MB limit (refused after 16 MB for inflating 1,000
    times)."""
    kmz = tmp_path / "bomb.kmz"
    lying_zip(kmz, "doc.kml", 8, deflated_zeros(500), (claimed_mb << 20) or 1000)
    done = run_cli("import", project, kmz, memory_mb=CAP_MB, seconds=60)
    assert done.returncode == 2, done.stderr
    reason = "unpacks more than 200 times its packed size: a zip bomb" if claimed_mb else "Bad CRC-32"
    assert "bomb.kmz" in done.stderr and reason in done.stderr
