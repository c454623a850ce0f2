"""Sectors against an independent reference: the same rules built with pyproj.Geod (100 m
geodesic densification) and shapely in an azimuthal equidistant plane centred away from
the AO, instead of the analysis transverse Mercator with 20 km pieces."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.ops import split

from desktop.core.demo import AO_RING, LINE_AUGUST, SIDES
from desktop.core.geodesy import Projection
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import LEFT, RIGHT, AreaOfOperations, compute_sectors, line_plane_xy

GEOD = Geod(ellps="WGS84")
US, RU = SIDES
REF_STEP_M = 100.0


@dataclass(frozen=True)
class Scenario:
    name: str
    ao: tuple
    line: tuple


SCENARIOS = {
    # Ends inside the AO: extended along the first and last segments.
    "demo": Scenario("demo", AO_RING, LINE_AUGUST),
    # Leaves the AO across its northern edge and comes back: two US-backed sectors.
    "reenter": Scenario("reenter", AO_RING, ((37.6, 35.8), (38.3, 36.0), (38.6, 36.6), (39.2, 36.6),
                                             (39.5, 36.0), (40.5, 35.5), (41.6, 35.2))),
    # Straddles the UTM zone boundary at 36°E, ~550 km wide.
    "utm_straddle": Scenario("utm_straddle", ((32.6, 33.0), (39.2, 33.1), (39.4, 36.9), (32.8, 37.0)),
                             ((33.4, 34.6), (35.0, 35.3), (36.0, 35.0), (37.2, 35.4), (38.6, 35.1))),
    # 65°N: meridians converge, a degree of longitude is ~47 km.
    "north": Scenario("north", ((18.0, 63.0), (32.0, 63.2), (31.5, 67.0), (18.5, 66.8)),
                      ((19.5, 65.2), (22.0, 64.6), (25.0, 65.4), (28.5, 64.9), (30.5, 65.3))),
}


def geodesic_points(lon, lat, step_m=REF_STEP_M, closed=False):
    """Vertices joined by geodesics sampled every <= step_m with Geod.npts."""
    lon, lat = list(lon), list(lat)
    if closed:
        lon, lat = lon + lon[:1], lat + lat[:1]
    out = [(lon[0], lat[0])]
    for i in range(len(lon) - 1):
        d = GEOD.inv(lon[i], lat[i], lon[i + 1], lat[i + 1])[2]
        out += GEOD.npts(lon[i], lat[i], lon[i + 1], lat[i + 1], int(np.ceil(d / step_m)) - 1)
        out.append((lon[i + 1], lat[i + 1]))
    return np.array(out)


class Reference:
    """The geometry rules of DESIGN.md built independently in an aeqd plane."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        ring = np.array(scenario.ao)
        clon, clat = ring[:, 0].mean() + 1.3, ring[:, 1].mean() - 0.9  # centred away from the AO
        self.fwd = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={clat} +lon_0={clon} +datum=WGS84",
                                        always_xy=True)
        self.inv = Transformer.from_crs(self.fwd.target_crs, "EPSG:4326", always_xy=True)
        self.ao_ll = geodesic_points(ring[:, 0], ring[:, 1], closed=True)
        self.ao = shapely.Polygon(self.plane(self.ao_ll))
        line = np.array(scenario.line)
        self.line_ll = geodesic_points(line[:, 0], line[:, 1])
        self.ext_start_ll = self._extension(line[0], line[1])
        self.ext_end_ll = self._extension(line[-1], line[-2])
        self.effective_ll = np.concatenate([self.ext_start_ll[::-1][:-1], self.line_ll, self.ext_end_ll[1:]])
        self.effective = shapely.LineString(self.plane(self.effective_ll))
        self.parts = [p for p in split(self.ao, self.effective).geoms if p.area > 1.0]
        self.sides = [self._side(p) for p in self.parts]
        self.boundary = shapely.union(self.ao.exterior, self.effective)
        shapely.prepare(self.boundary)

    def plane(self, ll):
        return np.column_stack(self.fwd.transform(ll[:, 0], ll[:, 1]))

    def _extension(self, tip, prev):
        """From `tip` along the continuing geodesic to just past the AO boundary (empty if
        the tip is outside the AO)."""
        if not self.ao.contains(shapely.Point(self.plane(np.array([tip]))[0])):
            return np.empty((0, 2))
        az = GEOD.inv(prev[0], prev[1], tip[0], tip[1])[1] + 180.0

        def walk(d):
            lon, lat, _ = GEOD.fwd(np.full(len(d), tip[0]), np.full(len(d), tip[1]), np.full(len(d), az), d)
            ll = np.column_stack([lon, lat])
            return ll, int(np.argmax(~shapely.contains_xy(self.ao, *self.plane(ll).T)))

        d = np.arange(0.0, 2.0e6, REF_STEP_M)
        ll, out = walk(d)
        fine, out_fine = walk(np.arange(d[out - 1], d[out] + 1.0, 1.0))  # the crossing, to 1 m
        return np.concatenate([ll[:out], fine[1:out_fine + 1]])

    def _side(self, part):
        """LEFT or RIGHT: which side of the (agreed) line the part lies on, by probes 30 m
        either side of the line's sample midpoints."""
        xy = self.plane(self.line_ll)
        mid = (xy[1:] + xy[:-1]) / 2
        d = xy[1:] - xy[:-1]
        normal = np.column_stack([-d[:, 1], d[:, 0]]) / np.hypot(d[:, 0], d[:, 1])[:, None]
        left = shapely.contains_xy(part, *(mid + 30 * normal).T).sum()
        right = shapely.contains_xy(part, *(mid - 30 * normal).T).sum()
        return LEFT if left >= right else RIGHT

    def part_of(self, lon, lat):
        """Index of the reference part holding each point (-1 outside) and whether the point
        lies within 20 m of a boundary (where the 10 m rule lets either answer stand)."""
        x, y = self.fwd.transform(lon, lat)
        part = np.full(len(x), -1)
        for i, p in enumerate(self.parts):
            part[shapely.contains_xy(p, x, y)] = i
        near_edge = shapely.dwithin(self.boundary, shapely.points(x, y), 20.0)
        return part, near_edge

    def area_km2(self, part):
        lon, lat = self.inv.transform(*np.asarray(part.exterior.coords).T)
        return abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e6


def analyse(scenario: Scenario):
    ao = AreaOfOperations(scenario.ao)
    proj = Projection.analysis_for(*ao.centre)
    return ao, proj, compute_sectors(ao, DeconflictionLine(scenario.line), SIDES, proj)


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def case(request):
    scenario = SCENARIOS[request.param]
    return (scenario, Reference(scenario), *analyse(scenario))


def test_same_sectors_and_sides_as_reference(case):
    scenario, ref, ao, proj, result = case
    assert result.error is None
    assert len(result.sectors) == len(ref.parts)
    assert sorted(s.side for s in result.sectors) == sorted(ref.sides)


def test_sector_areas_match_geodesic_areas(case):
    scenario, ref, ao, proj, result = case
    for sector in result.sectors:
        # The reference part holding this sector's interior point.
        lon, lat = proj.inverse(*np.asarray(sector.polygon.representative_point().coords)[0])
        part, _ = ref.part_of(np.atleast_1d(lon), np.atleast_1d(lat))
        expected = ref.area_km2(ref.parts[part[0]])
        assert sector.area_km2 == pytest.approx(expected, rel=1e-4)
    total = sum(s.area_km2 for s in result.sectors)
    assert total == pytest.approx(abs(GEOD.polygon_area_perimeter(*ref.ao_ll.T)[0]) / 1e6, rel=1e-4)


def test_extensions_reach_the_ao_boundary_along_the_end_segments(case):
    scenario, ref, ao, proj, result = case
    for ext, ref_ext in ((result.extension_start_xy[::-1], ref.ext_start_ll),
                         (result.extension_end_xy, ref.ext_end_ll)):
        assert len(ext) == 0 if len(ref_ext) == 0 else len(ext) > 1
        if not len(ext):
            continue
        lon, lat = proj.inverse(*ext[-1])
        # The end is on the reference boundary (1 m overshoot) and on the reference
        # extension geodesic, i.e. within the 10 m rule of both.
        end = shapely.Point(ref.plane(np.array([[lon, lat]]))[0])
        assert ref.ao.exterior.distance(end) < 10.0
        assert shapely.LineString(ref.plane(ref_ext)).distance(end) < 10.0


def test_demo_sectors_are_us_north_east_and_russian_south_west():
    _, _, result = analyse(SCENARIOS["demo"])
    s1, s2 = result.sectors
    assert (s1.id, s1.name, s1.owner, s1.side) == ("S1", US, US, LEFT)
    assert (s2.id, s2.name, s2.owner, s2.side) == ("S2", RU, RU, RIGHT)
    proj = Projection.analysis_for(*AreaOfOperations(AO_RING).centre)
    x, y = proj.forward([39.009, 39.3], [35.950, 35.2])
    assert s1.polygon.contains(shapely.Point(x[0], y[0]))   # Raqqa: north of the line
    assert s2.polygon.contains(shapely.Point(x[1], y[1]))   # the desert south of it


def test_reentering_line_makes_two_left_sectors_named_and_ordered():
    _, _, result = analyse(SCENARIOS["reenter"])
    ids = [s.id for s in result.sectors]
    assert ids == ["S1", "S2", "S3"]
    assert [(s.side, s.owner, s.name) for s in result.sectors] == [
        (LEFT, US, f"{US} 1"), (LEFT, US, f"{US} 2"), (RIGHT, RU, RU)]
    # S1 is met first along the line (west of the northern loop), S2 after it.
    assert result.sectors[0].polygon.centroid.x < result.sectors[1].polygon.centroid.x


def test_line_outside_the_ao_is_reported_not_guessed():
    ao = AreaOfOperations(AO_RING)
    proj = Projection.analysis_for(*ao.centre)
    result = compute_sectors(ao, DeconflictionLine(((42.0, 36.0), (42.5, 35.0))), SIDES, proj)
    assert result.sectors == ()
    assert result.error == "cannot split the AO: the line lies outside the AO"
    assert len(result.line_xy) >= 2 and len(result.effective_xy) >= 2


def test_line_reaching_into_the_ao_from_outside_is_extended_to_split_it():
    ao = AreaOfOperations(AO_RING)
    proj = Projection.analysis_for(*ao.centre)
    result = compute_sectors(ao, DeconflictionLine(((37.0, 35.8), (38.5, 35.7))), SIDES, proj)
    assert len(result.extension_start_xy) == 0 and len(result.extension_end_xy) > 1
    assert [s.side for s in result.sectors] == [LEFT, RIGHT]


def test_unmoved_segments_give_bit_identical_plane_points():
    """The incremental classification relies on this (common prefix/suffix of the line)."""
    proj = Projection.analysis_for(*AreaOfOperations(AO_RING).centre)
    line = DeconflictionLine(LINE_AUGUST)
    moved = line.moved(4, 39.40, 35.80)
    a, b = line_plane_xy(line, proj), line_plane_xy(moved, proj)
    pieces = [int(np.ceil(GEOD.inv(*LINE_AUGUST[i], *LINE_AUGUST[i + 1])[2] / 20_000.0)) for i in range(8)]
    before, after = 1 + sum(pieces[:3]), 1 + sum(pieces[5:])   # segments 3 and 4 moved
    assert np.array_equal(a[:before], b[:before])
    assert np.array_equal(a[-after:], b[-after:])
    assert not np.array_equal(a[before], b[before])


def test_line_plane_points_lie_on_the_geodesics():
    proj = Projection.analysis_for(*AreaOfOperations(AO_RING).centre)
    xy = line_plane_xy(DeconflictionLine(LINE_AUGUST), proj)
    lon, lat = proj.inverse(xy[:, 0], xy[:, 1])
    ref = geodesic_points(np.array(LINE_AUGUST)[:, 0], np.array(LINE_AUGUST)[:, 1], step_m=10.0)
    fwd = Transformer.from_crs("EPSG:4326", "+proj=aeqd +lat_0=35.5 +lon_0=39.2 +datum=WGS84", always_xy=True)
    ref_line = shapely.LineString(np.column_stack(fwd.transform(ref[:, 0], ref[:, 1])))
    gap = shapely.distance(ref_line, shapely.points(np.column_stack(fwd.transform(lon, lat))))
    assert gap.max() < 0.05
    pieces = np.hypot(*np.diff(xy, axis=0).T)
    assert pieces.max() <= 20_000.0 * 1.001
