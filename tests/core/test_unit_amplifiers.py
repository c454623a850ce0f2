"""The text amplifiers' data: an aircraft's altitude from the track report of the time shown,
else the unit table; the higher formation as the table holds it; both in the tooltip."""
import numpy as np

from desktop.core.demo import demo_document
from desktop.core.document import Document
from desktop.core.time_cursor import view_at
from desktop.core.tracks import parse_time
from desktop.core.unit_amplifiers import altitude_at, altitude_texts, higher_formation_texts
from desktop.core.unit_summary import unit_summary
from desktop.core.units import UnitTable


def test_an_aircrafts_altitude_is_its_track_report_at_the_time_shown():
    doc = demo_document()
    air = np.flatnonzero(doc.units.domains == "air")
    tracks = doc.tracks
    for t in (None, parse_time("2017-06-18T14:07:00Z"), parse_time("2017-07-01T09:03:00Z")):
        if t is not None:
            doc.set_time_view(view_at(doc, t))
        ft, reported = altitude_at(doc, air)
        when = tracks.time.max() if t is None else t
        for u, got in zip(air.tolist(), ft.tolist()):
            # The last report at or before the time, found here from the report columns themselves.
            mine = np.flatnonzero((tracks.unit == u) & (tracks.time <= when))
            want = tracks.alt_ft[mine[np.argmax(tracks.time[mine])]] if len(mine) else np.nan
            assert got == want or (np.isnan(got) and np.isnan(want)), (u, t)
        assert reported.tolist() == np.isfinite(ft).tolist() and reported.sum() >= 4


def test_without_a_report_the_unit_tables_altitude_stands_and_is_written_as_the_air_picture_writes_it():
    demo = demo_document()
    units = UnitTable.from_records([
        dict(id="A", name="High", side="US-backed", affiliation="friend", domain="air", lon=39.5, lat=35.8,
             alt_ft=25_040),
        dict(id="B", name="Low", side="US-backed", affiliation="friend", domain="air", lon=39.6, lat=35.8,
             alt_ft=9_500),
        dict(id="C", name="Unknown", side="US-backed", affiliation="friend", domain="air", lon=39.7, lat=35.8),
        dict(id="G", name="Bn", side="US-backed", affiliation="friend", domain="ground", lon=39.8, lat=35.8,
             higher_formation=" 3 Bde ")])
    doc = Document(demo.ao, demo.line, units, demo.sides)
    ft, reported = altitude_at(doc, np.arange(4))
    assert np.array_equal(ft, [25_040, 9_500, np.nan, np.nan], equal_nan=True) and not reported.any()
    assert altitude_texts(ft) == ["FL250", "9,500 ft", "", ""]
    assert higher_formation_texts(doc, np.arange(4)) == ["", "", "", "3 Bde"]
    rows = [dict(unit_summary(doc, i)) for i in range(4)]
    assert rows[0]["Altitude"] == "FL250 (unit table)" and rows[1]["Altitude"] == "9,500 ft (unit table)"
    assert "Altitude" not in rows[2] and "Altitude" not in rows[3]   # unknown; not an aircraft
    assert rows[3]["Higher formation"] == "3 Bde" and "Higher formation" not in rows[0]
    assert dict(unit_summary(demo, int(demo.units.index_of("AIR-02"))))["Altitude"].endswith("(track report)")
