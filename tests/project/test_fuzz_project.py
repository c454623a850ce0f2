"""Property-based tests of the project reader: mutated GeoPackages, byte by byte and cell by
cell. Whatever the file holds, opening it gives a document or a ProjectError naming the
file; a document it gives can be saved and opened again. A few cases each in `make test`,
10,000 each in `make fuzz` (on a small project, so that a case takes milliseconds)."""
import shutil
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.calls import CallLog
from desktop.core.demo import demo_document
from desktop.core.document import Document
from desktop.core.project import ProjectError, load_project, save_project
from desktop.core.project import schema
from tests.fuzzing import byte_edits, fuzz, mutate


@pytest.fixture(scope="module")
def small_project(tmp_path_factory):
    """The demo without its tracks and with a day of calls: every layer, about 150 KB."""
    demo = demo_document()
    calls = demo.calls.take(demo.calls.between("2017-06-18T00:00:00Z", "2017-06-19T00:00:00Z"))
    doc = Document(demo.ao, demo.line, demo.units, demo.sides, title=demo.title, places=demo.places,
                   calls=calls if len(calls) else CallLog.empty(), revisions=demo.revisions)
    path = tmp_path_factory.mktemp("fuzz") / "small.gpkg"
    save_project(doc, path)
    return path


def open_or_refuse(path):
    try:
        doc = load_project(path)
    except ProjectError as exc:
        assert path.name in str(exc)
        return
    again = path.with_name("again.gpkg")
    save_project(doc, again)  # what the reader accepts, the writer writes and the reader reads back
    load_project(again)


@fuzz(40)
@given(edits=byte_edits(400_000, at_most=4))
def test_mutated_bytes(tmp_path, small_project, edits):
    p = tmp_path / "m.gpkg"
    p.write_bytes(mutate(small_project.read_bytes(), edits))
    open_or_refuse(p)


CELLS = st.one_of(st.none(), st.integers(-2 ** 63, 2 ** 63 - 1), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(max_size=40), st.binary(max_size=64), st.sampled_from(["", "0", "-1", "9e999", "[]",
                  "[[[[", '["x"]', "2017-06-18T14:00:00Z", "0001-01-01T00:00:00+14:00", "friend", "NaN"]))
LAYERS = [t for t in schema.LAYERS if t not in schema.DERIVED]


@fuzz(60)
@given(changes=st.lists(st.tuples(st.sampled_from(LAYERS), st.integers(0, 30), st.integers(1, 4), CELLS),
                        min_size=1, max_size=4))
def test_mutated_cells(tmp_path, small_project, changes):
    """Any value of any type in any column the reader reads (geometry blobs included)."""
    p = tmp_path / "c.gpkg"
    shutil.copyfile(small_project, p)
    with sqlite3.connect(p) as c:
        for layer, column, fid, value in changes:
            names = schema.read_columns(layer) if layer != schema.META else ["key", "value"]
            name = names[column % len(names)]
            c.execute(f'UPDATE "{layer}" SET "{name}" = ? WHERE fid = ?', (value, fid))
    sqlite3.connect(p).close()
    open_or_refuse(p)
