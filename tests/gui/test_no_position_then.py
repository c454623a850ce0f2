"""A unit with no report at or before the time shown has no position then (issue 10.1): in the
window it is not drawn and the sectors panel does not count it; now it is both."""
import numpy as np
import pytest

from desktop.core.demo import demo_document
from desktop.core.revision_diff import document_at
from desktop.core.tracks import parse_time
from desktop.gui.main_window import MainWindow
from tests.gui.test_line_edit import panel_counts

JUNE_18 = parse_time("2017-06-18T14:00:00Z")


@pytest.fixture
def win(qtbot, tmp_path):
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    w.resize(1400, 1000)
    w.show()
    qtbot.waitExposed(w)
    units = tmp_path / "newcomers.csv"  # no time column: the positions of today
    units.write_text("id,name,side,lat,lon\nNEW-1,Newcomer,US-backed,35.95,39.05\n")
    assert w.files.imports.import_path(str(units))
    return w


def drawn(layer) -> set[int]:
    """The units the layer draws (as markers or symbols: a demo-sized view draws each one)."""
    assert layer.mode == "markers"
    return set(layer._marker_idx.tolist())


def test_the_newcomer_is_nowhere_before_its_report_and_counted_now(win):
    doc, view, panel = win.document, win.map_view, win.panels["sectors"]
    cursor = win.panels["timeline"].cursor
    i = doc.units.index_of("NEW-1")
    here = np.array(view.to_display(np.array([39.05]), np.array([35.95]))).ravel()
    n_units = len(doc.units)  # the demo's units and NEW-1
    late = int(np.isnan(document_at(doc, JUNE_18).shown_units.lon).sum())  # NEW-1 and units reported later
    # Now: drawn where the file put it, counted in its sector.
    assert cursor.is_live and np.allclose([view.layer("units").x[i], view.layer("units").y[i]], here)
    assert f"<b>{n_units}</b> units" in panel.counts_label.text()
    assert i in drawn(view.layer("units"))
    # 18 June: no report yet, so no position: not drawn, not counted, nowhere in the list.
    cursor.set_time(JUNE_18)
    assert np.isnan(view.layer("units").x[i]) and np.isnan(view.layer("units").y[i])
    assert i not in drawn(view.layer("units")) and len(drawn(view.layer("units"))) > 30
    assert f"<b>{n_units - late}</b> units" in panel.counts_label.text()
    assert f"{late} with no position then" in panel.shown_label.text()
    snap = document_at(doc, JUNE_18)
    counts = panel_counts(win)
    for sector, n in zip(snap.analysis.sectors.sectors, snap.analysis.counts()):
        assert counts[sector.name] == n
    model = panel.model
    listed = {int(u) for key in model.group_keys() for u in model.listed(key)}
    assert i not in listed and len(listed) == sum(counts.values()) == n_units - late
    assert counts.get("Outside AO", 0) == model.totals()["outside"]
    # Back to now: there again.
    cursor.go_live()
    assert np.allclose([view.layer("units").x[i], view.layer("units").y[i]], here)
    assert f"<b>{n_units}</b> units" in panel.counts_label.text() and "no position" not in panel.shown_label.text()
