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
plus a bounded number of markers/rings per frame.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from desktop.core.document import Analysis
from desktop.gui import style
from desktop.gui.symbology import marker_path
from desktop.gui.unit_density import OUTSIDE, CellGrid, FlagCover, argb, density_image
from desktop.gui.unit_items import RasterItem, SymbolItem
from desktop.gui.unit_symbols import FULL_SYMBOL_LIMIT, UnitDetail

if TYPE_CHECKING:
    from desktop.gui.map_view import MapView

Z_UNITS, Z_FLAGS, Z_SELECTION = 30, 31, 32
# Rasters sit over the sector fills and buffer band (-10, -9) but under the AO outline (-8),
# the line (20) and its handles (21): a carpet of a million units must not hide the line
# being edited. Markers and rings stay above everything, as before.
Z_DENSITY, Z_OVERLAY = -8.6, -8.5
UNIT_PX = 14            # a small marker's frame width (friend: 14 x 9 px)
RING_PX = {"markers": {"near": UNIT_PX + 6, "wrong": UNIT_PX + 10, "selection": UNIT_PX + 14},
           "symbols": {"near": 38, "wrong": 44, "selection": 50}}  # rings round a full symbol
MARKER_LIMIT = 25_000   # units in view drawn as markers at most (~4 ms a frame)
RING_LIMIT = 250        # flagged units in the raster area drawn as rings at most (more rings bury the map)
MARGIN = 0.25           # of the view size, each side, drawn beyond the view: small pans need no rebuild
CELL_PX = 2             # raster cell in screen pixels: a lone unit is still a visible dot
PAN_THROTTLE_MS = 40    # during a long pan, at most one rebuild per interval
ZOOM_DEBOUNCE_MS = 80   # a zoom rebuilds once the wheel stops
AFFILIATIONS = tuple(style.AFFILIATION_COLOURS)  # class k = affiliation k; the last is "unknown"
FLAGS = ("near", "wrong", "selection")           # overlay priority: later wins


class UnitLayer:
    def __init__(self, view: "MapView") -> None:
        self.view = view
        frame = pg.mkPen(0, 0, 0, width=1)
        self.markers = {aff: SymbolItem(marker_path(aff), UNIT_PX, frame, pg.mkBrush(*colour), Z_UNITS)
                        for aff, colour in style.AFFILIATION_COLOURS.items()}
        sizes = RING_PX["markers"]
        self.rings = {
            "near": SymbolItem("o", sizes["near"], pg.mkPen(*style.NEAR_LINE_COLOUR, width=2.5), None, Z_FLAGS),
            "wrong": SymbolItem("o", sizes["wrong"], pg.mkPen(*style.WRONG_SIDE_COLOUR, width=2.5), None, Z_FLAGS),
            "selection": SymbolItem("o", sizes["selection"], pg.mkPen(*style.SELECTION_COLOUR, width=2.5), None,
                                    Z_SELECTION),
        }
        self.near_rings, self.wrong_rings, self.selection_rings = self.rings.values()
        self.density = RasterItem(Z_DENSITY)
        self.flag_raster = RasterItem(Z_OVERLAY)
        for item in (self.density, self.flag_raster, *self.markers.values(), *self.rings.values()):
            view.plot_item.addItem(item)
        self._flag_argb = {"near": argb(style.NEAR_LINE_COLOUR), "wrong": argb(style.WRONG_SIDE_COLOUR),
                           "selection": argb(style.SELECTION_COLOUR)}
        self._class_rgb = np.array(list(style.AFFILIATION_COLOURS.values()), dtype=np.float32)
        self.x = np.empty(0)
        self.y = np.empty(0)
        self.mode = "markers"
        self.detail = UnitDetail(self)
        self._set_units_state()
        self._timer = QtCore.QTimer(view)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.rebuild_view)
        view.view_box.sigTransformChanged.connect(self._on_view_changed)

    # -- MapView API --------------------------------------------------------------------------
    def refresh_positions(self) -> None:
        """Re-project every unit (units or display CRS changed) and redraw at once."""
        units = self.view.document.shown_units
        self.x, self.y = (np.asarray(a, dtype=float) for a in self.view.to_display(units.lon, units.lat))
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
        """Run a pending pan/zoom rebuild now (tests, exports)."""
        if self._timer.isActive():
            self.rebuild_view()

    # -- units --------------------------------------------------------------------------------
    def _set_units_state(self, cls: np.ndarray | None = None) -> None:
        n = self.n
        cls = np.zeros(n, dtype=np.int8) if cls is None else cls
        self._cls = cls
        # Class-sorted float32 copies: each class is a contiguous slice for its bincount.
        self._order = np.argsort(cls, kind="stable")
        self._class_slices = np.searchsorted(cls[self._order], np.arange(len(AFFILIATIONS) + 1))
        self._xs = np.nan_to_num(self.x[self._order].astype(np.float32), nan=np.inf)
        self._ys = np.nan_to_num(self.y[self._order].astype(np.float32), nan=np.inf)
        self._flags = {name: np.zeros(n, dtype=bool) for name in FLAGS}
        self._changed = set(FLAGS)
        self._all_markers = n <= MARKER_LIMIT
        self.grid: CellGrid | None = None
        self._cell_of = np.zeros(0, dtype=np.int32)
        self._covers: dict[str, FlagCover] = {}
        self._as_rings = dict.fromkeys(FLAGS, True)
        self._marker_idx = np.arange(n)
        self._coverage = QtCore.QRectF()
        self._built_px = 0.0
        self.detail.reset(n)

    # -- level of detail ----------------------------------------------------------------------
    def _view_geometry(self) -> tuple[QtCore.QRectF, float] | None:
        vb = self.view.view_box
        rect = vb.viewRect()
        w, h = vb.width(), vb.height()
        if w < 1 or h < 1 or not (rect.width() > 0 and rect.height() > 0):
            return None
        return rect, max(rect.width() / w, rect.height() / h)

    def _on_view_changed(self, *_) -> None:
        if self._all_markers:
            if self.n > FULL_SYMBOL_LIMIT:  # full symbols or markers, by how many are in view
                self._timer.start(ZOOM_DEBOUNCE_MS)
            return
        geometry = self._view_geometry()
        if geometry is None:
            return
        rect, px = geometry
        if not self._built_px:  # first layout of the view
            self.rebuild_view()
        elif self.mode == "lod" and abs(px / self._built_px - 1.0) > 0.01:
            self._timer.start(ZOOM_DEBOUNCE_MS)  # restart: one rebuild when zooming stops
        elif not self._coverage.contains(rect) and not self._timer.isActive():
            self._timer.start(PAN_THROTTLE_MS)

    def rebuild_view(self) -> None:
        """Choose markers or rasters for the current view and draw them."""
        self._timer.stop()
        geometry = None if self._all_markers else self._view_geometry()
        if geometry is None:  # all markers, or a view not laid out yet (nothing drawn until it is)
            # (a unit with no position at the time shown is not drawn, nor is its name)
            self._use_markers(np.flatnonzero(np.isfinite(self.x) & np.isfinite(self.y)) if self._all_markers
                              else np.empty(0, dtype=np.int64), QtCore.QRectF())
            return
        rect, px = geometry
        pad_x, pad_y = rect.width() * MARGIN, rect.height() * MARGIN
        padded = rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)
        grid = CellGrid.covering(padded.left(), padded.top(), padded.width(), padded.height(), CELL_PX * px)
        cells = grid.locate(self._xs, self._ys)
        s = self._class_slices
        counts = [np.bincount(cells[s[k]:s[k + 1]], minlength=grid.size) for k in range(len(AFFILIATIONS))]
        total = counts[0].copy()
        for c in counts[1:]:
            total += c
        total[OUTSIDE] = 0
        window = grid.window(rect.left(), rect.top(), rect.right(), rect.bottom())
        in_view = int(total.reshape(grid.h, grid.w)[window].sum())
        self._built_px = px
        cell_of = np.empty(self.n, dtype=np.int32)
        cell_of[self._order] = cells
        if in_view <= MARKER_LIMIT:
            idx = np.flatnonzero(cell_of)
            if len(idx) > 3 * MARKER_LIMIT:  # clustered just outside the view: draw the view only
                x, y = self.x[idx], self.y[idx]
                idx = idx[(x >= rect.left()) & (x <= rect.right()) & (y >= rect.top()) & (y <= rect.bottom())]
                padded = rect
            self._use_markers(idx, padded)
        else:
            self._use_raster(grid, cell_of, counts, total)

    def _use_markers(self, idx: np.ndarray, coverage: QtCore.QRectF) -> None:
        self.mode = "markers"
        self._marker_idx, self._coverage = idx, coverage
        self.grid, self._cell_of, self._covers = None, np.zeros(0, dtype=np.int32), {}
        self.density.clear()
        self.flag_raster.clear()
        full = self.detail.wants(idx)
        small = np.empty(0, dtype=np.int64) if full else idx
        cls = self._cls[small]
        for k, item in enumerate(self.markers.values()):
            mine = small[cls == k]
            item.setData(self.x[mine], self.y[mine])
        self._size_rings("symbols" if full else "markers")
        self.detail.show(idx if full else np.empty(0, dtype=np.int64))
        self._as_rings = dict.fromkeys(FLAGS, True)
        self._changed = set(FLAGS)
        self._show_flags(None)

    def _use_raster(self, grid: CellGrid, cell_of: np.ndarray, counts: list[np.ndarray], total: np.ndarray) -> None:
        self.mode = "lod"
        self.grid, self._cell_of = grid, cell_of
        x0, y0, w, h = grid.rect
        self._coverage = QtCore.QRectF(x0 + grid.cell, y0 + grid.cell, w - 2 * grid.cell, h - 2 * grid.cell)
        self._marker_idx = np.empty(0, dtype=np.int64)
        for item in self.markers.values():
            item.setData(np.empty(0), np.empty(0))
        self._size_rings("markers")
        self.detail.show(np.empty(0, dtype=np.int64))
        self.density.set_buffer(density_image(grid, counts, total, self._class_rgb), QtCore.QRectF(x0, y0, w, h))
        self._covers = {name: FlagCover(grid, cell_of[np.flatnonzero(flag)]) for name, flag in self._flags.items()}
        self.flag_raster.set_buffer(np.zeros((grid.h, grid.w), dtype=np.uint32), QtCore.QRectF(x0, y0, w, h))
        self._as_rings = {name: cover.total <= RING_LIMIT for name, cover in self._covers.items()}
        self._recolour_all()
        self._changed = set(FLAGS)
        self._show_flags(None)

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
            item.setData(self.x[idx], self.y[idx])
        self._changed = set()

    def _overlay(self, sel) -> np.ndarray:
        out = np.zeros(self.grid.size if isinstance(sel, slice) else len(sel), dtype=np.uint32)
        for name in FLAGS:
            if not self._as_rings[name]:
                out[self._covers[name].counts[sel] > 0] = self._flag_argb[name]
        return out

    def _recolour(self, cells: np.ndarray) -> None:
        self.flag_raster.buffer.reshape(-1)[cells] = self._overlay(cells)
        self.flag_raster.update()

    def _recolour_all(self) -> None:
        self.flag_raster.buffer.reshape(-1)[:] = self._overlay(slice(None))
        self.flag_raster.update()
