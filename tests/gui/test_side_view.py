"""The side view: altitude along the line at 15:41Z on 18 June shows the F-22 above the Su-22
and the blocks the line passes through, where the profile (checked here against shapely
and pyproj on its own) puts them; it follows the time cursor and the path chosen."""
import numpy as np
import pytest
import shapely
from PySide6 import QtCore, QtGui

from desktop.core.air.conflicts import conflicts_at
from desktop.core.air.demo import REPLAY_AT
from desktop.core.air.measures import NM_M
from desktop.core.air.motion import predict
from desktop.core.geodesy import GEOD, densify_geodesic
from desktop.core.time_cursor import line_at
from tests.gui.air_helpers import at_replay

SHOT = REPLAY_AT + 6 * 60   # 15:41Z, the F/A-18 passing the Su-22 over Ja'Din


@pytest.fixture
def win(demo_window):
    return at_replay(demo_window, SHOT)


def rgb_at(image: QtGui.QImage, x: float, y: float) -> tuple[int, int, int]:
    c = image.pixelColor(int(round(x)), int(round(y)))
    return c.red(), c.green(), c.blue()


def test_along_the_line_the_f22_flies_above_the_su22(win, tmp_path):
    side, doc = win.panels["side_view"], win.document
    prof = side.canvas.profile
    state = side.canvas.state
    names = [str(state.names[r]) for r in prof.aircraft]
    assert {"Coalition F-22", "Syrian Su-22", "RU Su-35 Pair", "Coalition CAS Orbit"} <= set(names)
    alt = dict(zip(names, prof.alt_ft.tolist()))
    assert alt["Coalition F-22"] == 33000 > alt["RU Su-35 Pair"] == 25000 > alt["Syrian Su-22"] == 9000
    # Where along the line: the nearest point of the densified line, measured geodesically.
    _, line, _ = line_at(doc, SHOT)
    lon, lat = densify_geodesic(line.lon, line.lat)
    su22 = names.index("Syrian Su-22")
    row = int(prof.aircraft[su22])
    pieces = np.asarray(GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2])
    x, y = doc.analysis_projection.forward(lon, lat)
    plane = shapely.LineString(np.column_stack([x, y]))
    at = shapely.line_interpolate_point(plane, shapely.line_locate_point(
        plane, shapely.Point(*doc.analysis_projection.forward(state.lon[row], state.lat[row]))))
    k = int(np.argmin(np.hypot(x - at.x, y - at.y)))
    along_geodesic = pieces[:k].sum() / NM_M
    assert prof.along_nm[su22] == pytest.approx(along_geodesic, abs=0.6)  # within a densified piece
    # The blocks: the CAP (FL300-FL350) and the HIDACZ (surface to FL180) over their stretches.
    blocks = {side.canvas.airspace[m].id: (a, b, f, c) for m, a, b, f, c in
              zip(prof.block_acm, prof.block_start_nm, prof.block_end_nm, prof.block_floor_ft, prof.block_ceiling_ft)}
    assert blocks["CAP-TABQA"][2:] == (30000, 35000) and blocks["HIDACZ-JADIN"][2:] == (0, 18000)
    assert blocks["HIDACZ-JADIN"][0] < prof.along_nm[su22] < blocks["HIDACZ-JADIN"][1]  # over Ja'Din
    # Painted where they are: the F-22's marker in its side's blue above the Su-22's red one.
    image = QtGui.QImage(900, 360, QtGui.QImage.Format.Format_RGB32)
    painter = QtGui.QPainter(image)
    side.canvas.paint_into(painter, QtCore.QRectF(0, 0, 900, 360))
    painter.end()
    image.save(str(tmp_path / "side-view.png"))
    plot, x_max, y_max = side.canvas.scales(QtCore.QRectF(0, 0, 900, 360))

    def marker(k):
        return plot.left() + prof.along_nm[k] / x_max * plot.width(), plot.bottom() - prof.alt_ft[k] / y_max * plot.height()

    f22 = marker(names.index("Coalition F-22"))
    s22 = marker(su22)
    assert f22[1] < s22[1]
    blue, red = rgb_at(image, f22[0], f22[1] + 1), rgb_at(image, s22[0], s22[1] + 1)
    assert blue[2] > 150 and blue[0] < 120 and red[0] > 150 and red[2] < 120


def test_it_follows_the_cursor_and_the_path_chosen(win):
    side = win.panels["side_view"]
    at_replay(win, REPLAY_AT)
    assert "Syrian Su-22" not in [str(side.canvas.state.names[r]) for r in side.canvas.profile.aircraft]  # still SW
    side.choose("AIR-07")
    prof = side.canvas.profile
    assert side.canvas.title == "the predicted path of Coalition F-22"
    found, _ = conflicts_at(win.document, REPLAY_AT)
    row = list(found.state.ids).index("AIR-07")
    (k,) = np.flatnonzero(prof.aircraft == row)
    behind = GEOD.inv(*(float(v[0]) for v in predict(found.state.take([row]), -600)), found.state.lon[row],
                      found.state.lat[row])[2] / NM_M
    assert prof.along_nm[k] == pytest.approx(behind, rel=2e-3) and prof.beside_nm[k] < 0.05
    assert prof.ahead_nm[k] == pytest.approx(2 * behind, rel=2e-3)  # it flies its own path
