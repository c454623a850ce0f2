"""Issue 14.6: a GeometryCollection nested 20,000 deep (a 180 KB blob in the AO) made
`sectors`, `export`, `import` and the GUI die with a segfault inside GEOS. Now every reader
checks the WKB structure first and refuses it (exit 2), naming the layer and the feature.
The readers run in child processes: a regression crashes them, not the test run."""
import struct

import pytest

from desktop.core.demo import demo_document
from desktop.core.project import save_project
from desktop.core.project.wkb_check import MAX_NESTING, WKBError, check_wkb
from tests.hostile.build import nested_collection_blob, run_cli, set_blob


@pytest.fixture
def nested_ao(tmp_path):
    path = tmp_path / "nested.gpkg"
    save_project(demo_document(), path)
    set_blob(path, "ao", nested_collection_blob(20_000))
    return path


@pytest.mark.parametrize("argv", [["sectors", "--project", "{p}"], ["export", "--project", "{p}", "{out}"],
                                  ["import", "{other}", "{p}"], ["export-data", "{p}", "--layer", "units", "{csv}"]])
def test_a_deeply_nested_blob_is_refused_by_every_command(tmp_path, nested_ao, argv):
    other = tmp_path / "other.gpkg"
    save_project(demo_document(), other)
    before = other.read_bytes()
    args = [a.format(p=nested_ao, out=tmp_path / "m.png", other=other, csv=tmp_path / "u.csv") for a in argv]
    done = run_cli(*args)
    assert done.returncode == 2, (done.returncode, done.stderr)
    (line,) = done.stderr.strip().splitlines()
    assert "nested.gpkg: layer 'ao': feature 1: unreadable geometry (geometry collections nested more than" in line
    assert other.read_bytes() == before and not (tmp_path / "m.png").exists()


def test_nesting_up_to_the_limit_is_read(tmp_path):
    import shapely
    wkb = nested_collection_blob(MAX_NESTING - 1)[8:]
    check_wkb(wkb)
    assert shapely.from_wkb(wkb).geom_type == "GeometryCollection"


@pytest.mark.parametrize("wkb, reason", [
    (b"\x01" + struct.pack("<II", 2, 1_000_000) + b"\0" * 32, "1,000,000 points cannot fit"),
    (b"\x01" + struct.pack("<II", 6, 4_000_000_000), "4,000,000,000 parts cannot fit"),
    (b"\x01" + struct.pack("<II", 3, 1) + struct.pack("<I", 900), "900 points cannot fit"),
    (b"\x01" + struct.pack("<II", 3, 2) + struct.pack("<I", 0), "2 rings cannot fit"),
    (b"\x07" + struct.pack("<I", 1), "byte order 7"),
    (b"\x01" + struct.pack("<I", 17), "geometry type 17"),
    (b"\x01" + struct.pack("<I", 1) + b"\0" * 8, "truncated point"),
])
def test_counts_must_fit_in_the_blob(wkb, reason):
    with pytest.raises(WKBError, match=reason):
        check_wkb(wkb)
