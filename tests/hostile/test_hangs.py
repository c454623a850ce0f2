"""Issue 14.8: inputs that made a reader run for minutes or forever. Each runs in a child
process with a time limit: a hang fails the test instead of stalling the run."""
import os
import subprocess
import sys

import pytest

from desktop.core.demo import demo_document
from desktop.core.project import save_project
from tests.hostile.build import ROOT, recursive_geometry_columns, run_cli


def test_a_40000_digit_mgrs_cell_is_refused_at_once(tmp_path, project):
    """The MGRS pattern backtracked for 63 s on it."""
    csv = tmp_path / "u.csv"
    csv.write_text(f"id,mgrs\nA,37SDV{'1' * 40_000}x\nB,37SDV1234567890\n")
    done = run_cli("import", project, csv, seconds=30)
    assert done.returncode == 0, done.stderr
    assert "u.csv:2: '37SDV111111111111111'... (40,006 characters) is too long to be a position" in done.stderr
    assert "u.csv: 1 unit (" in done.stdout  # "1 unit", not "1 units" (issue 10.12)


def test_80000_distinct_affiliations_are_read_quickly(tmp_path, project):
    """_build compared the whole column once per distinct value: 128 s."""
    csv = tmp_path / "u.csv"
    rows = "".join(f"U{i},odd-{i},35.9,38.9\n" for i in range(80_000))
    csv.write_text("id,affiliation,lat,lon\n" + rows)
    done = run_cli("import", project, csv, seconds=30)
    assert done.returncode == 0, done.stderr
    assert "u.csv:2: affiliation 'odd-0' is not one of friend, hostile, neutral, unknown; read as 'unknown'" \
        in done.stderr and "80,000 units" in done.stdout


@pytest.mark.parametrize("matching", [False, True])
def test_a_recursive_view_in_a_geopackage_is_stopped(tmp_path, matching):
    """Queries on a foreign file have a time budget (30 s; 1 s here) and metadata queries a
    row limit: a view that never ends, whether or not its rows match, cannot hang the import."""
    gpkg = tmp_path / "layers.gpkg"
    save_project(demo_document(), gpkg)
    recursive_geometry_columns(gpkg, matching)
    with __import__("sqlite3").connect(gpkg) as c:
        c.execute("DROP TABLE deconflict_meta")  # read layer by layer, through gpkg_geometry_columns
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "import desktop.core.project.sqlite_safe as s; s.QUERY_SECONDS = 1.0\n"
            "from desktop.cli import load_registry\n"
            "from desktop.core.importers import import_file\n"
            "from desktop.core.inputs import InputError\n"
            f"try:\n    print(import_file({str(gpkg)!r}, load_registry()).found())\n"
            "except InputError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    expected = f"['{len(demo_document().units)} units']" if matching else \
        "layers.gpkg: a query took more than 1 s and was stopped (a recursive view or a damaged index?)"
    assert expected in done.stdout, done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("argv", [["sectors", "--project", "{fifo}"], ["import", "{fifo}", "{csv}"],
                                  ["import", "{project}", "{fifo}.csv"]])
def test_a_fifo_is_refused_not_waited_on(tmp_path, project, argv):
    fifo = tmp_path / "pipe.gpkg"
    os.mkfifo(fifo)
    os.mkfifo(f"{fifo}.csv")
    csv = tmp_path / "u.csv"
    csv.write_text("id,lat,lon\nA,35.9,38.9\n")
    done = run_cli(*[a.format(fifo=fifo, csv=csv, project=project) for a in argv], seconds=30)
    assert done.returncode == 2, done.stderr
    assert "not a regular file (a pipe, socket or device)" in done.stderr or "a FIFO, not a file" in done.stderr


@pytest.mark.parametrize("vertices, status", [(1_000_000, 2), (100_000, 0)])
def test_long_lines_are_measured_or_refused_in_bounded_time(tmp_path, vertices, status):
    """A 10^6-vertex line took over 300 s in the per-piece distance loop: now lines of more
    than 100,000 vertices are refused, and long ones are measured against an R-tree."""
    import json

    import numpy as np

    from desktop.core.demo import LINE_AUGUST
    v = np.asarray(LINE_AUGUST)
    t = np.linspace(0, len(v) - 1, vertices)
    lon, lat = np.interp(t, np.arange(len(v)), v[:, 0]), np.interp(t, np.arange(len(v)), v[:, 1])
    dx, dy = np.gradient(lon), np.gradient(lat)
    wiggle = 0.00005 * np.sin(np.arange(vertices) * 0.5) / np.hypot(dx, dy)  # ~5 m across: never straight
    xy = np.column_stack([lon - dy * wiggle, lat + dx * wiggle]).round(7)
    line = tmp_path / "line.geojson"
    line.write_text(json.dumps({"type": "LineString", "coordinates": xy.tolist()}))
    done = run_cli("sectors", "--demo", "--line", line, "--format", "csv", seconds=120, memory_mb=2048)
    assert done.returncode == status, done.stderr
    if status:
        assert "1,000,000 vertices, more than 100,000: simplify it" in done.stderr
    else:
        assert len(done.stdout.splitlines()) == 1 + len(demo_document().units)


def test_a_schema_version_of_minus_2_to_the_63_is_refused_at_once(project):
    """Found by the project fuzzer: the reader looped over every version up to the current."""
    import sqlite3
    with sqlite3.connect(project) as c:
        c.execute("UPDATE deconflict_meta SET value = ? WHERE key = 'schema_version'", (str(-2 ** 63),))
    sqlite3.connect(project).close()
    done = run_cli("sectors", "--project", project, seconds=30)
    assert done.returncode == 2 and "unknown project schema version -9223372036854775808" in done.stderr
