"""Amplifiers as drawn: the higher formation (M) and an aircraft's altitude (X) right of the
symbol on the line below its centre, where the standard (and milsymbol.js: its fourth line
on the right) puts them, only where there is room; the direction-of-movement arrow pointing
where the unit is heading. Pixels of the map as shown, not the layers' internals."""
import re
import xml.etree.ElementTree as ET

import numpy as np
from pyproj import Geod
from PySide6 import QtGui

from desktop.core.demo import demo_document
from desktop.core.document import Document
from desktop.core.sidc import AMPLIFIERS
from desktop.core.tracks import Tracks, parse_time
from desktop.core.units import UnitTable
from desktop.gui.export import render
from desktop.gui.export.settings import ExportSettings
from desktop.gui.map.layers.unit_names import name_size
from tests.gui.test_unit_layer import make_view

_GEOD = Geod(ellps="WGS84")
FRIEND = dict(side="US-backed", affiliation="friend")


def pixels(view) -> np.ndarray:
    """h x w x 3 of the map as the window shows it."""
    view.scene.layout_labels()
    image = view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[
        :, :3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(row, col) of the pixels that differ between two images."""
    return np.argwhere(np.abs(a.astype(int) - b.astype(int)).sum(axis=2) > 60)


def at_widget(view, lon: float, lat: float) -> tuple[float, float]:
    p = view.map_to_widget(*view.to_display(lon, lat))
    return p.x(), p.y()


def drawn_by(view, unit: str, amplifiers, shown: set) -> np.ndarray:
    """Pixels (row, col) near `unit` that showing `shown` amplifiers changes."""
    units = view.layer("units")
    units.set_amplifiers(shown)
    on = pixels(view)
    units.set_amplifiers(set(amplifiers) - shown)
    off = pixels(view)
    cx, cy = at_widget(view, *_lonlat(view, unit))
    rc = changed(on, off)
    return rc[(np.abs(rc[:, 1] - cx) < 120) & (np.abs(rc[:, 0] - cy) < 60)]


def _lonlat(view, unit: str) -> tuple[float, float]:
    units = view.document.units
    i = units.index_of(unit)
    return float(units.lon[i]), float(units.lat[i])


def test_higher_formation_and_altitude_sit_right_of_the_symbol_on_the_line_below_its_centre(qtbot):
    demo = demo_document()
    units = UnitTable.from_records([
        dict(id="G", name="Ground Bn", domain="ground", lon=39.8, lat=36.15, symbol="SFGPUCI----F---",
             higher_formation="3 Bde", **FRIEND),
        dict(id="A", name="Air Orbit", domain="air", lon=39.0, lat=36.1, symbol="SFAPMF---------", alt_ft=25_000,
             **FRIEND),
        dict(id="B", name="Blocked Bn", domain="ground", lon=40.4, lat=35.9, symbol="SFGPUCI----F---",
             higher_formation="Hidden Bde", **FRIEND),
        dict(id="C", name="Close Coy", domain="ground", lon=40.43, lat=35.9, symbol="SFGPUCI----E---", **FRIEND)])
    view = make_view(qtbot, Document(demo.ao, demo.line, units, demo.sides))
    assert not (view.document.analysis.classification.near_line.any()
                or view.document.analysis.classification.wrong_side.any())   # no rings to keep clear of
    view.scene.set_visible("units.labels", False)   # (the names, laid out round them, would move)
    texts = view.layer("units").detail.texts
    assert sorted(texts.texts) == ["3 Bde", "FL250"]   # Close Coy's symbol takes Blocked Bn's spot
    everything = pixels(view)
    view.scene.set_visible("units", False)
    bare = pixels(view)
    view.scene.set_visible("units", True)
    for unit, key, text in (("G", "higher_formation", "3 Bde"), ("A", "altitude", "FL250")):
        cx, cy = at_widget(view, *_lonlat(view, unit))
        symbol = changed(everything, bare)
        symbol = symbol[(np.abs(symbol[:, 1] - cx) < 20) & (np.abs(symbol[:, 0] - cy) < 4)]  # the frame's middle row
        right = symbol[:, 1].max()
        ink = drawn_by(view, unit, AMPLIFIERS, {key})
        assert len(ink) > 20, unit
        # Right of the frame, a small gap away; the text's line is the one below the centre
        # line (milsymbol's field 4: a line's height lower), on the map's own text size.
        line = name_size(text)[1]
        assert right < ink[:, 1].min() <= right + 8, (unit, right, ink[:, 1].min())
        assert abs((ink[:, 0].min() + ink[:, 0].max()) / 2 - (cy + line)) <= 3, unit
        assert ink[:, 0].min() > cy, unit


def test_the_brief_draws_them_as_its_settings_say(qapp, tmp_path):
    doc = demo_document()
    formations = set(doc.units.higher_formations.tolist()) - {""}

    def texts(**settings) -> list[str]:
        out = tmp_path / "brief.svg"
        render.export_map(doc, ExportSettings(format="svg", width=1920, height=1080, dpi=96, **settings), out)
        return [t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")]

    shown = texts()
    assert [t for t in shown if re.fullmatch(r"FL\d{3}", t)] and formations & set(shown)
    hidden = texts(higher_formation=False, altitude=False)
    assert not [t for t in hidden if re.fullmatch(r"FL\d{3}", t)] and not formations & set(hidden)


def test_the_direction_of_movement_arrow_points_where_the_unit_is_heading(qtbot):
    """Three land units, each with two reports 5 km apart an hour apart: the arrow drawn
    under each points along its course (the geodesic between its reports, by pyproj)."""
    demo = demo_document()
    starts = {"E": (39.0, 35.9, 80.0), "SW": (39.6, 35.3, 225.0), "NW": (38.6, 35.5, 310.0)}
    records, unit, time, lon, lat = [], [], [], [], []
    for k, (uid, (lon0, lat0, azimuth)) in enumerate(starts.items()):
        lon1, lat1, _ = _GEOD.fwd(lon0, lat0, azimuth, 5000.0)
        records.append(dict(id=uid, name=uid, domain="ground", lon=lon1, lat=lat1, symbol="SFGPUCI----F---", **FRIEND))
        unit += [k, k]
        time += [parse_time("2017-08-15T10:00:00Z"), parse_time("2017-08-15T11:00:00Z")]
        lon += [lon0, lon1]
        lat += [lat0, lat1]
    doc = Document(demo.ao, demo.line, UnitTable.from_records(records), demo.sides,
                   tracks=Tracks.from_reports(unit, time, lon, lat, len(records)))
    view = make_view(qtbot, doc)
    view.scene.set_visible("units.labels", False)
    for uid, (lon0, lat0, _) in starts.items():
        ink = drawn_by(view, uid, AMPLIFIERS, {"movement"})
        cx, _ = at_widget(view, *_lonlat(view, uid))
        # The arrow leaves a staff straight down from the frame: without the staff's column, the
        # arrow's pixels lie along its direction; the end by the staff is its foot.
        arrow = ink[np.abs(ink[:, 1] - cx) > 2].astype(float)
        assert len(arrow) > 10, uid
        xy = np.column_stack([arrow[:, 1], arrow[:, 0]])
        centre = xy.mean(axis=0)
        axis = np.linalg.svd(xy - centre)[2][0]
        t = (xy - centre) @ axis
        ends = centre + np.outer([t.min(), t.max()], axis)
        foot, tip = (ends if abs(ends[0, 0] - cx) < abs(ends[1, 0] - cx) else ends[::-1])
        # Where the course leads on the screen: pyproj's azimuth between the reports, 1 km on.
        course = _GEOD.inv(lon0, lat0, *_lonlat(view, uid))[1] + 180.0
        ahead = at_widget(view, *_GEOD.fwd(*_lonlat(view, uid), course, 1000.0)[:2])
        want = np.degrees(np.arctan2(ahead[1] - at_widget(view, *_lonlat(view, uid))[1],
                                     ahead[0] - at_widget(view, *_lonlat(view, uid))[0]))
        got = np.degrees(np.arctan2(tip[1] - foot[1], tip[0] - foot[0]))
        assert abs((got - want + 180.0) % 360.0 - 180.0) < 8.0, (uid, got, want)


def test_the_view_menu_turns_them_on_and_off(qtbot):
    from tests.gui.test_main_window import make_window
    window = make_window(qtbot)
    window.map_view.flush()
    window.scene.layout_labels()
    texts = window.map_view.layer("units").detail.texts
    assert texts.texts
    actions = {a.data(): a for a in window.amplifiers_menu.actions()}
    assert actions["higher_formation"].isChecked() and actions["altitude"].isChecked()
    actions["higher_formation"].setChecked(False)
    actions["altitude"].setChecked(False)
    window.scene.layout_labels()
    assert not texts.texts
    actions["altitude"].setChecked(True)
    window.scene.layout_labels()
    assert texts.texts and all(re.fullmatch(r"FL\d{3}|[\d,]+ ft", t) for t in texts.texts)
