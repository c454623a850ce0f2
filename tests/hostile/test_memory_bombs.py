"""Issue 14.7: small files that expand into gigabytes when read. Each reader runs in a
child process whose address space is capped: a bomb that got through would die with a
MemoryError there, not slow the machine."""
import pytest

from desktop.core.demo import demo_document
from desktop.core.project import save_project
from tests.hostile.build import default_bomb, known_column_bomb, run_cli

CAP_MB = 1024  # the sectors command on the demo project peaks near 200 MB of address space


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "P.gpkg"
    save_project(demo_document(), path)
    return path


def test_unknown_tables_and_columns_are_never_read(project):
    """An 11 MB project whose other-tool table has 200 KB column defaults reached 7.7 GB."""
    default_bomb(project)
    assert project.stat().st_size < 16 << 20
    done = run_cli("sectors", "--project", project, "--format", "csv", memory_mb=CAP_MB)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 45


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
    assert "54 units" in done.stdout  # the units layer, and the places layer as points
