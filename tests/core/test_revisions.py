"""Line revisions: which is in force when (exact boundaries), snapshots at a time, and the
diff between two revisions against a brute-force comparison of two Document analyses."""
import dataclasses

import numpy as np
import pytest

from desktop.core import demo
from desktop.core.basemap import load_layer
from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.revision_diff import diff, document_at
from desktop.core.revisions import AGREED, PROPOSED, SUPERSEDED, LineRevision, RevisionError, RevisionLog
from desktop.core.sectors import AreaOfOperations
from desktop.core.tracks import parse_time, units_at

LINE = DeconflictionLine(demo.LINE_AUGUST)


def rev(id_, effective, state=AGREED, line=LINE):
    return LineRevision(id_, line, effective, state)


def test_in_force_at_exact_boundaries():
    log = RevisionLog([rev("b", 200), rev("a", 100, SUPERSEDED), rev("p", 150, PROPOSED), rev("c", 300)])
    assert [r.id for r in log] == ["a", "p", "b", "c"]
    assert [r.id for r in log.agreed()] == ["a", "b", "c"]
    assert log.in_force_at(99) is None
    assert log.in_force_at(100).id == "a"      # at the effective time the new one is in force
    assert log.in_force_at(150).id == "a"      # a proposal is never in force
    assert log.in_force_at(199).id == "a"
    assert log.in_force_at(200).id == "b"
    assert log.in_force_at(10 ** 10).id == "c"
    times = np.array([99, 100, 150, 199, 200, 299, 300, 301])
    idx = log.in_force_index(times)
    assert [log.agreed()[k].id if k >= 0 else None for k in idx] == \
        [None if log.in_force_at(t) is None else log.in_force_at(t).id for t in times.tolist()]


def test_revisions_effective_at_the_same_second_the_later_listed_wins():
    log = RevisionLog([rev("first", 100), rev("second", 100)])
    assert log.in_force_at(100).id == "second"


def test_revision_validation_and_lookup():
    with pytest.raises(ValueError, match="state 'maybe'"):
        rev("x", 0, "maybe")
    with pytest.raises(ValueError, match="two line revisions have the id 'x'"):
        RevisionLog([rev("x", 0), rev("x", 1)])
    log = RevisionLog([rev("x", "2017-06-01T12:00:00+03:00")])
    assert log.get("x").effective == parse_time("2017-06-01T09:00:00Z")
    assert isinstance(LineRevision("y", demo.LINE_JUNE, 0).line, DeconflictionLine)
    with pytest.raises(RevisionError, match=r"no line revision 'nope' \(revisions: x\)"):
        log.get("nope")
    assert RevisionLog().in_force_at(0) is None


def test_document_defaults_are_empty():
    doc = Document(AreaOfOperations(demo.AO_RING), LINE, demo.demo_units(), demo.SIDES)
    assert len(doc.calls) == 0 and len(doc.revisions) == 0
    assert len(doc.tracks) == 0 and doc.tracks.n_units == len(doc.units)


# -- the demo's revisions -------------------------------------------------------------------
def test_demo_revisions():
    doc = demo.demo_document()
    revs = {r.id: r for r in doc.revisions}
    assert [r.id for r in doc.revisions] == ["june", "august", "september"]
    assert [revs[k].state for k in revs] == [SUPERSEDED, AGREED, PROPOSED]
    assert revs["june"].line == DeconflictionLine(demo.LINE_AUGUST[:6])
    assert revs["august"].line == doc.line                                  # the line on screen
    sept = revs["september"].line.vertices
    assert np.array_equal(sept[:len(demo.LINE_AUGUST)], np.array(demo.LINE_AUGUST))
    # the September extension follows the Euphrates of the rivers data, toward Mayadin
    rivers = load_layer("rivers", "i").lonlat
    added = sept[len(demo.LINE_AUGUST):]
    gap = np.abs(rivers[None, :, :] - added[:, None, :]).max(axis=2).min(axis=1)
    assert gap.max() < 1e-4
    assert np.hypot(*(added[-1] - (40.452, 35.021))) < 0.06
    for r in doc.revisions:
        doc.validate_line(r.line)
        analysis = doc.analyse(r.line)
        assert analysis.sectors.error is None
        assert [s.owner for s in analysis.sectors.sectors] == list(demo.SIDES)
    assert doc.revisions.in_force_at(demo.DEMO_NOW).id == "august"
    assert doc.revisions.in_force_at(demo.INCIDENT_DAY).id == "june"
    assert doc.revisions.in_force_at(demo.REVISION_EFFECTIVE["august"] - 1).id == "june"
    assert doc.revisions.in_force_at(demo.REVISION_EFFECTIVE["august"]).id == "august"
    assert doc.revisions.in_force_at(parse_time("2017-12-31T00:00:00Z")).id == "august"  # Sept. is only proposed


def test_document_at_uses_the_tracks_and_the_revision_in_force():
    doc = demo.demo_document()
    t = parse_time("2017-06-18T15:43:00Z")
    snap = document_at(doc, t)
    assert snap.line == doc.revisions.get("june").line
    lon, lat = doc.tracks.positions_at(t)
    np.testing.assert_array_equal(snap.units.lon, lon)
    np.testing.assert_array_equal(snap.units.lat, lat)
    assert snap.units.ids.tolist() == doc.units.ids.tolist()
    assert (snap.ao, snap.sides, snap.buffer_km) == (doc.ao, doc.sides, doc.buffer_km)
    snap = document_at(doc, t, interpolate=True)
    np.testing.assert_array_equal(snap.units.lon, doc.tracks.positions_at(t, True)[0])
    now = document_at(doc, demo.DEMO_NOW)
    assert np.array_equal(now.analysis.classification.sector, doc.analysis.classification.sector)
    with pytest.raises(RevisionError, match="first agreed one takes effect at 2017-06-01T12:00:00Z"):
        document_at(doc, demo.REVISION_EFFECTIVE["june"] - 1)
    before = document_at(doc, demo.HISTORY_START - 1, line=doc.line)  # no reports yet: in no sector
    assert (before.analysis.classification.sector == -1).all()


def owners_by_brute_force(ao, line, units):
    """Owner of each unit's sector (None outside), from a fresh Document of its own."""
    a = Document(ao, line, units, demo.SIDES).analysis
    owners = [s.owner for s in a.sectors.sectors]
    return a, [owners[i] if i >= 0 else None for i in a.classification.sector.tolist()]


@pytest.mark.parametrize("at", [None, "2017-06-18T15:43:00Z", "2017-08-10T00:00:00+03:00"])
def test_diff_june_august_matches_two_document_analyses(at):
    doc = demo.demo_document()
    june, august = doc.revisions.get("june"), doc.revisions.get("august")
    units = doc.units if at is None else units_at(doc.units, doc.tracks, at)
    a, owner_a = owners_by_brute_force(doc.ao, june.line, units)
    b, owner_b = owners_by_brute_force(doc.ao, august.line, units)
    want = [i for i in range(len(units)) if owner_a[i] != owner_b[i]]
    changes = diff(doc, "june", "august", at=at)
    assert changes.a is june and changes.b is august
    assert changes.rows.tolist() == want
    assert changes.ids.tolist() == units.ids[want].tolist()
    assert changes.owner_a.tolist() == [owner_a[i] for i in want]
    assert changes.owner_b.tolist() == [owner_b[i] for i in want]
    ids_a = [s.id for s in a.sectors.sectors]
    assert changes.sector_a.tolist() == [ids_a[a.classification.sector[i]] if a.classification.sector[i] >= 0
                                         else None for i in want]
    np.testing.assert_allclose(changes.distance_a_km, a.classification.distance_km[want], atol=1e-9)
    np.testing.assert_allclose(changes.distance_b_km, b.classification.distance_km[want], atol=1e-9)
    np.testing.assert_array_equal(changes.wrong_side_b, b.classification.wrong_side[want])
    if at is None:
        # the SDF units down the river toward Deir ez-Zor are on the Russian-backed side of the
        # June line's extension and on their own side of the August line
        assert changes.ids.tolist() == ["SDF-11", "SDF-13", "SDF-17", "SDF-19"]
        assert set(changes.owner_a) == {"Russian-backed"} and set(changes.owner_b) == {"US-backed"}
        assert changes.wrong_side_a.all() and not changes.wrong_side_b.any()


def test_diff_of_a_revision_with_itself_is_empty_and_columns_are_json_ready():
    doc = demo.demo_document()
    assert len(diff(doc, "august", "august")) == 0
    cols = diff(doc, doc.revisions.get("august"), doc.revisions.get("september")).columns()
    assert set(cols) == set(diff(doc, "june", "august").FIELDS)
    assert all(isinstance(v, (float, type(None))) for v in cols["distance_a_km"])


def test_diff_with_units_outside_the_ao_and_without_positions():
    doc = demo.demo_document()
    lon = doc.units.lon.copy()
    lon[0] = np.nan
    moved = dataclasses.replace(doc.units, lon=lon)
    other = Document(doc.ao, doc.line, moved, doc.sides, revisions=doc.revisions)
    changes = diff(other, "june", "august")
    assert "SDF-01" not in changes.ids.tolist()
