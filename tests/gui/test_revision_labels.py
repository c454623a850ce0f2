"""The labels of ghosted line revisions and of the sectors take part in the map's shared
label registry: in README's view and in an export at the 18 June incident none covers a
unit symbol or another label; a revision label whose spot is taken moves along its line,
then shortens, and keeps its state where it would sit on the line in force; a sector's id
finds a clear spot inside its sector, alone if its owner does not fit; night mode paints
them light where they were laid out."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import shapely

from desktop.gui.map.layers.label_spots import Line, place
from desktop.gui.export.map_frame import MapFrame
from desktop.gui.map.layers.labels import overlaps
from desktop.gui.map.layers.sectors import _clear_spot, sector_label_size
from desktop.gui.timeline.map_layer import LABEL_PT
from desktop.gui.timeline.revision_labels import along
from tests.gui.test_air_labels import painted_texts, readme_window, registry_of  # noqa: F401 - a fixture
from tests.gui.test_help_and_night import painted
from tests.gui.test_night_overlays import lightness
from desktop.core.tracks import parse_time
from tests.gui.test_timeline import JUNE_18

MINE = ("time.ghosts", "sectors.labels")


def covered(scene, settings, layers=MINE) -> tuple[list[str], list]:
    """(texts of the labels of `layers` painted, those among them that cover a unit symbol
    or another label's text)."""
    texts = painted_texts(scene, settings)
    frames = scene.labels.frames * settings.pixel_ratio
    mine = [(i, la, t, q) for i, (la, t, q) in enumerate(texts) if la in layers]
    bad = []
    for i, la, t, q in mine:
        box = np.array([[q.left(), q.top(), q.right(), q.bottom()]])
        if overlaps(box, frames).any():
            bad.append((t, "a unit symbol"))
        # (a sector's id and its owner are one label, stacked)
        bad += [(t, u) for j, (lb, u, p) in enumerate(texts)
                if j != i and not (la == lb == "sectors.labels" and abs(j - i) == 1) and p.intersects(q)]
    return [t for _, _, t, _ in mine], bad


def test_no_revision_or_sector_label_covers_a_symbol_or_a_label_in_the_readme_view(readme_window):
    scene, settings = readme_window.scene, readme_window.map_view.settings()
    texts, bad = covered(scene, settings)
    assert not bad
    # The proposal is named in full (it used to cover the town of Mayadin); the superseded
    # June line lies under the line in force all along: no spot tells it apart, it yields.
    assert "september (proposed)" in texts and not any(t.startswith("june") for t in texts)
    assert {"S1", "S2", "US-backed", "Russian-backed"} <= set(texts)


def test_no_revision_or_sector_label_covers_a_symbol_or_a_label_in_an_export_at_the_incident(readme_window):
    win = readme_window
    win.panels["timeline"].cursor.set_time(JUNE_18)
    win.map_view.flush()
    for logical, scale in (((1170, 760), 150 / 96), ((1920, 1080), 1.0)):   # A4 at 150 dpi; 1080p
        page = MapFrame(win.document, logical, scale, context=win.context, layers=tuple(win.scene.layer_state()))
        try:
            texts, bad = covered(page.scene, page.settings)
        finally:
            page.close()
        assert not bad, logical
        assert "september (proposed)" in texts and "august (agreed) · line being edited" in texts, logical
        assert {"S1", "S2"} <= set(texts), logical


def test_the_selected_calls_id_gives_way_to_no_label_and_covers_none(readme_window):
    """README's timeline screenshot: the 18 June incident, the shoot-down call selected. Its
    id stands beside its star, clear of every unit symbol and label (it printed over a
    unit's name), in the window and in exports."""
    win = readme_window
    win.panels["timeline"].cursor.set_time(parse_time("2017-06-18T15:50:00Z"))
    win.panels["timeline"].select_call("C-20170618-13")
    win.map_view.flush()
    texts, bad = covered(win.scene, win.map_view.settings(), ("time.call",))
    assert texts == ["C-20170618-13"] and not bad
    for logical, scale in (((1170, 760), 150 / 96), ((1920, 1080), 1.0)):   # A4 at 150 dpi; 1080p
        page = MapFrame(win.document, logical, scale, context=win.context, layers=tuple(win.scene.layer_state()))
        try:
            texts, bad = covered(page.scene, page.settings, ("time.call",))
        finally:
            page.close()
        assert texts == ["C-20170618-13"] and not bad, logical


def test_the_selected_calls_id_is_laid_out_again_only_when_it_moves(readme_window, monkeypatch):
    """A live feed rebuilds the time layers every second: the call's layer asks for a new
    label layout only when its star or its id changed."""
    scene = readme_window.scene
    layer, asked = scene.layer("time.call"), []
    monkeypatch.setattr(scene, "relayout_labels", lambda: asked.append(True))
    layer.rebuild()
    assert not asked   # no call selected
    readme_window.panels["timeline"].select_call("C-20170618-13")
    assert asked
    asked.clear()
    layer.rebuild()
    assert not asked and layer.label == "C-20170618-13"
    readme_window.panels["timeline"].select_call(None)
    assert asked


def straight(registry, shown=None):
    """Spots of a level line across the middle of `registry`'s extent, heading right."""
    return along(np.linspace(40.0, 200.0, 17), np.full(17, 150.0), registry.width, registry.height, shown)


def test_a_revision_label_whose_spot_is_taken_moves_along_its_line_then_shortens():
    forms = [(Line("september (proposed)", LABEL_PT + 1.5),), (Line("september", LABEL_PT + 1.5),)]
    free = registry_of()
    apart, _ = straight(free)
    first = place(free, forms, apart, (200.0, 150.0))
    # Beside the line's end, the way it heads: where the label stood before.
    assert first.lines == forms[0] and first.leader is None and first.x > 0 and first.ax == 0.0
    taken = registry_of()
    where = free.boxes[-1]
    taken.reserve([where])
    moved = place(taken, forms, straight(taken)[0], (200.0, 150.0))
    assert moved.lines == forms[0] and (moved.x, moved.y) != (first.x, first.y)
    mine = taken.boxes[1]
    assert not overlaps(mine, where)[0, 0]
    assert mine[1] >= 150.0 or mine[3] <= 150.0   # beside its line, not across it
    assert min(abs(mine[1] - 150.0), abs(mine[3] - 150.0)) <= 56.0 and mine[0] >= 40.0 - 1 and mine[2] <= 400
    # Only a short stretch of the line has room, too short for the full text: shortened.
    crowd = registry_of()
    crowd.reserve([(0, 0, 400, 100), (0, 200, 400, 300), (0, 100, 150, 200), (230, 100, 400, 200)])
    short = place(crowd, forms, straight(crowd)[0], (200.0, 150.0))
    assert short is not None and short.lines == forms[1]


def test_on_the_line_in_force_a_revision_label_keeps_its_state():
    registry = registry_of()
    shown = (np.linspace(0.0, 400.0, 9), np.full(9, 150.0))   # the line in force runs on beyond its end
    apart, shared = straight(registry, shown)
    assert len(apart.x) and len(shared.x)
    # The spots apart are those round its end only (the line in force goes on there too)
    ends = np.hypot(apart.x - 200.0, apart.y - 150.0)
    assert ends.max() < 60.0


def test_a_sector_label_finds_a_clear_spot_inside_its_sector_then_drops_its_owner():
    registry = registry_of()
    settings = registry.settings
    sector = shapely.box(90.0, 40.0, 310.0, 260.0)   # display coordinates (here: pixels, y up)
    sizes = [sector_label_size("S1", "US-backed"), sector_label_size("S1", "")]
    x, y, form = _clear_spot(sector, sizes, settings, registry)
    assert form == 0 and abs(x - 200.0) < 16 and abs(y - 150.0) < 16   # the middle
    middle = registry.boxes[-1]
    crowded = registry_of()
    crowded.reserve([middle])
    x, y, form = _clear_spot(sector, sizes, settings, crowded)
    assert form == 0 and not overlaps(crowded.boxes[-1], middle)[0, 0]
    assert sector.contains(shapely.Point(x, y))
    # Room for the id alone, nowhere for both lines: the id shows alone, over nothing.
    w, h = sizes[0]
    tight = registry_of()
    sx, sy = tight.to_screen([200.0], [150.0])
    walls = [(0, 0, 400, sy[0] - sizes[1][1] / 2 - 1), (0, sy[0] + sizes[1][1] / 2 + 1, 400, 300)]
    tight.reserve(walls)
    x, y, form = _clear_spot(sector, sizes, settings, tight)
    assert form == 1 and not overlaps(tight.boxes[-1], np.array(walls)).any()


def test_night_paints_the_revision_labels_light_on_dark_where_they_were_laid_out(readme_window):
    scene, day = readme_window.scene, readme_window.map_view.settings()
    ghosts = scene.layer("time.ghosts")
    night = replace(day, night=True)
    rects = ghosts.label_rects(day)
    assert rects and [q.toRect() for q in ghosts.label_rects(night)] == [q.toRect() for q in rects]
    glyphs = [q for la, _, q in painted_texts(scene, night) if la == "time.ghosts"]
    assert len(glyphs) == len(rects) and all(rect.contains(q) for rect, q in zip(rects, glyphs))
    q = rects[0].toRect()
    by_day, at_night = (lightness(painted(ghosts, s)[q.top() + 1:q.bottom(), q.left() + 1:q.right()])
                        for s in (day, night))
    # Dark text on a light backing by day; light text on a dark backing at night.
    assert np.median(by_day) > 170 and np.median(at_night) < 90
    assert by_day.min() < 150 and at_night.max() > 170


@pytest.mark.parametrize("ratio", [1.0, 4.0])
def test_an_export_paints_the_revision_labels_where_the_window_does(readme_window, ratio):
    scene, day = readme_window.scene, readme_window.map_view.settings()
    page = replace(day, size=(day.width * ratio, day.height * ratio), pixel_ratio=ratio)
    scene.prepare(page)
    big = scene.layer("time.ghosts").label_rects(page)
    scene.prepare(day)
    small = scene.layer("time.ghosts").label_rects(day)
    assert len(big) == len(small) >= 1
    np.testing.assert_allclose([[q.center().x() / ratio, q.center().y() / ratio] for q in big],
                               [[q.center().x(), q.center().y()] for q in small], atol=2.0)
