"""The unit layer's most detailed level: full MIL-STD-2525 symbols (frame, icon, echelon)
with their amplifiers (unit names, direction of movement, speed leaders: desktop.gui.unit_motion;
higher formation and altitude: desktop.gui.map.layers.unit_text_amplifiers), used while few
units are in view (<= FULL_SYMBOL_LIMIT). `UnitDetail.amplifiers` says which of movement,
speed leaders, higher formation and altitude to show (View › Symbol amplifiers; the brief's
export settings); the names are the unit labels layer, shown or hidden as a layer.

- Symbols: one cached pixmap per symbol spec and device pixel ratio
  (`symbology.symbol_pixmap`), one `drawPixmapFragments` call per distinct spec; an export
  draws them as vector paths instead.
- Specs are worked out per unit only when the unit is first drawn in full (a Python call
  per unit, bounded by the limit) and cached until the units change.
- Names (the unique designation): laid out by desktop.gui.map.layers.unit_names once the
  view rests, painted by its `UnitNames`.

Both paint in device pixels from a `MapSettings` (sizes in screen pixels times its pixel
ratio), into the window or an export page alike.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.core.motion import motion_at
from desktop.core.sidc import AMPLIFIERS, ECHELONS, SymbolSpec, unit_symbol
from desktop.core.time_cursor import tracked
from desktop.gui.map.layers.painting import Fragments, in_device
from desktop.gui.map.layers.unit_names import UnitNames
from desktop.gui.symbology import paint_symbol, symbol_pixmap, symbol_rect
from desktop.gui.unit_motion import UnitMotion, motion_geometry

FULL_SYMBOL_LIMIT = 600     # units in view drawn as full symbols at most
SYMBOL_PX = 36.0            # the 200-unit design square on screen: a friendly frame is 27 x 18 px


class UnitSymbols:
    """Full symbols at display (x, y), spec k = specs[cls[i]]."""

    def __init__(self) -> None:
        self.x = self.y = np.empty(0)
        self.cls = np.empty(0, dtype=np.int32)
        self.specs: list[SymbolSpec] = []
        self._frags = Fragments()

    def set_units(self, x: np.ndarray, y: np.ndarray, cls: np.ndarray, specs: list[SymbolSpec]) -> None:
        self.x, self.y, self.cls, self.specs = x, y, cls, specs
        if not (np.isfinite(x) & np.isfinite(y)).any():
            self.x = self.y = np.empty(0)
            self.cls = np.empty(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.x)

    def paint(self, p: QtGui.QPainter, settings: MapSettings) -> None:
        if not len(self.x):
            return
        dx, dy = settings.to_device(self.x, self.y)
        ratio = settings.pixel_ratio
        size = SYMBOL_PX * ratio
        keep = in_device(settings, dx, dy, size)
        if not len(keep):
            return
        if settings.force_vector:  # vector paths for the page
            for i in keep:
                paint_symbol(p, self.specs[self.cls[i]], QtCore.QPointF(dx[i], dy[i]), size)
        else:
            self._paint_pixmaps(p, dx[keep], dy[keep], self.cls[keep], ratio)

    def _paint_pixmaps(self, p, dx, dy, cls, ratio: float) -> None:
        order = np.argsort(cls, kind="stable")
        bounds = np.searchsorted(cls[order], np.arange(len(self.specs) + 1))
        for k, spec in enumerate(self.specs):
            mine = order[bounds[k]:bounds[k + 1]]
            if not len(mine):
                continue
            pixmap, offset = symbol_pixmap(spec, SYMBOL_PX, ratio)
            # A fragment is placed by its centre: the frame centre plus the pixmap's own centre offset.
            self._frags.draw(p, pixmap, dx[mine] + offset.x() * ratio + pixmap.width() / 2,
                             dy[mine] + offset.y() * ratio + pixmap.height() / 2)


class UnitDetail:
    """Decides and draws the full-symbol level for the unit layer (`layer`: its x, y, flags,
    settings and document)."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.symbols = UnitSymbols()
        self.names = UnitNames()
        self.texts = UnitNames()    # the other text amplifiers (M, X), painted as the names are
        self.motion = UnitMotion(SYMBOL_PX)
        self.amplifiers = frozenset(AMPLIFIERS)
        self.idx = np.empty(0, dtype=np.int64)
        self.reset(0)

    @property
    def active(self) -> bool:
        return len(self.idx) > 0

    def reset(self, n: int) -> None:
        """Units changed: forget every unit's spec."""
        self._spec_of = np.full(n, -1, dtype=np.int32)
        self._specs: list[SymbolSpec] = []
        self._index: dict[SymbolSpec, int] = {}
        self.show(np.empty(0, dtype=np.int64))

    def wants(self, idx: np.ndarray) -> bool:
        """Whether these units (the marker level's set) are few enough in view for full symbols."""
        if len(idx) <= FULL_SYMBOL_LIMIT:
            return len(idx) > 0
        return len(self._in_view(idx)) <= FULL_SYMBOL_LIMIT

    def _in_view(self, idx: np.ndarray, settings: MapSettings | None = None) -> np.ndarray:
        settings = settings or self.layer.settings
        if settings is None:
            return idx
        x0, y0, x1, y1 = settings.extent
        x, y = self.layer.x[idx], self.layer.y[idx]
        return idx[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)]

    def specs_for(self, idx: np.ndarray) -> np.ndarray:
        """Spec number per unit, working out (once) those not seen yet."""
        need = idx[self._spec_of[idx] < 0]
        if len(need):
            units = self.layer.document.units
            for i in need.tolist():
                spec = unit_symbol(str(units.symbols[i] or ""), str(units.affiliations[i]),
                                   str(units.domains[i] or ""), str(units.echelons[i] or ""))
                if spec not in self._index:
                    self._index[spec] = len(self._specs)
                    self._specs.append(spec)
                self._spec_of[i] = self._index[spec]
        return self._spec_of[idx]

    def show(self, idx: np.ndarray) -> None:
        """Draw these units as full symbols (none: the level is off)."""
        self.idx = np.asarray(idx, dtype=np.int64)
        cls = self.specs_for(self.idx) if len(self.idx) else np.empty(0, dtype=np.int32)
        self.symbols.set_units(self.layer.x[self.idx], self.layer.y[self.idx], cls, list(self._specs))
        self._show_motion(cls)
        for labels in (self.names, self.texts):
            labels.set_labels(np.empty(0), np.empty(0), np.empty((0, 4)), [], np.empty((0, 4)))
        if self.layer.scene is not None:
            self.layer.scene.relayout_labels()

    def follow_names(self, laid_out: UnitNames) -> None:
        """Names laid out before the units moved, beside where they are now (those of units
        still drawn in full)."""
        on = np.isin(laid_out.units, self.idx)
        if on.any():
            units = laid_out.units[on]
            self.names.set_labels(self.layer.x[units], self.layer.y[units], laid_out.boxes[on],
                                  [t for t, keep in zip(laid_out.texts, on.tolist()) if keep], laid_out.leaders[on], units)

    def set_amplifiers(self, shown) -> None:
        """Show these amplifiers (keys of desktop.core.sidc.AMPLIFIERS) from now on."""
        self.amplifiers = frozenset(shown)
        self.show(self.idx)

    def _show_motion(self, cls: np.ndarray) -> None:
        """Direction-of-movement arrows and speed leaders of the units drawn in full."""
        air = np.array([self._specs[k].domain in ("air", "space") for k in cls], dtype=bool)
        wanted = np.where(air, "speed_leaders" in self.amplifiers, "movement" in self.amplifiers)
        idx, cls, air = self.idx[wanted], cls[wanted], air[wanted]
        doc = self.layer.document if self.layer.scene is not None else None
        tracks = tracked(doc) if doc is not None else None  # None too when they are another table's
        if tracks is None or not len(idx):
            empty = np.empty(0)
            self.motion.set_motion(empty, empty, empty, empty, empty, empty, np.empty(0, dtype=np.int32), [])
            return
        view = doc.time_view
        course, speed = motion_at(tracks, view.time if view is not None else None, idx)
        units = doc.shown_units
        ux, uy, x2, y2 = motion_geometry(self.layer.scene, units.lon[idx], units.lat[idx], course, speed, air)
        keep = np.isfinite(ux)
        self.motion.set_motion(self.layer.x[idx][keep], self.layer.y[idx][keep], ux[keep], uy[keep], x2[keep],
                               y2[keep], cls[keep], list(self._specs))

    def specs_drawn(self) -> list[tuple[SymbolSpec, int]]:
        """(spec, how many units) for the units drawn in full: the export legend."""
        if not self.active:
            return []
        counts = np.bincount(self._spec_of[self.idx], minlength=len(self._specs))
        return [(s, int(c)) for s, c in zip(self._specs, counts) if c]

    def shown_in(self, settings: MapSettings) -> np.ndarray:
        """The units drawn in full within `settings`' extent."""
        return self._in_view(self.idx, settings) if self.active else self.idx

    def symbol_boxes(self, idx: np.ndarray) -> np.ndarray:
        """Where each unit's symbol reaches (left, top, right, bottom), screen pixels from
        its position."""
        reach = np.array([_ltrb(symbol_rect(s, SYMBOL_PX)) for s in self._specs]).reshape(-1, 4)
        return reach[self.specs_for(np.asarray(idx, dtype=np.int64))]

    def echelon_rank(self, idx: np.ndarray) -> np.ndarray:
        """Per unit, its echelon's size (0: none), for the names' priority."""
        return np.array([ECHELONS.index(self._specs[k].echelon) + 1 if self._specs[k].echelon else 0
                         for k in self._spec_of[idx]], dtype=float)

    def is_air(self, idx: np.ndarray) -> np.ndarray:
        return np.array([self._specs[k].domain in ("air", "space") for k in self._spec_of[idx]], dtype=bool)


def _ltrb(r: QtCore.QRectF) -> tuple[float, float, float, float]:
    return r.left(), r.top(), r.right(), r.bottom()
