"""Undoable line edits: push/undo/redo, labels, refused edits, history jumps, clean state."""
import numpy as np
import pytest

from desktop.core.commands import CommandStack, delete_vertex, insert_vertex, move_vertex, set_buffer
from desktop.core.demo import demo_document
from desktop.core.line import DeconflictionLine, LineError


@pytest.fixture
def doc():
    return demo_document()


@pytest.fixture
def stack(doc):
    s = CommandStack(doc)
    s.emitted = []
    s.changed.connect(lambda: s.emitted.append(s.index))
    return s


def test_move_vertex_push_undo_redo(doc, stack):
    original = doc.line
    stack.push(move_vertex(doc, 2, 38.80, 35.75))
    assert tuple(doc.line.vertices[2]) == (38.80, 35.75)
    assert stack.undo_label == "Move vertex 3" and stack.can_undo() and not stack.can_redo()
    stack.undo()
    assert doc.line == original
    assert stack.redo_label == "Move vertex 3" and stack.undo_label == ""
    stack.redo()
    assert tuple(doc.line.vertices[2]) == (38.80, 35.75)
    assert stack.emitted == [1, 0, 1]


def test_insert_and_delete_vertex(doc, stack):
    n = len(doc.line)
    stack.push(insert_vertex(doc, 1, 38.40, 35.70))
    assert len(doc.line) == n + 1 and tuple(doc.line.vertices[1]) == (38.40, 35.70)
    assert stack.undo_label == "Insert vertex 2"
    stack.push(delete_vertex(doc, 4))
    assert len(doc.line) == n and stack.undo_label == "Delete vertex 5"
    stack.undo()
    stack.undo()
    assert len(doc.line) == n


def test_buffer_command(doc, stack):
    stack.push(set_buffer(doc, 7))
    assert doc.buffer_km == 7.0 and stack.undo_label == "Set buffer to 7 km"
    assert np.array_equal(doc.analysis.classification.near_line, doc.analysis.classification.distance_km <= 7.0)
    stack.undo()
    assert doc.buffer_km == 5.0


def test_self_intersecting_edit_is_refused_and_leaves_no_trace(doc, stack):
    stack.push(move_vertex(doc, 1, 38.52, 35.74))
    before, analysis, history = doc.line, doc.analysis, stack.commands
    seen = []
    doc.line_changed.connect(lambda *a: seen.append(a))
    with pytest.raises(LineError, match="cross itself"):
        stack.push(move_vertex(doc, 4, 38.65, 35.95))  # back across segment 2-3
    assert doc.line is before and doc.analysis is analysis
    assert stack.commands == history and stack.index == 1 and stack.emitted == [1]
    assert seen == []


def test_deleting_below_two_vertices_is_refused(stack):
    doc = stack.doc
    doc.set_line(DeconflictionLine(((38.3, 35.7), (39.0, 35.8))))
    with pytest.raises(LineError, match="at least two vertices"):
        stack.push(delete_vertex(doc, 0))
    assert len(doc.line) == 2 and stack.commands == () and stack.emitted == []


def test_set_index_jumps_through_history(doc, stack):
    lines = [doc.line]
    for i, lon in enumerate((38.45, 38.80, 39.10)):
        stack.push(move_vertex(doc, i + 1, lon, doc.line.vertices[i + 1][1]))
        lines.append(doc.line)
    stack.set_index(0)
    assert doc.line == lines[0] and stack.index == 0
    stack.set_index(3)
    assert doc.line == lines[3]
    stack.set_index(1)
    assert doc.line == lines[1] and stack.redo_label == "Move vertex 3"
    stack.set_index(99)
    assert stack.index == 3 and doc.line == lines[3]
    # Each jump leaves the analysis equal to a fresh one for that line.
    fresh = demo_document()
    fresh.set_line(lines[3])
    assert np.array_equal(doc.analysis.classification.sector, fresh.analysis.classification.sector)
    assert np.allclose(doc.analysis.classification.distance_km, fresh.analysis.classification.distance_km,
                       rtol=0, atol=1e-9)


def test_push_after_undo_drops_the_redo_history(doc, stack):
    stack.push(move_vertex(doc, 1, 38.45, 35.73))
    stack.push(move_vertex(doc, 2, 38.80, 35.81))
    stack.undo()
    stack.push(move_vertex(doc, 3, 39.06, 35.90))
    assert len(stack.commands) == 2 and not stack.can_redo()
    assert stack.undo_label == "Move vertex 4"


def test_clean_state(doc, stack):
    assert stack.is_clean()
    stack.push(move_vertex(doc, 1, 38.45, 35.73))
    assert not stack.is_clean()
    stack.mark_clean()
    stack.push(move_vertex(doc, 2, 38.80, 35.81))
    stack.undo()
    assert stack.is_clean()
    stack.undo()
    stack.push(move_vertex(doc, 3, 39.06, 35.90))   # the saved state is gone for good
    stack.push(move_vertex(doc, 4, 39.36, 35.86))
    assert stack.index == 2 and not stack.is_clean()
