"""The side view's block labels as a planner reads them: at the dock's size on opening the
demo, every label is whole (each line's text, measured in the font it is painted in, inside
its block or clear of every block on a leader from its outline), none covers another or an
aircraft's label, a thin block shows its short name; a wider dock shows them in full;
hovering a block gives its full text as plain text; at night they are light on the dark."""
from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.air.commands import edit_acm
from desktop.gui import theme
from desktop.gui.map.layers.label_spots import MARGIN_PX
from desktop.gui.map.layers.painting import label_font
from tests.gui.air_helpers import at_replay
from tests.gui.test_side_view import SHOT


@pytest.fixture(autouse=True)
def back_to_day():
    yield
    theme.apply(False)  # the theme is the application's: leave it as the next test expects


def shown(canvas):
    """The layout of the labels as the canvas paints itself now, and its painted image."""
    image = canvas.grab().toImage()
    return canvas.labels(QtCore.QRectF(canvas.rect())), image


def text_rects(label, plot) -> list[QtCore.QRectF]:
    """Where each line's text (no margin) is painted, measured in its own font."""
    rects = []
    for line, rect in zip(label.lines, label.rects(plot.left(), plot.top(), 1.0)):
        width = QtGui.QFontMetricsF(label_font(line.pt, 1.0, line.bold)).horizontalAdvance(line.text)
        assert rect.width() - 2 * MARGIN_PX == pytest.approx(width, abs=0.01)   # the whole line
        rects.append(rect.adjusted(MARGIN_PX, MARGIN_PX, -MARGIN_PX, -MARGIN_PX))
    return rects


def as_rect(box) -> QtCore.QRectF:
    x0, y0, x1, y1 = box
    return QtCore.QRectF(QtCore.QPointF(x0, y0), QtCore.QPointF(x1, y1))


def lines_of(block) -> tuple[str, ...]:
    return tuple(line.text for line in block.label.lines)


def assert_legible(layout) -> None:
    """Each label whole, inside its block or off every block on a leader from its own
    outline; no two labels (blocks' or aircraft's) overlapping; all within the plot."""
    boxes = [as_rect(box) for b in layout.blocks for box in b.boxes]
    painted = []
    for b in layout.blocks:
        if b.label is None:
            continue
        own = [as_rect(box) for box in b.boxes]
        for rect in text_rects(b.label, layout.plot):
            assert layout.plot.contains(rect)
            if b.label.leader is None:
                assert any(r.contains(rect) for r in own), (b.text, rect, own)
            else:
                assert not any(r.intersects(rect) for r in boxes), b.text
        if b.label.leader is not None:
            x0, y0 = b.label.leader[:2]
            start = QtCore.QPointF(layout.plot.left() + x0, layout.plot.top() + y0)
            assert any(r.adjusted(-0.5, -0.5, 0.5, 0.5).contains(start)
                       and not r.adjusted(0.5, 0.5, -0.5, -0.5).contains(start) for r in own)  # on its outline
        painted += [(b.text, r) for r in layout.label_rects(b)]
    painted += [(a.text, a.rect) for a in layout.aircraft]
    for i, (text, rect) in enumerate(painted):
        for other, second in painted[i + 1:]:
            assert not rect.intersects(second), (text, other)


def test_at_the_docks_size_every_block_label_is_whole_and_apart(demo_window):
    canvas = demo_window.panels["side_view"].canvas
    assert canvas.width() < 400   # the dock as the demo opens (README's screenshot)
    layout, image = shown(canvas)
    acms = {canvas.airspace[b.acm].id: b for b in layout.blocks}
    assert set(acms) == {"CAP-TABQA", "HIDACZ-JADIN", "ROZ-DEZ"} and all(b.label is not None for b in layout.blocks)
    assert_legible(layout)
    # The thin CAP block: its short name inside it; the narrow HIDACZ: beside it in full, on a leader.
    cap, hidacz = acms["CAP-TABQA"], acms["HIDACZ-JADIN"]
    assert lines_of(cap) == ("CAP-TABQA",) and cap.label.leader is None
    assert lines_of(hidacz)[0] == "HIDACZ Ja'Din" and hidacz.label.leader is not None
    assert "0 ft–FL180" in " ".join(lines_of(hidacz))   # the app's altitudes (desktop.core.air.measures)
    # Painted where laid out: the CAP's ink (its owner's blue, darkened) within its label's box.
    (rect,) = layout.label_rects(cap)
    patch = [image.pixelColor(x, y) for x in range(int(rect.left()), int(rect.right()))
             for y in range(int(rect.top()), int(rect.bottom()))]
    assert min(c.lightness() for c in patch) < 140 and any(c.blue() > c.red() + 30 for c in patch)


def test_at_the_incident_labels_keep_off_the_aircraft_and_each_other(demo_window):
    canvas = at_replay(demo_window, SHOT).panels["side_view"].canvas
    layout, _ = shown(canvas)
    assert len(layout.aircraft) >= 4
    assert_legible(layout)
    prof = canvas.profile
    plot, x_max, y_max = canvas.scales(QtCore.QRectF(canvas.rect()))
    x = plot.left() + prof.along_nm / x_max * plot.width()
    y = plot.bottom() - prof.alt_ft / y_max * plot.height()
    for b in layout.blocks:   # no block label hides an aircraft's marker
        for r in layout.label_rects(b):
            assert not any(r.intersects(QtCore.QRectF(px - 5, py - 6, 10, 10)) for px, py in zip(x, y))


def test_a_wider_dock_shows_the_labels_in_full(demo_window, qtbot):
    dock, canvas = demo_window.docks["side_view"], demo_window.panels["side_view"].canvas
    narrow, _ = shown(canvas)
    dock.setFloating(True)
    dock.resize(1200, 420)
    qtbot.waitUntil(lambda: canvas.width() > 1000)
    wide, _ = shown(canvas)
    assert wide is not narrow and wide.plot.width() > 2.5 * narrow.plot.width()
    assert_legible(wide)
    for b in wide.blocks:   # name and band inside the block (the widest also "inactive": the demo's moment)
        acm = canvas.airspace[b.acm]
        assert not b.active and b.label.leader is None
        assert lines_of(b) in {(f"{acm.kind} {acm.name}", f"{acm.block_label()} · inactive"),
                               (f"{acm.kind} {acm.name}", acm.block_label())}
    assert sum(lines_of(b)[1].endswith("inactive") for b in wide.blocks) >= 2
    dock.resize(360, 200)   # and narrow again: short forms, whole
    qtbot.waitUntil(lambda: canvas.width() < 400)
    again, _ = shown(canvas)
    assert_legible(again)
    assert {lines_of(b) for b in again.blocks} != {lines_of(b) for b in wide.blocks}


def test_hovering_a_block_shows_its_label_in_full_as_plain_text(demo_window, qtbot):
    doc = demo_window.document
    acm = doc.airspace.get("HIDACZ-JADIN")
    demo_window.stack.push(edit_acm(doc, acm.edited(name="<b>Ja'Din</b> & co"), what="Rename"))
    canvas = demo_window.panels["side_view"].canvas
    layout, _ = shown(canvas)
    (block,) = [b for b in layout.blocks if canvas.airspace[b.acm].id == "HIDACZ-JADIN"]
    x0, y0, x1, y1 = block.boxes[0]
    at = QtCore.QPoint(int((x0 + x1) / 2), int(y1 - 4))
    QtWidgets.QApplication.sendEvent(canvas, QtGui.QHelpEvent(QtCore.QEvent.Type.ToolTip, at, canvas.mapToGlobal(at)))
    qtbot.waitUntil(QtWidgets.QToolTip.isVisible)
    shown_text = QtGui.QTextDocument()
    shown_text.setHtml(QtWidgets.QToolTip.text())   # what Qt shows: the name as typed, not markup
    assert shown_text.toPlainText() == "HIDACZ <b>Ja'Din</b> & co (HIDACZ-JADIN)\n0 ft–FL180\ninactive"
    QtWidgets.QToolTip.hideText()


def test_at_night_the_side_view_is_dark_and_its_labels_light(demo_window):
    canvas = demo_window.panels["side_view"].canvas
    theme.apply(True, within=demo_window)
    layout, image = shown(canvas)
    assert canvas.night and image.pixelColor(2, 2).lightness() < 50
    for b in layout.blocks:
        for rect in text_rects(b.label, layout.plot):
            ink = max((image.pixelColor(x, y) for x in range(int(rect.left()), int(rect.right()))
                       for y in range(int(rect.top()), int(rect.bottom()))), key=lambda c: c.lightness())
            assert ink.lightness() > 180, canvas.airspace[b.acm].id
    theme.apply(False, within=demo_window)
    assert not canvas.night and canvas.grab().toImage().pixelColor(2, 2).lightness() > 240
