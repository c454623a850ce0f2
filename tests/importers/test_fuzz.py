"""Property-based tests: random and mutated files thrown at every reader (importers and the
project loader). Whatever the bytes, a reader returns data or raises InputError; it never
crashes with another exception, never hangs."""
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.demo import demo_document
from desktop.core.exporters import export_layer_text
from desktop.core.importers import import_file
from desktop.core.inputs import InputError
from desktop.core.project import ProjectError, load_project, save_project
from tests.importers.samples import GPX, KML

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CSV = "id,name,side,affiliation,lat,lon,time,mgrs\nA,Alpha,US-backed,friend,35.8,38.6,2017-06-18T14:00:00Z,\n" \
      "B,Bravo,Russian-backed,hostile,35°37'12\"N,38°27'00\"E,2017-06-18T15:00:00Z,\nC,C,,,,,,37SDV6027368509\n"
SEEDS = {".csv": CSV.encode(), ".kml": KML.encode(), ".gpx": GPX.encode(),
         ".geojson": export_layer_text(demo_document(), "units", "geojson").encode()[:4000]}


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, delete count, insert) edits: truncations, flips, junk."""
    out = bytearray(data)
    for pos, delete, insert in edits:
        pos %= len(out) + 1
        out[pos:pos + delete] = insert
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 64), st.binary(max_size=16)), min_size=1,
                 max_size=6)


def read_or_refuse(path, registry):
    try:
        import_file(path, registry)
    except InputError as exc:
        assert path.name in str(exc)


@pytest.mark.parametrize("ext", sorted(SEEDS))
@FUZZ
@given(edits=EDITS)
def test_mutated_files(tmp_path, registry, ext, edits):
    p = tmp_path / f"m{ext}"
    p.write_bytes(mutate(SEEDS[ext], edits))
    read_or_refuse(p, registry)


@pytest.mark.parametrize("ext", [".csv", ".geojson", ".kml", ".gpx", ".kmz", ".shp", ".gpkg"])
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path, registry, ext, data):
    p = tmp_path / f"r{ext}"
    p.write_bytes(data)
    read_or_refuse(p, registry)


@FUZZ
@given(text=st.text(max_size=300), fields=st.integers(1, 8))
def test_random_csv_text(tmp_path, registry, text, fields):
    p = tmp_path / "t.csv"
    p.write_text("id,lat,lon" + ",x" * (fields - 3 if fields > 3 else 0) + "\n" + text, encoding="utf-8")
    read_or_refuse(p, registry)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=20)


@FUZZ
@given(geometry=st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPolygon",
                                                                 "MultiLineString", "MultiPoint", "Nope"]),
                                       "coordinates": JSON_VALUES}), props=st.dictionaries(st.text(max_size=6),
                                                                                            JSON_VALUES, max_size=4))
def test_random_geojson_features(tmp_path, registry, geometry, props):
    p = tmp_path / "g.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection",
                             "features": [{"type": "Feature", "properties": props, "geometry": geometry}]}))
    read_or_refuse(p, registry)


@FUZZ
@given(edits=EDITS)
def test_mutated_kmz(tmp_path, registry, edits):
    p = tmp_path / "z.kmz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("doc.kml", mutate(KML.encode(), edits))
    read_or_refuse(p, registry)


@pytest.fixture(scope="module")
def project_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "p.gpkg"
    save_project(demo_document(), path)
    return path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 3_000_000), st.integers(0, 64), st.binary(max_size=16)),
                      min_size=1, max_size=4))
def test_mutated_project_files(tmp_path, project_bytes, edits):
    """Flipped, cut and spliced bytes anywhere in a real project: it opens (the damage hit
    unused space) or fails with a ProjectError naming the file."""
    p = tmp_path / "m.gpkg"
    p.write_bytes(mutate(project_bytes, edits))
    try:
        load_project(p)
    except ProjectError as exc:
        assert "m.gpkg" in str(exc)
