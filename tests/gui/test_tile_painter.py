"""Tiles painted through TilePainter land where they belong: pixels checked at known
coordinates, tile edges within a device pixel of their exact projected position."""
from __future__ import annotations

import math
import sqlite3
import threading

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.core.tiles import open_tile_file
from desktop.gui.tile_painter import TilePainter, webp_supported
from tests.gui.paint_devices import paint_svg_and_pdf
from tests.core.tile_files import (geographic_gpkg, lonlat_to_tile, native_mpp, tile_colour, web_mercator_gpkg,
                                   write_mbtiles, xyz_tiles_around)
from tests.core.tile_files import settings_at as shared_settings_at

RAQQA = (39.009, 35.950)
PROJ = Projection.utm_for(38.9, 35.6)   # the demo's display CRS
Z = 13


def qt_encode(fmt: str, size: int = 256):
    def encode(rgb) -> bytes:
        image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_RGB32)
        image.fill(QtGui.QColor(*rgb))
        buf = QtCore.QBuffer()
        buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
        assert image.save(buf, fmt, 95)
        return bytes(buf.data())
    return encode


def settings_at(lon, lat, metres_per_px, size=(900, 600), proj=PROJ) -> MapSettings:
    return shared_settings_at(proj, lon, lat, metres_per_px, size)


def render(painter_obj: TilePainter, settings: MapSettings, background=QtGui.QColor("white")) -> QtGui.QImage:
    image = QtGui.QImage(settings.width, settings.height, QtGui.QImage.Format.Format_ARGB32)
    image.fill(background)
    p = QtGui.QPainter(image)
    painter_obj.paint(p, settings)
    p.end()
    return image


def rgb(image: QtGui.QImage, x: int, y: int) -> tuple[int, int, int]:
    c = image.pixelColor(int(x), int(y))
    return c.red(), c.green(), c.blue()


def close_to(a, b, tol=6) -> bool:
    return max(abs(int(u) - int(v)) for u, v in zip(a, b)) <= tol


def device_of(settings: MapSettings, lon, lat):
    return settings.to_device(*settings.projection.forward(lon, lat))


def _crossing(image, settings, lonlat_edge, before, after, across: bool, tol) -> bool:
    """Along a scan line through the exact projected position of a tile edge: the colour
    turns from `before` to `after` within one device pixel of it. False off the image."""
    ex, ey = (float(v) for v in device_of(settings, *lonlat_edge))
    at, fixed, limit, other = (ex, int(ey), settings.width, settings.height) if across else \
        (ey, int(ex), settings.height, settings.width)
    if not (3 <= at < limit - 3 and 0 <= fixed < other):
        return False

    def pixel(k):
        return rgb(image, k, fixed) if across else rgb(image, fixed, k)
    k = int(math.floor(at - 2.5))
    while k < at + 3 and close_to(pixel(k), before, tol):
        k += 1
    assert close_to(pixel(k), after, tol), (lonlat_edge, at, pixel(k))
    # pixel centres more than a pixel before the edge show the first tile, more than a
    # pixel after it the second
    assert k - 0.5 <= at + 1.0 and k + 0.5 >= at - 1.0, f"edge at {at:.2f}, colour changes at pixel {k}"
    return True


def check_edges(image, settings, zoom, tol=6, scanlines=8):
    """Vertical and horizontal tile edges crossing the view sit within one device pixel of
    where they project exactly (pyproj, not our meshes)."""
    lon0, lat0, lon1, lat1 = settings.lonlat_box()
    n = 1 << zoom
    checked = 0
    for col in range(int((lon0 + 180) / 360 * n) + 1, int((lon1 + 180) / 360 * n) + 1):
        lon_edge = col / n * 360 - 180
        for lat in np.linspace(lat0, lat1, scanlines + 2)[1:-1]:
            r = int(lonlat_to_tile(lon_edge, lat, zoom)[1])
            checked += _crossing(image, settings, (lon_edge, lat), tile_colour(zoom, col - 1, r),
                                 tile_colour(zoom, col, r), True, tol)
    for row in range(int(lonlat_to_tile(0, lat1, zoom)[1]) + 1, int(lonlat_to_tile(0, lat0, zoom)[1]) + 1):
        lat_edge = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))
        for lon in np.linspace(lon0, lon1, scanlines + 2)[1:-1]:
            c = int(lonlat_to_tile(lon, lat_edge, zoom)[0])
            checked += _crossing(image, settings, (lon, lat_edge), tile_colour(zoom, c, row - 1),
                                 tile_colour(zoom, c, row), False, tol)
    assert checked >= 10
    return checked


@pytest.fixture
def raqqa_mbtiles(tmp_path):
    return write_mbtiles(tmp_path / "raqqa.mbtiles", xyz_tiles_around(*RAQQA, Z, 4) + xyz_tiles_around(*RAQQA, 11, 2))


@pytest.mark.parametrize("zoom_offset", [0.0, 0.4, -0.4])
def test_tiles_land_within_a_pixel_of_their_true_position(qapp, raqqa_mbtiles, zoom_offset):
    tp = TilePainter(open_tile_file(raqqa_mbtiles), synchronous=True)
    settings = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]) * 2 ** zoom_offset)
    image = render(tp, settings)
    check_edges(image, settings, Z, tol=2)
    # and the centre pixel shows the tile that holds Raqqa
    cx, cy = device_of(settings, *RAQQA)
    col, row = (int(v) for v in lonlat_to_tile(*RAQQA, Z))
    assert rgb(image, cx, cy) == tile_colour(Z, col, row)
    tp.close()


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_tiles(qapp, tmp_path, fmt):
    if fmt == "WEBP" and not webp_supported():
        pytest.skip("this Qt has no WebP plugin")
    path = write_mbtiles(tmp_path / "j.mbtiles", xyz_tiles_around(*RAQQA, Z, 3), encode=qt_encode(fmt),
                         fmt=fmt.lower().replace("jpeg", "jpg"))
    src = open_tile_file(path)
    assert src.format == fmt.lower()
    tp = TilePainter(src, synchronous=True)
    settings = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]))
    check_edges(render(tp, settings), settings, Z, tol=12)
    tp.close()


def test_geopackage_web_mercator_paints_like_the_mbtiles(qapp, tmp_path):
    tiles = xyz_tiles_around(*RAQQA, Z, 4)
    settings = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]))
    a = TilePainter(open_tile_file(write_mbtiles(tmp_path / "a.mbtiles", tiles)), synchronous=True)
    b = TilePainter(open_tile_file(web_mercator_gpkg(tmp_path / "a.gpkg", tiles)), synchronous=True)
    assert render(a, settings) == render(b, settings)
    a.close()
    b.close()


def test_geographic_geopackage_pixels_at_known_coordinates(qapp, tmp_path):
    box = (38.8, 35.8, 39.2, 36.1)   # 4 x 3 tiles of 0.1 deg at level 0
    tp = TilePainter(open_tile_file(geographic_gpkg(tmp_path / "g.gpkg", {0: (4, 3)}, box)), synchronous=True)
    settings = settings_at(39.0, 35.95, 50.0, size=(1000, 900))   # about the level's own scale
    image = render(tp, settings)
    for lon, lat in [(38.85, 36.05), (39.03, 35.93), (39.17, 35.84), (38.91, 35.96)]:
        col, row = int((lon - 38.8) / 0.1), int((36.1 - lat) / 0.1)
        x, y = device_of(settings, lon, lat)
        assert rgb(image, x, y) == tile_colour(0, col, row), (lon, lat)
    # a tile edge along the meridian 39.0: left and right of it, a pixel away
    for lat in (35.85, 35.95, 36.05):
        x, y = (float(v) for v in device_of(settings, 39.0, lat))
        row = int((36.1 - lat) / 0.1)
        assert rgb(image, math.floor(x - 1), y) == tile_colour(0, 1, row)
        assert rgb(image, math.floor(x + 1), y) == tile_colour(0, 2, row)
    # outside the pyramid: the background
    x, y = device_of(settings, 39.25, 35.95)
    if 0 <= x < settings.width:
        assert rgb(image, x, y) == (255, 255, 255)
    tp.close()


def gated(source):
    """The source, its reads blocked until the returned event is set: a slow disk."""
    gate, read = threading.Event(), source.read
    source.read = lambda *key: (gate.wait(10), read(*key))[1]
    return source, gate


def test_a_pan_never_waits_it_shows_coarser_tiles_then_repaints(qapp, qtbot, raqqa_mbtiles):
    changes = []
    source, gate = gated(open_tile_file(raqqa_mbtiles))
    tp = TilePainter(source, on_change=lambda: changes.append(1))
    coarse = settings_at(*RAQQA, native_mpp(11, RAQQA[1]))
    first = render(tp, coarse)     # returns although no read can finish
    assert rgb(first, 450, 300) == (255, 255, 255)
    with qtbot.waitSignal(tp.changed, timeout=5000):
        gate.set()
    tp.wait_for_loads()
    assert changes
    c11, r11 = (int(v) for v in lonlat_to_tile(*RAQQA, 11))
    cx, cy = device_of(coarse, *RAQQA)
    assert rgb(render(tp, coarse), cx, cy) == tile_colour(11, c11, r11)
    gate.clear()
    fine = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]))
    cx, cy = device_of(fine, *RAQQA)
    # zoomed in: the level-13 tiles cannot be read yet, the cached level-11 tile stands in
    assert rgb(render(tp, fine), cx, cy) == tile_colour(11, c11, r11)
    with qtbot.waitSignal(tp.changed, timeout=5000):
        gate.set()
    tp.wait_for_loads()
    c13, r13 = (int(v) for v in lonlat_to_tile(*RAQQA, Z))
    assert rgb(render(tp, fine), cx, cy) == tile_colour(Z, c13, r13)
    tp.close()


def test_opacity_blends_with_what_is_below(qapp, raqqa_mbtiles):
    tp = TilePainter(open_tile_file(raqqa_mbtiles), synchronous=True, opacity=0.6)
    settings = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]))
    image = render(tp, settings)
    cx, cy = device_of(settings, *RAQQA)
    col, row = (int(v) for v in lonlat_to_tile(*RAQQA, Z))
    expected = tuple(0.6 * c + 0.4 * 255 for c in tile_colour(Z, col, row))
    assert close_to(rgb(image, cx, cy), expected, 2)
    tp.close()


def test_pdf_and_svg_get_the_tiles_as_one_image(qapp, tmp_path, raqqa_mbtiles):
    tp = TilePainter(open_tile_file(raqqa_mbtiles), synchronous=True)
    settings = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]), size=(600, 400))
    svg, pdf = paint_svg_and_pdf(tmp_path, "t", tp, settings)
    assert svg.count("<image") == 1
    assert pdf.count(b"/Subtype /Image") >= 1
    tp.close()


def test_bad_tiles_and_a_damaged_file_do_not_break_the_painter(qapp, tmp_path):
    tiles = xyz_tiles_around(*RAQQA, Z, 2)
    path = write_mbtiles(tmp_path / "b.mbtiles", tiles)
    con = sqlite3.connect(path)
    c, r = (int(v) for v in lonlat_to_tile(*RAQQA, Z))
    # a PNG header promising 60000 x 60000 pixels: a decompression bomb, skipped
    bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (60000).to_bytes(4, "big") * 2 + b"\x08\x02\0\0\0" + b"\0" * 40
    con.execute("UPDATE tiles SET tile_data=? WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (bomb, Z, c, (1 << Z) - 1 - r))
    con.commit()
    con.close()
    tp = TilePainter(open_tile_file(path), synchronous=True)
    settings = settings_at(*RAQQA, native_mpp(Z, RAQQA[1]))
    image = render(tp, settings)
    cx, cy = device_of(settings, *RAQQA)
    assert rgb(image, cx, cy) == (255, 255, 255)             # that tile is left out
    x, y = device_of(settings, *(v + 0.02 for v in RAQQA))
    assert rgb(image, x, y) != (255, 255, 255)               # its neighbours are drawn
    tp.close()


def test_close_stops_the_loader(qapp, raqqa_mbtiles):
    tp = TilePainter(open_tile_file(raqqa_mbtiles))
    render(tp, settings_at(*RAQQA, native_mpp(Z, RAQQA[1])))
    tp.close()
    assert tp._pool.activeThreadCount() == 0
    render(tp, settings_at(*RAQQA, native_mpp(Z, RAQQA[1])))   # a closed painter paints nothing, quietly
