"""World file + .prj beside a raster export, read back by GDAL (rasterio)."""
from __future__ import annotations

import numpy as np
import pytest
from pyproj import CRS, Transformer

from desktop.core.geodesy import Projection
from desktop.core.worldfile import affine_for, esri_wkt, world_file_path, write_for_settings
from tests.core.tile_files import png_bytes, settings_at

rasterio = pytest.importorskip("rasterio", reason="rasterio (GDAL) is a test dependency: pip install -e .[test]")

RAQQA = (39.009, 35.950)
MARKS = [RAQQA, (39.1, 35.91), (38.95, 35.99)]


@pytest.mark.parametrize("proj", [Projection.utm_for(38.9, 35.6), Projection.analysis_for(39.4, 35.3)],
                         ids=["UTM 37N", "transverse Mercator on the AO"])
def test_gdal_places_marked_pixels_where_they_are(tmp_path, proj):
    settings = settings_at(proj, 39.02, 35.95, 25.0, size=(640, 480))
    rgb = np.full((480, 640, 3), 255, np.uint8)
    for i, (lon, lat) in enumerate(MARKS):   # one coloured pixel at each known position
        px, py = settings.to_device(*proj.forward(lon, lat))
        assert 0 <= px < 640 and 0 <= py < 480
        rgb[int(py), int(px)] = (200, 10 * i, 30)
    image = tmp_path / "brief.png"
    image.write_bytes(png_bytes(rgb))
    world, prj = write_for_settings(image, settings)
    assert world.name == "brief.pgw" and prj.name == "brief.prj"
    with rasterio.open(image) as ds:
        gdal_crs = rasterio.crs.CRS.from_wkt(prj.read_text())      # GDAL reads our ESRI WKT
        assert CRS.from_wkt(gdal_crs.to_wkt()).equals(proj.crs, ignore_axis_order=True) or \
            CRS.from_wkt(gdal_crs.to_wkt()).to_proj4() == proj.crs.to_proj4()
        to_crs = Transformer.from_crs("EPSG:4326", proj.crs, always_xy=True)
        for i, (lon, lat) in enumerate(MARKS):
            row, col = ds.index(*to_crs.transform(lon, lat))           # GDAL reads our world file
            assert tuple(ds.read(window=((row, row + 1), (col, col + 1)))[:, 0, 0]) == (200, 10 * i, 30)
        assert ds.transform.a == pytest.approx(25.0) and ds.transform.e == pytest.approx(-25.0)


def test_world_file_holds_the_centre_of_the_top_left_pixel():
    settings = settings_at(Projection.utm_for(38.9, 35.6), 39.0, 35.9, 10.0, size=(100, 50))
    a, d, b, e, c, f = (float(v) for v in affine_for(settings).world_file_lines())
    x0, y0 = Transformer.from_crs(4326, 32637, always_xy=True).transform(*settings.projection.inverse(
        *settings.to_map(0.5, 0.5)))
    assert (a, d, b, e) == (pytest.approx(10.0), 0.0, 0.0, pytest.approx(-10.0))
    assert c == pytest.approx(x0, abs=1e-3) and f == pytest.approx(y0, abs=1e-3)


def test_world_file_names_and_refusals(tmp_path):
    assert world_file_path(tmp_path / "a.PNG").name == "a.pgw"
    assert world_file_path(tmp_path / "a.jpg").name == "a.jgw"
    assert world_file_path(tmp_path / "a.jpeg").name == "a.jgw"
    assert world_file_path(tmp_path / "a.tif").name == "a.tfw"
    with pytest.raises(ValueError, match="no world file for .svg"):
        world_file_path(tmp_path / "a.svg")


def test_prj_is_esri_wkt_on_one_line():
    wkt = esri_wkt(CRS.from_epsg(32637))
    assert wkt.startswith('PROJCS["WGS_1984_UTM_Zone_37N"') and "\n" not in wkt
