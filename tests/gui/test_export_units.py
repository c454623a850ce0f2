"""The briefing map in the preferred units of measure (issue 10.7): the scale bar is a round
number of nautical miles that long on the ellipsoid, the legend's markup figures and the
sector table are in NM, and the Export dialog and `deconflict export` take the units."""
from __future__ import annotations

import pytest
from pyproj import Geod
from PySide6 import QtCore

from desktop import cli
from desktop.core.demo import demo_document
from desktop.core.measure_units import MeasureUnits, format_area
from desktop.core.time_cursor import shown_time
from desktop.gui.export import render
from desktop.gui.export.dialog import ExportDialog
from desktop.gui.export.panel import legend_entries, markup_entries, summary_rows
from desktop.gui.export.settings import ExportSettings, ExportSettingsError
from tests.project.scenario import demo_annotations

GEOD = Geod(ellps="WGS84")
NM = MeasureUnits("nmi", "magnetic", "mil")


@pytest.fixture
def doc():
    d = demo_document()
    d.set_annotations(demo_annotations())
    return d


def test_the_scale_bar_is_a_round_number_of_nautical_miles(qapp, doc):
    s = ExportSettings(format="png", width=1400, height=1000, distance_unit="nmi")
    _, layout = render.render_image(doc, s)
    bar = layout.scale_bar
    nm = bar.km / 1.852
    assert nm in (5, 10, 20, 25, 50, 100)
    c = layout.frame.center()
    lon, lat = layout.page_to_lonlat([c.x() - bar.length_px / 2, c.x() + bar.length_px / 2], [c.y(), c.y()])
    _, _, metres = GEOD.inv(lon[0], lat[0], lon[1], lat[1])
    assert metres / 1852 == pytest.approx(nm, rel=0.01)


def test_the_legend_and_table_speak_the_units(qapp, doc):
    entries = markup_entries(doc.annotations, units=NM, when_s=shown_time(doc))
    measure = next(a for a in doc.annotations if a.kind == "measure")
    row = next(e.label for e in entries if e.annotation is measure)
    assert row.endswith(measure.label(NM, shown_time(doc))) and " NM " in row and row.endswith(" mil M")
    ring = next(a for a in doc.annotations if a.kind == "circle")
    if not ring.text:
        assert any(e.label.endswith(ring.label(NM)) for e in entries)
    area = next(r for r in summary_rows(doc, doc.analysis) if r.area_km2)
    assert format_area(area.area_km2, NM).endswith("NM²")


def test_the_map_on_the_page_labels_markup_in_the_page_units(qapp, doc):
    """The page's scene says the measurement and the ring in its own units, whatever the
    window's are (`deconflict export --distance-unit nmi` has no window)."""
    from desktop.gui.export.map_frame import map_frame
    measure = next(a for a in doc.annotations if a.kind == "measure")
    _, _, metres = GEOD.inv(*measure.points[0], *measure.points[1])
    for units, figure in ((NM, f"{metres / 1852:,.2f} NM"), (MeasureUnits(), f"{metres / 1000:,.2f} km")):
        with map_frame(doc, (600, 400), 1.0, units=units) as page:
            labels = {shape.annotation.id: shape.label for shape in page.layer("markup").shapes}
        assert labels[measure.id] == measure.label(units, shown_time(doc))
        assert labels[measure.id].startswith(figure)


@pytest.mark.parametrize("units, buffer", [(NM, "2.70 NM"), (MeasureUnits("mi"), "3.11 mi"), (MeasureUnits(), "5 km")])
def test_the_legend_gives_the_buffer_as_the_panel_does(qapp, doc, units, buffer):
    """The demo's 5 km buffer in the legend: two decimals of a nautical or statute mile (as
    the sectors panel's spin box), km as set; never "2.69978 NM"."""
    from desktop.gui.export.map_frame import map_frame
    assert doc.buffer_km == 5.0 and f"{5000 / 1852:.2f} NM" == "2.70 NM" and f"{5000 / 1609.344:.2f} mi" == "3.11 mi"
    with map_frame(doc, (600, 400), 1.0, units=units) as page:
        labels = [e.label for e in legend_entries(page, doc, doc.analysis, 1.0, units)]
    assert f"Buffer ±{buffer}" in labels and f"Near line (≤ {buffer})" in labels


def test_the_dialog_follows_the_window_and_the_cli_takes_units(qtbot, tmp_path, capsys):
    from desktop.gui.main_window import MainWindow
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.preferences.set_units(NM)
    dialog = ExportDialog(win.document, win.map_view, None, win)
    qtbot.addWidget(dialog)
    assert dialog.settings().measure_units == NM
    out = tmp_path / "brief.png"
    assert cli.main(["export", "--demo", str(out), "--distance-unit", "nm", "--bearing", "magnetic",
                     "--width", "800", "--height", "600"]) == 0
    assert out.stat().st_size > 0
    assert cli.main(["export", "--demo", str(tmp_path / "x.png"), "--distance-unit", "leagues"]) == 2
    assert "not a distance unit" in capsys.readouterr().err
    with pytest.raises(ExportSettingsError, match="not a bearing reference"):
        ExportSettings(bearing="grid").validate()
    assert QtCore.QSize(*ExportSettings(distance_unit="mi").page_pixels()).isValid()
