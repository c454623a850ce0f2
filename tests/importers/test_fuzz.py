"""Property-based tests: random and mutated files thrown at every importer (the project
reader has its own, tests/project/test_fuzz_project.py). Whatever the bytes, a reader
returns data or raises InputError naming the file; it never crashes with another
exception, never hangs. A few cases each in `make test`, 10,000 each in `make fuzz`."""
import json
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.demo import demo_document
from desktop.core.exporters import export_layer_text
from desktop.core.importers import import_file
from desktop.core.inputs import InputError
from tests.fuzzing import byte_edits, fuzz, mutate
from tests.importers.samples import GPX, KML

FUZZ = fuzz(60)
CSV = "id,name,side,affiliation,lat,lon,time,mgrs\nA,Alpha,US-backed,friend,35.8,38.6,2017-06-18T14:00:00Z,\n" \
      "B,Bravo,Russian-backed,hostile,35°37'12\"N,38°27'00\"E,2017-06-18T15:00:00Z,\nC,C,,,,,,37SDV6027368509\n"
SEEDS = {".csv": CSV.encode(), ".kml": KML.encode(), ".gpx": GPX.encode(),
         ".geojson": export_layer_text(demo_document(), "units", "geojson").encode()[:4000]}


EDITS = byte_edits(10_000)


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
