"""Units on the map, with level of detail so the map stays fluid at a million units.

- Very few units in view (<= unit_symbols.FULL_SYMBOL_LIMIT): full MIL-STD-2525 symbols
  (frame, function icon, echelon) from each unit's symbol code, with names that do not
  pile up (`unit_symbols.UnitDetail`). Documents this small (the demo) are always drawn
  this way and never rebuilt on pan/zoom.
- Few units in view (<= MARKER_LIMIT): small markers, one `SymbolItem` per affiliation
  (2525 frame shape and colour), with rings for near-line, wrong-side and selected units.
- Many units in view: a density raster (`unit_density`) at the view's pixel resolution,
  rebuilt only after a pan leaves the rasterised margin or a zoom ends (QTimer), never on
  a drag step. Flags are rings while few are flagged in the raster area (<= RING_LIMIT);
  beyond that they become cells of one overlay raster, patched per drag step from the
  units whose flag changed.

Drawing 1M markers costs ~150 ms a frame (NOTES); this layer paints at most two images
plus a bounded number of markers/rings per frame. Three layers share the work: the rasters
("units.density") sit over the sector fills and buffer band but under the AO outline and
the line, so a carpet of a million units never hides the line being edited; markers,
symbols and rings ("units") and the unit names ("units.labels") are above them
(desktop.gui.map.layers.unit_parts).

Live reports move units a few at a time (`move_units`): only what they changed is redrawn.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import pen
from desktop.gui.map.layers.points import PointSymbols, Raster
from desktop.gui.map.layers.unit_density import (OUTSIDE, CellGrid, FlagCover, argb, density_image, density_pixels,
                                                  move_counts)
from desktop.gui.map.layers.unit_names import UnitNames
from desktop.gui.map.layers.unit_text_amplifiers import LABEL_RANK as TEXT_AMPLIFIER_RANK
from desktop.gui.map.layers.unit_text_amplifiers import layout_text_amplifiers
from desktop.gui.symbology import marker_path
from desktop.gui.unit_symbols import FULL_SYMBOL_LIMIT, UnitDetail

UNIT_PX = 14            # a small marker's frame width (friend: 14 x 9 px)
RING_PX = {"markers": {"near": UNIT_PX + 6, "wrong": UNIT_PX + 10, "selection": UNIT_PX + 14},
           "symbols": {"near": 38, "wrong": 44, "selection": 50}}  # rings round a full symbol
MARKER_LIMIT = 25_000   # units in view drawn as markers at most (~4 ms a frame)
RING_PEN_PX = 2.5       # ring line width
RING_COLOURS = {"near": style.NEAR_LINE_COLOUR, "wrong": style.WRONG_SIDE_COLOUR, "selection": style.SELECTION_COLOUR}
RING_DASHES = {"near": [2.0, 1.5]}  # in ring widths: 5 px dashes, 3.75 px gaps
RING_LIMIT = 250        # flagged units in the raster area drawn as rings at most (more rings bury the map)
MARGIN = 0.25           # of the view size, each side, drawn beyond the view: small pans need no rebuild
CELL_PX = 2             # raster cell in screen pixels: a lone unit is still a visible dot
PAN_THROTTLE_MS = 40    # during a long pan, at most one rebuild per interval
ZOOM_DEBOUNCE_MS = 80   # a zoom rebuilds once the wheel stops
AFFILIATIONS = tuple(style.AFFILIATION_COLOURS)  # class k = affiliation k; the last is "unknown"
FLAGS = ("near", "wrong", "selection")           # overlay priority: later wins


class UnitLayer(MapLayer):
    """Markers, full symbols and flag rings; owns the level of detail that the density and
    names layers draw from. `selection`: the shared unit selection (rings)."""

    id, title, group, z = "units", "Units", "Units", 30.0
    label_rank = -10  # the symbols go into the label registry first: every label keeps clear of them

    def __init__(self, selection) -> None:
        super().__init__()
        self.selection = selection
        frame = pen((0, 0, 0), 1)
        self.markers = {aff: PointSymbols(marker_path(aff), UNIT_PX, frame, QtGui.QBrush(QtGui.QColor(*colour)))
                        for aff, colour in style.AFFILIATION_COLOURS.items()}
        sizes = RING_PX["markers"]
        self.rings = {name: PointSymbols("o", sizes[name], ring_pen(name), None) for name in FLAGS}
        self.near_rings, self.wrong_rings, self.selection_rings = self.rings.values()
        self.density = Raster()
        self.flag_raster = Raster()
        self._flag_argb = {"near": argb(style.NEAR_LINE_COLOUR), "wrong": argb(style.WRONG_SIDE_COLOUR),
                           "selection": argb(style.SELECTION_COLOUR)}
        self._class_rgb = np.array(list(style.AFFILIATION_COLOURS.values()), dtype=np.float32)
        self.x = np.empty(0)
        self.y = np.empty(0)
        self.mode = "markers"
        self.settings: MapSettings | None = None   # the extent the level of detail is for
        self.detail = UnitDetail(self)
        self._set_units_state()
        self._timer = self.debounce(ZOOM_DEBOUNCE_MS, self.rebuild_view)

    def attach(self, scene) -> None:
        super().attach(scene)
        doc = self.document
        self.links.connect(doc.analysis_changed, self.update_flags)
        self.links.connect(doc.units_changed, self._on_units_changed)
        self.links.connect(doc.positions_changed, self._on_units_changed)  # the time cursor moved them
        self.links.connect(doc.live_updated, self._on_live_updated)        # live reports moved some
        self.links.connect(self.selection.changed, self._on_selection_changed)
        self._on_units_changed()
        self.update_flags(doc.analysis)

    def _on_units_changed(self) -> None:
        self.refresh_positions()
        self.update_selection(self.selection.units)

    def _on_live_updated(self, update) -> None:
        if update.added or self.document.time_view is not None:   # (added: units_changed follows)
            return
        laid_out = self.detail.names
        self.detail.names = UnitNames()
        if update.moved is None or len(self.document.shown_units) != self.n:
            self._on_units_changed()
        else:
            self.move_units(update.moved)
        self.detail.follow_names(laid_out)   # until they are laid out again (seconds in a crowd)

    def _on_selection_changed(self, _source) -> None:
        self.update_selection(self.selection.units)

    def projection_changed(self) -> None:
        self.refresh_positions()

    def flags(self, name: str) -> np.ndarray:
        """Per unit, whether it is flagged `name` ("near", "wrong", "selection"), as drawn."""
        return self._flags[name]

    # -- the scene's calls ----------------------------------------------------------------------
    def refresh_positions(self) -> None:
        """Re-project every unit (units or display CRS changed) and redraw at once."""
        units = self.document.shown_units
        self.x, self.y = (np.array(a, dtype=float) for a in self.scene.to_display(units.lon, units.lat))
        cls = np.full(len(units), len(AFFILIATIONS) - 1, dtype=np.int8)
        for k, name in enumerate(AFFILIATIONS[:-1]):
            cls[units.affiliations == name] = k
        self._set_units_state(cls)
        self.rebuild_view()

    def update_flags(self, analysis: Analysis) -> None:
        """Called on every drag step: cost follows the units whose flags changed."""
        c = analysis.classification
        dirty = []
        for name, new in (("near", c.near_line), ("wrong", c.wrong_side)):
            new = np.asarray(new, dtype=bool)
            if len(new) != self.n:
                return  # units are being replaced; refresh_positions follows
            old = self._flags[name]
            changed = np.flatnonzero(new != old)
            if not len(changed):
                continue
            now = new[changed]
            old[changed] = now  # our own copy: the core may reuse its arrays
            self._changed.add(name)
            if self.mode == "lod":
                cell = self._cell_of[changed]
                dirty.append(self._covers[name].apply(cell[now], cell[~now]))
        self._show_flags(np.concatenate(dirty) if dirty else None)
        self.changed()

    def update_selection(self, indices: np.ndarray) -> None:
        idx = np.asarray(indices, dtype=np.int64)
        sel = self._flags["selection"]
        sel[:] = False
        sel[idx[(idx >= 0) & (idx < self.n)]] = True
        self._changed.add("selection")
        if self.mode == "lod":
            self._covers["selection"] = FlagCover(self.grid, self._cell_of[np.flatnonzero(sel)])
            self._recolour_all()
        self._show_flags(None)
        self.changed()

    def unit_at(self, x: float, y: float, tolerance: float) -> int | None:
        """Index of the unit nearest to display (x, y) within `tolerance` map units."""
        if not self.n:
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        np.fmin(d2, np.inf, out=d2)  # a unit without position (NaN) is never hit
        i = int(np.argmin(d2))
        return i if d2[i] <= tolerance * tolerance else None

    @property
    def n(self) -> int:
        return len(self.x)

    def flush(self) -> None:
        """Run a pending pan/zoom rebuild now (tests)."""
        if self._timer.active:
            self.rebuild_view()

    @property
    def rebuild_pending(self) -> bool:
        return self._timer.active

    # -- units --------------------------------------------------------------------------------
    def _set_units_state(self, cls: np.ndarray | None = None) -> None:
        n = self.n
        cls = np.zeros(n, dtype=np.int8) if cls is None else cls
        self._cls = cls
        # Class-sorted float32 copies: each class is a contiguous slice for its bincount.
        self._order = np.argsort(cls, kind="stable")
        self._rank = np.empty(n, dtype=np.int64)   # where each unit is in the sorted copies
        self._rank[self._order] = np.arange(n)
        self._class_slices = np.searchsorted(cls[self._order], np.arange(len(AFFILIATIONS) + 1))
        self._xs = np.nan_to_num(self.x[self._order].astype(np.float32), nan=np.inf)
        self._ys = np.nan_to_num(self.y[self._order].astype(np.float32), nan=np.inf)
        self._flags = {name: np.zeros(n, dtype=bool) for name in FLAGS}
        self._changed = set(FLAGS)
        self._all_markers = n <= MARKER_LIMIT
        self.grid: CellGrid | None = None
        self._cell_of = np.zeros(0, dtype=np.int32)
        self._covers: dict[str, FlagCover] = {}
        self._counts: tuple[list[np.ndarray], np.ndarray] | None = None   # the density raster's (per class, total)
        self._as_rings = dict.fromkeys(FLAGS, True)
        self._marker_idx = np.arange(n)
        self._coverage: tuple | None = None   # the map box drawn without a rebuild
        self._built_px = 0.0
        self.detail.reset(n)

    # -- level of detail ----------------------------------------------------------------------
    def _view_geometry(self) -> tuple[tuple, float] | None:
        """(extent, map units per screen pixel) the level of detail is for."""
        if self.settings is None:
            return None
        return self.settings.extent, max(self.settings.map_units_per_pixel) * self.settings.pixel_ratio

    def view_changed(self, settings: MapSettings) -> None:
        self.settings = settings
        if self._all_markers:
            if self.n > FULL_SYMBOL_LIMIT:  # full symbols or markers, by how many are in view
                self._timer.start(ZOOM_DEBOUNCE_MS)
            return
        rect, px = self._view_geometry()
        if not self._built_px:  # first layout of the view
            self.rebuild_view()
        elif self.mode == "lod" and abs(px / self._built_px - 1.0) > 0.01:
            self._timer.start(ZOOM_DEBOUNCE_MS)  # restart: one rebuild when zooming stops
        elif not _covers(self._coverage, rect) and not self._timer.active:
            self._timer.start(PAN_THROTTLE_MS)

    def prepare(self, settings: MapSettings) -> None:
        if settings != self.settings or self._timer.active:
            self.settings = settings
            self.rebuild_view()

    def rebuild_view(self) -> None:
        """Choose markers or rasters for the current extent and draw them."""
        self._timer.stop()
        geometry = None if self._all_markers else self._view_geometry()
        if geometry is None:  # all markers, or no extent yet (nothing drawn until there is)
            # (a unit with no position at the time shown is not drawn, nor is its name)
            self._use_markers(np.flatnonzero(np.isfinite(self.x) & np.isfinite(self.y)) if self._all_markers
                              else np.empty(0, dtype=np.int64), None)
            self.changed()
            return
        (x0, y0, x1, y1), px = geometry
        pad_x, pad_y = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        padded = (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
        grid = CellGrid.covering(padded[0], padded[1], padded[2] - padded[0], padded[3] - padded[1], CELL_PX * px)
        cells = grid.locate(self._xs, self._ys)
        s = self._class_slices
        counts = [np.bincount(cells[s[k]:s[k + 1]], minlength=grid.size) for k in range(len(AFFILIATIONS))]
        total = counts[0].copy()
        for c in counts[1:]:
            total += c
        total[OUTSIDE] = 0
        window = grid.window(x0, y0, x1, y1)
        in_view = int(total.reshape(grid.h, grid.w)[window].sum())
        self._built_px = px
        cell_of = np.empty(self.n, dtype=np.int32)
        cell_of[self._order] = cells
        if in_view <= MARKER_LIMIT:
            idx = np.flatnonzero(cell_of)
            if len(idx) > 3 * MARKER_LIMIT:  # clustered just outside the view: draw the view only
                x, y = self.x[idx], self.y[idx]
                idx = idx[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)]
                padded = (x0, y0, x1, y1)
            self._use_markers(idx, padded)
        else:
            self._use_raster(grid, cell_of, counts, total)
        self.changed()

    def _use_markers(self, idx: np.ndarray, coverage: tuple | None) -> None:
        self.mode = "markers"
        self._marker_idx, self._coverage = idx, coverage
        self.grid, self._cell_of, self._covers, self._counts = None, np.zeros(0, dtype=np.int32), {}, None
        self.density.clear()
        self.flag_raster.clear()
        full = self.detail.wants(idx)
        small = np.empty(0, dtype=np.int64) if full else idx
        cls = self._cls[small]
        for k, item in enumerate(self.markers.values()):
            mine = small[cls == k]
            item.set_data(self.x[mine], self.y[mine])
        self._size_rings("symbols" if full else "markers")
        self.detail.show(idx if full else np.empty(0, dtype=np.int64))
        self._as_rings = dict.fromkeys(FLAGS, True)
        self._changed = set(FLAGS)
        self._show_flags(None)

    def _use_raster(self, grid: CellGrid, cell_of: np.ndarray, counts: list[np.ndarray], total: np.ndarray) -> None:
        self.mode = "lod"
        self.grid, self._cell_of, self._counts = grid, cell_of, (counts, total)
        x0, y0, w, h = grid.rect
        self._coverage = (x0 + grid.cell, y0 + grid.cell, x0 + w - grid.cell, y0 + h - grid.cell)
        self._marker_idx = np.empty(0, dtype=np.int64)
        for item in self.markers.values():
            item.set_data(np.empty(0), np.empty(0))
        self._size_rings("markers")
        self.detail.show(np.empty(0, dtype=np.int64))
        self.density.set_buffer(density_image(grid, counts, total, self._class_rgb), (x0, y0, x0 + w, y0 + h))
        self._covers = {name: FlagCover(grid, cell_of[np.flatnonzero(flag)]) for name, flag in self._flags.items()}
        self.flag_raster.set_buffer(np.zeros((grid.h, grid.w), dtype=np.uint32), (x0, y0, x0 + w, y0 + h))
        self._as_rings = {name: cover.total <= RING_LIMIT for name, cover in self._covers.items()}
        self._recolour_all()
        self._changed = set(FLAGS)
        self._show_flags(None)

    # -- live moves -------------------------------------------------------------------------------
    def move_units(self, rows) -> None:
        """Units `rows` moved (live reports): their positions follow, and what is drawn is
        patched for them alone while the level of detail holds (else it is rebuilt)."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        units = self.document.shown_units
        x, y = (np.asarray(a, dtype=float) for a in self.scene.to_display(units.lon[rows], units.lat[rows]))
        placed = np.isfinite(self.x[rows]) & np.isfinite(self.y[rows])
        self.x[rows], self.y[rows] = x, y
        at = self._rank[rows]
        self._xs[at] = np.nan_to_num(x.astype(np.float32), nan=np.inf)
        self._ys[at] = np.nan_to_num(y.astype(np.float32), nan=np.inf)
        if self.mode == "lod":
            dirty = self._move_in_raster(rows)
        else:
            dirty = self._move_markers(rows, placed != (np.isfinite(x) & np.isfinite(y)))
        if dirty is None:
            self.rebuild_view()
            return
        self._changed = set(FLAGS)   # rings go with their units
        self._show_flags(dirty)
        self.changed()

    def _move_markers(self, rows: np.ndarray, placed: np.ndarray) -> np.ndarray | None:
        """The same units drawn, moved (None: the set drawn or its level of detail changes)."""
        idx, box = self._marker_idx, self._coverage
        if box is None and placed.any():   # all units drawn: one got or lost its position
            return None
        if box is not None:   # the units in a box round the view: none may come or go, nor too many show
            view, _ = self._view_geometry()
            if (_within(box, self.x[rows], self.y[rows]) != np.isin(rows, idx)).any() \
                    or _within(view, self.x[idx], self.y[idx]).sum() > MARKER_LIMIT:
                return None
        if self.detail.wants(idx) != self.detail.active:
            return None
        if self.detail.active:
            self.detail.show(idx)
        else:
            cls = self._cls[idx]
            for k, item in enumerate(self.markers.values()):
                mine = idx[cls == k]
                item.set_data(self.x[mine], self.y[mine])
        return np.empty(0, dtype=np.int64)

    def _move_in_raster(self, rows: np.ndarray) -> np.ndarray | None:
        """Cells of the rasters that changed (None: few enough in view for markers now)."""
        grid, at = self.grid, self._rank[rows]
        old, new = self._cell_of[rows], grid.locate(self._xs[at], self._ys[at])
        moved = np.flatnonzero(old != new)
        rows, old, new = rows[moved], old[moved], new[moved]
        counts, total = self._counts
        cells = move_counts(counts, total, self._cls[rows], old, new)
        (x0, y0, x1, y1), _ = self._view_geometry()
        if total.reshape(grid.h, grid.w)[grid.window(x0, y0, x1, y1)].sum() <= MARKER_LIMIT:
            return None
        self._cell_of[rows] = new
        self.density.buffer.reshape(-1)[cells] = density_pixels(cells, counts, total, self._class_rgb)
        flagged = [cover.apply(new[self._flags[name][rows]], old[self._flags[name][rows]])
                   for name, cover in self._covers.items()]
        return np.concatenate([cells, *flagged])

    def _size_rings(self, level: str) -> None:
        for name, size in RING_PX[level].items():
            self.rings[name].set_size(size)

    # -- flags ----------------------------------------------------------------------------------
    def _show_flags(self, dirty: np.ndarray | None) -> None:
        """Rings for flags that changed; overlay cells for those drawn as a raster."""
        if self.mode == "lod":
            switched = False
            for name, cover in self._covers.items():
                rings = cover.total <= RING_LIMIT
                if rings != self._as_rings[name]:
                    self._as_rings[name], switched = rings, True
                    self._changed.add(name)
            if switched:
                self._recolour_all()
            elif dirty is not None and len(dirty):
                self._recolour(np.unique(dirty))
        for name in self._changed:
            flag, item = self._flags[name], self.rings[name]
            if self.mode == "markers":
                idx = self._marker_idx[flag[self._marker_idx]]
            elif self._as_rings[name]:
                idx = np.flatnonzero(flag)
                idx = idx[self._cell_of[idx] != OUTSIDE]
            else:
                idx = np.empty(0, dtype=np.int64)
            item.set_data(self.x[idx], self.y[idx])
        self._changed = set()

    def _overlay(self, sel) -> np.ndarray:
        """Cells `sel` of the flag raster: the density, flagged cells in their flag's colour
        (one image to draw instead of two: 1.2 ms less per repaint at 1400 x 900)."""
        out = self.density.buffer.reshape(-1)[sel].copy()
        for name in FLAGS:
            if not self._as_rings[name]:
                out[self._covers[name].counts[sel] > 0] = self._flag_argb[name]
        return out

    @property
    def flags_as_cells(self) -> bool:
        """Whether some flag is drawn as raster cells (the flag raster is then drawn in place
        of the density)."""
        return self.mode == "lod" and not all(self._as_rings.values())

    def _recolour(self, cells: np.ndarray) -> None:
        self.flag_raster.buffer.reshape(-1)[cells] = self._overlay(cells)

    def _recolour_all(self) -> None:
        self.flag_raster.buffer.reshape(-1)[:] = self._overlay(slice(None))

    # -- labels -----------------------------------------------------------------------------------
    def symbol_reach(self, idx: np.ndarray) -> np.ndarray:
        """Where each unit drawn in full reaches, with its flag rings (left, top, right,
        bottom; screen pixels from its position)."""
        idx = np.asarray(idx, dtype=np.int64)
        reach = self.detail.symbol_boxes(idx)
        for name in ("near", "wrong"):
            r = (RING_PX["symbols"][name] + RING_PEN_PX) / 2
            on = self._flags[name][idx]
            reach[on] = np.column_stack([np.minimum(reach[on, :2], -r), np.maximum(reach[on, 2:], r)])
        return reach

    def layout_labels(self, settings: MapSettings, registry) -> None:
        idx = self.detail.shown_in(settings)
        if len(idx):
            sx, sy = registry.to_screen(self.x[idx], self.y[idx])
            at = np.column_stack([sx, sy, sx, sy])
            registry.reserve_symbols(self.symbol_reach(idx) + at, idx, self.detail.symbol_boxes(idx) + at)
            registry.reserve_lines(self.detail.motion.segments(settings) / settings.pixel_ratio)  # movement arrows, speed leaders

    def label_passes(self) -> list:
        """The symbols first, as obstacles; their optional text amplifiers (M, X) last."""
        return [*super().label_passes(), (TEXT_AMPLIFIER_RANK, self._layout_text_amplifiers)]

    def _layout_text_amplifiers(self, settings: MapSettings, registry) -> None:
        layout_text_amplifiers(self, settings, registry)
        self.changed()

    # -- painting ---------------------------------------------------------------------------------
    def set_amplifiers(self, shown) -> None:
        """Show these symbol amplifiers (desktop.core.sidc.AMPLIFIERS: movement arrows, speed
        leaders, higher formation, altitude) on the units drawn in full; the names are the
        unit labels layer."""
        self.detail.set_amplifiers(shown)
        self.changed()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        for item in self.markers.values():
            item.paint(painter, settings)
        self.detail.motion.paint(painter, settings)
        self.detail.symbols.paint(painter, settings)
        for ring in self.rings.values():
            ring.paint(painter, settings)
        self.detail.texts.paint(painter, settings)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        w = rect.width() / len(self.markers)
        for k, item in enumerate(self.markers.values()):
            painter.fillRect(QtCore.QRectF(rect.left() + k * w + 1, rect.top() + 2, w - 2, rect.height() - 4),
                             item.brush)


def ring_pen(flag: str) -> QtGui.QPen:
    """The ring of a flag: near-line dashed, wrong-side and selection solid, so the flags
    differ by more than colour (a greyscale print keeps them apart)."""
    p = pen(RING_COLOURS[flag], RING_PEN_PX)
    if flag in RING_DASHES:
        p.setDashPattern(RING_DASHES[flag])
    return p


def _covers(box: tuple | None, rect: tuple) -> bool:
    return box is not None and box[0] <= rect[0] and box[1] <= rect[1] and box[2] >= rect[2] and box[3] >= rect[3]


def _within(box: tuple, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])
