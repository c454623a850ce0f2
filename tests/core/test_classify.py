"""Classification against independent references (pyproj.Geod distances, shapely sectors in
another projection, see test_sectors.Reference), and incremental == full on random drags."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from desktop.core.classify import ON_LINE_KM, Classifier, classify, owner_codes
from desktop.core.demo import AO_RING, LINE_AUGUST, SIDES
from desktop.core.geodesy import Projection
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations, compute_sectors
from tests.core.test_sectors import GEOD, SCENARIOS, Reference, analyse

SAMPLE_M = 50.0   # spacing of the reference samples along the line


def reference_km(ref: Reference, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) bounds of the true geodesic km from each point to the effective line:
    upper = least Geod.inv distance to samples every <= 50 m along it; the truth is at most
    half a spacing closer. Samples are preselected in the reference plane (aeqd, < 1 %
    distortion here), then measured geodesically."""
    line = ref.effective_ll
    samples = []
    for i in range(len(line) - 1):
        d = GEOD.inv(*line[i], *line[i + 1])[2]
        n = int(np.ceil(d / SAMPLE_M)) - 1
        samples.append(line[i:i + 1])
        if n > 0:
            samples.append(np.array(GEOD.npts(*line[i], *line[i + 1], n)))
    samples.append(line[-1:])
    samples = np.concatenate(samples)
    sxy = ref.plane(samples)
    upper = np.empty(len(lon))
    for k, (lo, la) in enumerate(zip(lon, lat)):
        pxy = ref.plane(np.array([[lo, la]]))[0]
        planar = np.hypot(*(sxy - pxy).T)
        pick = planar <= planar.min() * 1.02 + 2000.0
        n = int(pick.sum())
        upper[k] = GEOD.inv(np.full(n, lo), np.full(n, la), samples[pick, 0], samples[pick, 1])[2].min()
    lower = np.sqrt(np.maximum(upper ** 2 - (SAMPLE_M / 2) ** 2, 0.0))
    return upper / 1000.0, lower / 1000.0


def sample_points(ref: Reference, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Random units over (and beyond) the AO, units exactly on the line, units 30-300 m off
    it, and a few far away."""
    rng = np.random.default_rng(seed)
    ring = np.array(ref.scenario.ao)
    (lo0, la0), (lo1, la1) = ring.min(axis=0), ring.max(axis=0)
    pad_lo, pad_la = (lo1 - lo0) * 0.15, (la1 - la0) * 0.15
    spread = (rng.uniform(lo0 - pad_lo, lo1 + pad_lo, 250), rng.uniform(la0 - pad_la, la1 + pad_la, 250))
    inside = ref.line_ll[shapely.contains_xy(ref.ao.buffer(-100.0), *ref.plane(ref.line_ll).T)]
    on = inside[rng.choice(len(inside), 40, replace=False)]
    on_line = (on[:, 0], on[:, 1])
    # Just off the line: perpendicular from line samples by 30-300 m either way.
    base = inside[rng.choice(len(inside) - 1, 60, replace=False)]
    az = GEOD.inv(base[:, 0], base[:, 1], *np.roll(inside, -1, axis=0)[:60].T)[0]
    off = rng.uniform(30.0, 300.0, 60) * rng.choice([-1, 1], 60)
    lon, lat, _ = GEOD.fwd(base[:, 0], base[:, 1], az + 90.0 * np.sign(off), np.abs(off))
    near_line = (lon, lat)
    centre = ring.mean(axis=0)
    lon, lat, _ = GEOD.fwd(np.full(8, centre[0]), np.full(8, centre[1]), np.arange(8) * 45.0,
                           rng.uniform(400e3, 700e3, 8))
    return dict(spread=spread, on_line=on_line, near_line=near_line, far=(lon, lat))


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def classified(request):
    scenario = SCENARIOS[request.param]
    ref = Reference(scenario)
    ao, proj, result = analyse(scenario)
    groups = sample_points(ref, seed=len(request.param))
    lon = np.concatenate([g[0] for g in groups.values()])
    lat = np.concatenate([g[1] for g in groups.values()])
    kind = np.concatenate([[k] * len(g[0]) for k, g in groups.items()])
    sides = np.random.default_rng(1).integers(-1, 2, len(lon)).astype(np.int8)
    x, y = proj.forward(lon, lat)
    clf = Classifier(x, y, sides, proj, ao.polygon(proj).bounds)
    c = clf.classify(result, owner_codes(result, SIDES), 5.0)
    return scenario, ref, result, lon, lat, kind, sides, c


def test_distances_match_geodesic_reference(classified):
    scenario, ref, result, lon, lat, kind, sides, c = classified
    upper, lower = reference_km(ref, lon, lat)
    km = c.distance_km
    tol_hi = np.maximum(0.002 * upper, 0.025)
    tol_lo = np.maximum(0.002 * lower, 0.025)
    bad = (km > upper + tol_hi) | (km < lower - tol_lo)
    assert not bad.any(), list(zip(kind[bad], km[bad], lower[bad], upper[bad]))


def test_sectors_match_reference_away_from_edges(classified):
    scenario, ref, result, lon, lat, kind, sides, c = classified
    part, near_edge = ref.part_of(lon, lat)
    check = ~near_edge
    assert check.sum() > 150
    assert np.array_equal(c.sector[check] >= 0, part[check] >= 0)
    # Each reference part corresponds to exactly one sector, of the same side.
    for p in np.unique(part[check & (part >= 0)]):
        ours = np.unique(c.sector[check & (part == p)])
        assert len(ours) == 1
        assert result.sectors[ours[0]].side == ref.sides[p]


def test_units_on_the_line(classified):
    scenario, ref, result, lon, lat, kind, sides, c = classified
    on = kind == "on_line"
    assert (c.distance_km[on] <= 0.025).all()
    assert c.near_line[on].all()
    assert not c.wrong_side[on].any()
    assert (c.sector[on] >= 0).all()


def test_units_outside_the_ao_have_no_sector_but_a_distance(classified):
    scenario, ref, result, lon, lat, kind, sides, c = classified
    part, near_edge = ref.part_of(lon, lat)
    outside = (part < 0) & ~near_edge
    assert outside.sum() >= 8
    assert (c.sector[outside] == -1).all()
    assert np.isfinite(c.distance_km[outside]).all() and (c.distance_km[outside] > 0).all()
    assert not c.wrong_side[outside].any()


def test_flags_follow_from_sector_distance_and_side(classified):
    scenario, ref, result, lon, lat, kind, sides, c = classified
    owners = owner_codes(result, SIDES)
    owner = np.where(c.sector >= 0, owners[np.maximum(c.sector, 0)], -1)
    assert np.array_equal(c.near_line, c.distance_km <= 5.0)
    expected = (c.sector >= 0) & (sides >= 0) & (owner != sides) & (c.distance_km > ON_LINE_KM)
    assert np.array_equal(c.wrong_side, expected)
    assert np.array_equal(c.counts(len(result.sectors)), np.bincount(c.sector[c.sector >= 0],
                                                                      minlength=len(result.sectors)))


def test_line_that_cannot_split_gives_no_sector_but_distances():
    ao = AreaOfOperations(AO_RING)
    proj = Projection.analysis_for(*ao.centre)
    line = DeconflictionLine(((42.0, 36.0), (42.5, 35.0)))
    result = compute_sectors(ao, line, SIDES, proj)
    assert result.error
    lon, lat = np.array([38.5, 39.5, 42.2]), np.array([35.5, 35.9, 35.6])
    c = classify(*proj.forward(lon, lat), np.zeros(3, np.int8), result, owner_codes(result, SIDES), 5.0, proj)
    assert (c.sector == -1).all() and not c.wrong_side.any()
    ref = GEOD.inv(lon, lat, np.full(3, 42.0), np.full(3, 36.0))[2] / 1000  # nearest: the first vertex
    assert c.distance_km[:2] == pytest.approx(ref[:2], rel=0.002)
    assert c.distance_km[2] < 15.0


def test_units_without_a_position_are_in_no_sector():
    ao, proj, result = analyse(SCENARIOS["demo"])
    x, y = proj.forward(np.array([39.0, np.nan]), np.array([35.5, np.nan]))
    c = classify(x, y, np.zeros(2, np.int8), result, owner_codes(result, SIDES), 5.0, proj)
    assert c.sector[1] == -1 and np.isnan(c.distance_km[1])
    assert not c.near_line[1] and not c.wrong_side[1]


def test_no_units():
    ao, proj, result = analyse(SCENARIOS["demo"])
    c = classify(np.empty(0), np.empty(0), np.empty(0, np.int8), result, owner_codes(result, SIDES), 5.0, proj)
    assert len(c.sector) == len(c.distance_km) == 0
    assert c.counts(2).tolist() == [0, 0]


# -- incremental == full -------------------------------------------------------------------

def _units(rng, ao, proj, line, n):
    ring = np.array(ao.ring)
    lo, hi = ring.min(axis=0) - 0.3, ring.max(axis=0) + 0.3
    lon, lat = rng.uniform(lo[0], hi[0], n), rng.uniform(lo[1], hi[1], n)
    # Some units exactly on vertices and on the AO corners, some far away.
    k = len(line.vertices) + len(ring)
    lon[:k] = np.concatenate([line.vertices[:, 0], ring[:, 0]])
    lat[:k] = np.concatenate([line.vertices[:, 1], ring[:, 1]])
    lon[k:k + 5] += 8.0
    return proj.forward(lon, lat)


def assert_same(inc, full):
    assert np.array_equal(inc.sector, full.sector)
    assert np.array_equal(inc.near_line, full.near_line)
    assert np.array_equal(inc.wrong_side, full.wrong_side)
    assert np.array_equal(np.isnan(inc.distance_km), np.isnan(full.distance_km))
    assert np.nanmax(np.abs(inc.distance_km - full.distance_km)) <= 1e-9
    assert np.array_equal(inc.counts(len(inc._result.sectors)), full.counts(len(full._result.sectors)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_drags_incremental_equals_full(seed):
    rng = np.random.default_rng(seed)
    ao = AreaOfOperations(AO_RING)
    proj = Projection.analysis_for(*ao.centre)
    line = DeconflictionLine(LINE_AUGUST)
    x, y = _units(rng, ao, proj, line, 20_000)
    sides = rng.integers(-1, 2, len(x)).astype(np.int8)
    clf = Classifier(x, y, sides, proj, ao.polygon(proj).bounds)
    result = compute_sectors(ao, line, SIDES, proj)
    current = clf.classify(result, owner_codes(result, SIDES), 5.0)
    fallbacks = 0
    for step in range(60):
        if step % 15 == 0:  # a new drag: another vertex, ends included
            vertex = int(rng.integers(len(line)))
        lon, lat = line.vertices[vertex]
        d_km = rng.uniform(1.0, 5.0)
        az = rng.uniform(0, 360)
        nlon, nlat, _ = GEOD.fwd(lon, lat, az, d_km * 1000)
        line = line.moved(vertex, nlon, nlat)
        result = compute_sectors(ao, line, SIDES, proj)
        owners = owner_codes(result, SIDES)
        previous = current
        current = clf.update(previous, result, owners, 5.0)
        fallbacks += current.changed is None
        full = clf.classify(result, owners, 5.0)
        if rng.random() < 0.3:  # read distances now and then: the lazy roots move on
            assert np.nanmax(np.abs(current.distance_km - full.distance_km)) <= 1e-9
        assert np.array_equal(current.sector, full.sector)
        assert np.array_equal(current.near_line, full.near_line)
        assert np.array_equal(current.wrong_side, full.wrong_side)
        if current.changed is not None:
            differs = ((current.sector != previous.sector) | (current.near_line != previous.near_line)
                       | (current.wrong_side != previous.wrong_side))
            assert np.array_equal(current.changed, np.flatnonzero(differs))
    assert_same(current, full)
    assert fallbacks < 10


def test_update_falls_back_when_the_sectors_change_in_number():
    ao = AreaOfOperations(AO_RING)
    proj = Projection.analysis_for(*ao.centre)
    rng = np.random.default_rng(5)
    line = DeconflictionLine(SCENARIOS["reenter"].line)
    x, y = _units(rng, ao, proj, line, 5000)
    clf = Classifier(x, y, np.zeros(len(x), np.int8), proj)
    r3 = compute_sectors(ao, line, SIDES, proj)
    base = clf.classify(r3, owner_codes(r3, SIDES), 5.0)
    flat = line.moved(2, 38.6, 36.2).moved(3, 39.2, 36.2)  # the loop now stays inside: 2 sectors
    r2 = compute_sectors(ao, flat, SIDES, proj)
    assert len(r3.sectors) == 3 and len(r2.sectors) == 2
    inc = clf.update(base, r2, owner_codes(r2, SIDES), 5.0)
    assert inc.changed is None
    assert_same(inc, clf.classify(r2, owner_codes(r2, SIDES), 5.0))


def test_rebuffer_changes_only_near_line():
    ao, proj, result = analyse(SCENARIOS["demo"])
    rng = np.random.default_rng(3)
    x, y = _units(rng, ao, proj, DeconflictionLine(LINE_AUGUST), 3000)
    clf = Classifier(x, y, np.zeros(len(x), np.int8), proj)
    c = clf.classify(result, owner_codes(result, SIDES), 5.0)
    wide = clf.rebuffer(c, 12.0)
    assert np.array_equal(wide.near_line, c.distance_km <= 12.0)
    assert wide.sector is c.sector and wide.wrong_side is c.wrong_side
    assert np.array_equal(wide.changed, np.flatnonzero(wide.near_line != c.near_line))


# -- long lines (more than SPARSE_FROM pieces: measured against an R-tree) ------------------

def _long_line(n: int) -> DeconflictionLine:
    """A line of n vertices along the August line, winding a few hundred metres."""
    v = np.asarray(LINE_AUGUST)
    t = np.linspace(0, len(v) - 1, n)
    lon = np.interp(t, np.arange(len(v)), v[:, 0]) + 0.003 * np.sin(np.arange(n) * 0.05)
    lat = np.interp(t, np.arange(len(v)), v[:, 1])
    return DeconflictionLine(np.column_stack([lon, lat]))


def _long_scenario(seed: int):
    rng = np.random.default_rng(seed)
    ao = AreaOfOperations(AO_RING)
    proj = Projection.analysis_for(*ao.centre)
    line = _long_line(3000)
    x, y = _units(rng, ao, proj, line, 20_000)
    return rng, ao, proj, line, x, y, rng.integers(-1, 2, len(x)).astype(np.int8)


def test_long_lines_measure_as_the_per_block_candidates_do(monkeypatch):
    """Issue 14.8: a 10^5-vertex line took 20 s (10^6: over 300 s) in the loop over each
    block's candidate pieces. Lines of more than SPARSE_FROM pieces are measured unit by
    unit against an R-tree of the pieces; the answers are the candidate loop's."""
    from desktop.core import _distance
    rng, ao, proj, line, x, y, sides = _long_scenario(5)
    result = compute_sectors(ao, line, SIDES, proj)
    owners = owner_codes(result, SIDES)
    from desktop.core.classify import distance_pieces
    assert distance_pieces(result).m > 5 * _distance.SPARSE_FROM
    sparse = Classifier(x, y, sides, proj, ao.polygon(proj).bounds).classify(result, owners, 5.0)
    monkeypatch.setattr(_distance, "SPARSE_FROM", 10 ** 9)
    dense = Classifier(x, y, sides, proj, ao.polygon(proj).bounds).classify(result, owners, 5.0)
    assert_same(sparse, dense)


def test_long_line_drags_incremental_equals_full():
    rng, ao, proj, line, x, y, sides = _long_scenario(7)
    clf = Classifier(x, y, sides, proj, ao.polygon(proj).bounds)
    result = compute_sectors(ao, line, SIDES, proj)
    current = clf.classify(result, owner_codes(result, SIDES), 5.0)
    for vertex in (0, 1500, 1501, 2999):
        lon, lat = line.vertices[vertex]
        nlon, nlat, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360), 2000.0)
        line = line.moved(vertex, nlon, nlat)
        result = compute_sectors(ao, line, SIDES, proj)
        owners = owner_codes(result, SIDES)
        current = clf.update(current, result, owners, 5.0)
        assert_same(current, clf.classify(result, owners, 5.0))


def test_a_line_of_too_many_vertices_is_refused():
    from desktop.core.line import MAX_VERTICES, LineError
    proj = Projection.analysis_for(39.0, 35.5)
    with pytest.raises(LineError, match="100,001 vertices, more than 100,000: simplify it"):
        _long_line(MAX_VERTICES + 1).validate(proj)
