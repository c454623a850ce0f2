"""`deconflict export` with the map's own data: --basemap tile files, --grid, --world-file."""
from __future__ import annotations

from pathlib import Path

from pyproj import CRS

from tests.core.tile_files import write_mbtiles, xyz_tiles_around
from tests.test_cli_export import run


def tiles(tmp_path: Path) -> Path:
    return write_mbtiles(tmp_path / "topo.mbtiles", xyz_tiles_around(39.009, 35.950, 9, 2))


def test_basemap_grid_and_world_file(capsys, tmp_path):
    out = tmp_path / "brief.png"
    code, printed, err = run(capsys, "export", "--demo", out, "--width", 1600, "--height", 1000,
                             "--basemap", tiles(tmp_path), "--grid", "mgrs", "--world-file")
    assert code == 0, err
    world, prj = out.with_suffix(".pgw"), out.with_suffix(".prj")
    assert world.exists() and prj.exists() and str(world) in printed
    a, d, b, e, c, f = (float(v) for v in world.read_text().split())
    assert a > 0 > e and d == b == 0.0
    assert CRS.from_wkt(prj.read_text()).to_epsg() == 32637
    assert 300_000 < c < 800_000 and 3_000_000 < f < 5_000_000    # UTM 37N metres, not display offsets


def test_world_file_needs_a_raster_page(capsys, tmp_path):
    code, _, err = run(capsys, "export", "--demo", tmp_path / "brief.pdf", "--world-file")
    assert code == 2 and "PNG or JPEG" in err


def test_a_bad_basemap_is_refused_naming_the_file(capsys, tmp_path):
    broken = tmp_path / "broken.mbtiles"
    broken.write_bytes(b"not a database" * 20)
    code, _, err = run(capsys, "export", "--demo", tmp_path / "a.png", "--basemap", broken)
    assert code == 2 and "broken.mbtiles" in err and "not an SQLite database" in err
    code, _, err = run(capsys, "export", "--demo", tmp_path / "a.png", "--basemap", tmp_path / "missing.mbtiles")
    assert code == 2 and "missing.mbtiles" in err
    assert not (tmp_path / "a.png").exists()


def test_grid_choices(capsys, tmp_path):
    code, _, err = run(capsys, "export", "--demo", tmp_path / "a.png", "--grid", "utm")
    assert code == 2 and "--grid" in err
