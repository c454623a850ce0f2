"""The SVG brief draws the same in every renderer (issue 13, Found 1): Qt's own, librsvg
(rsvg-convert, as Inkscape and GNOME draw it) and a browser (headless Chromium), each
compared with the PNG of the same page. packaging/system-deps.sh installs rsvg-convert and
Chromium with `make test`; a machine without Chromium skips that renderer only."""
from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtSvg

from desktop.core.demo import demo_document
from desktop.gui import style
from desktop.gui.export import render
from desktop.gui.export.decorations import marking_colours
from desktop.gui.export.settings import ExportSettings
from desktop.gui.map.layers.basemap import LAND, RIVER_PEN
from tests.gui.test_brief import WHEN
from tests.gui.test_export import rgb

BLUR_PX = 2          # differences are compared on 5 x 5 averages: glyphs and edges shift by a pixel
TOLERANCE = 24       # a channel may differ this much (of 255) before a pixel counts as different
AGREEMENT = 0.95     # at least this share of the page must agree
RENDER_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def page(qapp, tmp_path_factory):
    """The demo brief at A4, 150 dpi, as PNG and SVG (same export time): (png pixels, svg
    path, layout)."""
    folder = tmp_path_factory.mktemp("svg")
    s = dict(paper="A4", dpi=150.0, timestamp=WHEN)
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1502798400")  # the footer's export time, the same in both files
    try:
        layout = render.export_map(demo_document(), ExportSettings(format="png", **s), folder / "brief.png")
        render.export_map(demo_document(), ExportSettings(format="svg", **s), folder / "brief.svg")
    finally:
        mp.undo()
    return rgb(QtGui.QImage(str(folder / "brief.png"))), folder / "brief.svg", layout


def qt_svg(path, w: int, h: int) -> np.ndarray:
    image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("white"))
    p = QtGui.QPainter(image)
    QtSvg.QSvgRenderer(str(path)).render(p, QtCore.QRectF(0, 0, w, h))
    p.end()
    return rgb(image)


def librsvg(path, w: int, h: int) -> np.ndarray:
    rsvg = shutil.which("rsvg-convert")
    assert rsvg, "rsvg-convert is missing: run packaging/system-deps.sh (make test does)"
    out = path.with_name("rsvg.png")
    subprocess.run([rsvg, "-w", str(w), "-h", str(h), "-b", "white", "-o", str(out), str(path)], check=True,
                   timeout=RENDER_TIMEOUT_S)
    return rgb(QtGui.QImage(str(out)))


def chromium(path, w: int, h: int) -> np.ndarray:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium here (packaging/system-deps.sh installs it)")
    html = path.with_name("page.html")
    html.write_text(f'<html><body style="margin:0"><img src="{path.name}" width="{w}" height="{h}"></body></html>')
    out = path.with_name("chromium.png")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--window-size={w},{h}", f"--screenshot={out}", html.as_uri()],
                   check=True, capture_output=True, timeout=RENDER_TIMEOUT_S)
    return rgb(QtGui.QImage(str(out)))


def blurred(a: np.ndarray, k: int = BLUR_PX) -> np.ndarray:
    from numpy.lib.stride_tricks import sliding_window_view
    pad = np.pad(a.astype(float), ((k, k), (k, k), (0, 0)), mode="edge")
    return sliding_window_view(pad, (2 * k + 1, 2 * k + 1), axis=(0, 1)).mean(axis=(-1, -2))


@pytest.mark.parametrize("renderer", [qt_svg, librsvg, chromium], ids=["qt", "librsvg", "chromium"])
def test_every_renderer_draws_the_svg_like_the_png(page, renderer):
    png, svg, layout = page
    h, w = png.shape[:2]
    got = renderer(svg, w, h)
    assert got.shape == png.shape
    # The page agrees with the PNG almost everywhere (text is shaped a little differently
    # by each renderer: glyph edges move by a pixel).
    differs = np.abs(blurred(got) - blurred(png)).max(axis=-1) > TOLERANCE
    assert differs.mean() <= 1 - AGREEMENT, differs.mean()
    # The marking banners are whole: the map does not spill over them (Qt's renderer
    # ignores clip paths; the page is painted over what lies outside the frame).
    bg = np.array(marking_colours(ExportSettings().marking)[0].getRgb()[:3])
    banner = int(13 * layout.px_per_pt)
    for rows in (got[2:banner - 2], got[h - banner + 2:h - 2]):
        share = (np.abs(rows.astype(int) - bg).max(axis=-1) <= 8).mean()
        assert share >= 0.85, share  # all but the white letters
    # Nothing of the map outside its frame: no land colour between the title and the frame.
    f = layout.frame
    above = got[banner + 2:int(f.top()) - 2, :]
    land = np.abs(above.astype(int) - LAND.getRgb()[:3]).max(axis=-1) <= 6
    assert land.mean() < 0.001, land.mean()
    # The strokes librsvg used to drop (non-scaling strokes) are there, as wide: the
    # deconfliction line's dark pixels, the rivers' blue.
    inside = got[int(f.top()):int(f.bottom()), int(f.left()):int(f.right())]
    ref = png[int(f.top()):int(f.bottom()), int(f.left()):int(f.right())]
    for rgb_ in (style.LINE_COLOUR, RIVER_PEN.color().getRgb()[:3]):
        n_got = (np.abs(inside.astype(int) - rgb_).max(axis=-1) <= 40).sum()
        n_ref = (np.abs(ref.astype(int) - rgb_).max(axis=-1) <= 40).sum()
        assert n_got == pytest.approx(n_ref, rel=0.2), (rgb_, n_got, n_ref)


def test_svg_has_no_non_scaling_strokes_and_clips_the_map(page):
    _, svg, _ = page
    text = svg.read_text()
    assert 'vector-effect="non-scaling-stroke"' not in text
    root = ET.parse(svg).getroot()
    assert root.get("version") == "1.1"
    assert root.findall(".//{http://www.w3.org/2000/svg}clipPath")
