"""Document.update_live, the light path live reports take into the document: the moved units
are classified again exactly as a fresh analysis would, the line is not announced again,
and a past moment shown stays shown unless the reports reach back to it."""
import numpy as np

from desktop.core.demo import demo_document
from desktop.core.document import Document
from desktop.core.time_cursor import TimeCursor
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable
from tests.core.test_document import assert_same_analysis, make_doc, random_units
from tests.core.test_sectors import GEOD


def moved_table(units: UnitTable, rows: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> UnitTable:
    x, y = units.lon.copy(), units.lat.copy()
    x[rows], y[rows] = lon, lat
    return UnitTable(units.ids, units.names, units.sides, units.affiliations, units.domains, x, y,
                     units.echelons, units.symbols)


def fresh(doc: Document) -> Document:
    return Document(doc.ao, doc.line, doc.units, doc.sides, buffer_km=doc.buffer_km)


def signals(doc: Document) -> list[str]:
    seen: list[str] = []
    for name in ("line_changed", "analysis_changed", "units_changed", "positions_changed", "tracks_changed",
                 "time_view_changed", "live_updated"):
        getattr(doc, name).connect(lambda *_, name=name: seen.append(name))
    return seen


def test_moved_units_are_classified_as_a_fresh_analysis_would():
    doc = make_doc(units=random_units(20_000, seed=4))
    doc.analysis.classification.distance_km  # noqa: B018 - a window has read them
    rng = np.random.default_rng(5)
    seen = signals(doc)
    for step in range(6):
        rows = np.unique(rng.integers(0, len(doc.units), 300))
        # Each moved unit walks 1-20 km: many cross the line, enter or leave the buffer.
        lon, lat, _ = GEOD.fwd(doc.units.lon[rows], doc.units.lat[rows], rng.uniform(0, 360, len(rows)),
                               rng.uniform(1000, 20_000, len(rows)))
        before = doc.analysis.classification
        doc.update_live(moved_table(doc.units, rows, lon, lat), Tracks.empty(len(doc.units)), rows)
        after = doc.analysis
        assert_same_analysis(after, fresh(doc).analysis)
        # `changed` names exactly the units whose sector or flags changed.
        differs = np.flatnonzero((after.classification.sector != before.sector)
                                 | (after.classification.near_line != before.near_line)
                                 | (after.classification.wrong_side != before.wrong_side))
        assert np.array_equal(after.classification.changed, differs) and len(differs)
    assert "line_changed" not in seen and "units_changed" not in seen
    assert seen.count("analysis_changed") == seen.count("live_updated") == 6 and "positions_changed" not in seen


def test_a_drag_after_a_live_update_still_agrees_with_a_fresh_analysis():
    doc = make_doc(units=random_units(5000, seed=6))
    rows = np.arange(0, 5000, 7)
    doc.update_live(moved_table(doc.units, rows, doc.units.lon[rows] + 0.05, doc.units.lat[rows] - 0.03),
                    Tracks.empty(5000), rows)
    line = doc.line.moved(3, doc.line.vertices[3, 0] + 0.04, doc.line.vertices[3, 1] + 0.02)
    doc.set_preview(line)
    doc.set_line(line)
    assert_same_analysis(doc.analysis, fresh(doc).analysis)


def test_units_added_live_are_classified_and_announced():
    doc = make_doc(units=random_units(3000, seed=7))
    extra = random_units(40, seed=8)
    grown = UnitTable(*[np.concatenate([getattr(doc.units, f), getattr(extra, f)]) for f in
                        ("ids", "names", "sides", "affiliations", "domains", "lon", "lat")])
    grown = UnitTable(np.array([f"L{i}" if i >= 3000 else u for i, u in enumerate(grown.ids.tolist())], dtype=object),
                      grown.names, grown.sides, grown.affiliations, grown.domains, grown.lon, grown.lat)
    seen = signals(doc)
    doc.update_live(grown, Tracks.empty(len(grown)), None)
    assert seen[:2] == ["live_updated", "tracks_changed"] and "units_changed" in seen and "line_changed" not in seen
    assert_same_analysis(doc.analysis, fresh(doc).analysis)


def test_a_past_moment_shown_stays_unless_the_reports_reach_back_to_it():
    doc = demo_document()
    cursor = TimeCursor(doc)
    t_past = int(doc.tracks.time.min()) + 10 * 86_400
    cursor.set_time(t_past)
    view = doc.time_view
    seen = signals(doc)
    i = doc.units.index_of("SDF-01")
    now = cursor.now

    def report(t: int, lon: float, lat: float) -> Tracks:
        tr = doc.tracks
        return Tracks.from_reports(np.append(tr.unit, i), np.append(tr.time, t), np.append(tr.lon, lon),
                                   np.append(tr.lat, lat), len(doc.units))
    # A report from after the moment shown: the past stays on screen, "now" moves on.
    units = moved_table(doc.units, np.array([i]), np.array([38.7]), np.array([35.9]))
    doc.update_live(units, report(now + 60, 38.7, 35.9), np.array([i]), now + 60)
    assert doc.time_view is view and cursor.time == t_past and cursor.now == now + 60
    assert "time_view_changed" not in seen and "line_changed" not in seen and "positions_changed" not in seen
    # A late report from before it: the moment is worked out again and shows it.
    doc.update_live(doc.units, report(t_past - 60, 38.65, 35.95), np.empty(0, dtype=np.intp), t_past - 60)
    assert doc.time_view is not view and cursor.time == t_past
    assert (doc.shown_units.lon[i], doc.shown_units.lat[i]) == (38.65, 35.95)
    # Back to now: the live position.
    cursor.go_live()
    assert (doc.shown_units.lon[i], doc.shown_units.lat[i]) == (38.7, 35.9)
