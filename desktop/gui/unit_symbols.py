"""The unit layer's most detailed level: full MIL-STD-2525 symbols (frame, icon, echelon)
with their amplifiers (unit names, direction of movement, speed leaders: desktop.gui.unit_motion),
used while few units are in view (<= FULL_SYMBOL_LIMIT). `UnitDetail.amplifiers` says which
of movement and speed leaders to show (View › Symbol amplifiers; the brief's export
settings); the names are the unit labels layer, shown or hidden as a layer.

- Symbols: one cached pixmap per symbol spec and device pixel ratio
  (`symbology.symbol_pixmap`), one `drawPixmapFragments` call per distinct spec; an export
  draws them as vector paths instead.
- Specs are worked out per unit only when the unit is first drawn in full (a Python call
  per unit, bounded by the limit) and cached until the units change.
- Names (the unique designation): greedy placement at the standard's position, left of a
  land symbol and right of an aircraft's, else on the other side; wrong-side units first,
  then near-line ones, then by echelon (largest first); a name that would overlap another, a
  symbol or a label placed before it in the map's shared label registry (places, markup,
  grid, towns) is left out. Laid out again once the view rests.

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
from desktop.gui.map.layers import labels
from desktop.gui.map.layers.painting import Fragments, in_device
from desktop.gui.symbology import paint_symbol, symbol_pixmap, symbol_rect
from desktop.gui.unit_motion import UnitMotion, motion_geometry

FULL_SYMBOL_LIMIT = 600     # units in view drawn as full symbols at most
SYMBOL_PX = 36.0            # the 200-unit design square on screen: a friendly frame is 27 x 18 px
LABEL_PX = 10               # unit names, screen pixels
MAX_LABELS = 150
LABEL_GAP_PX = 3.0
NAME_COLOUR = QtGui.QColor(25, 25, 25)
HALO = QtGui.QColor(255, 255, 255, 200)


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


class UnitNames:
    """Unit names on a light halo, starting `offset` screen pixels right of display (x, y),
    or, for a negative offset, ending that far left of it."""

    def __init__(self) -> None:
        self.x = self.y = self.offset = np.empty(0)
        self.texts: list[str] = []
        self._static: dict[tuple[str, int], QtGui.QStaticText] = {}

    def set_labels(self, x, y, offset, texts: list[str]) -> None:
        self.x, self.y, self.offset, self.texts = x, y, offset, texts
        self._static = {}  # laid out once per layout: a pan only moves the text

    def paint(self, p: QtGui.QPainter, settings: MapSettings) -> None:
        if not len(self.x):
            return
        k = settings.pixel_ratio
        dx, dy = settings.to_device(self.x, self.y)
        font = QtGui.QFont()
        font.setPixelSize(max(1, round(LABEL_PX * k)))
        fm = QtGui.QFontMetricsF(font)
        h = fm.height()
        p.setFont(font)
        p.setPen(NAME_COLOUR)
        for x, y, off, text in zip(dx, dy, self.offset, self.texts):
            static = self._static.get((text, font.pixelSize()))
            if static is None:
                static = self._static[(text, font.pixelSize())] = QtGui.QStaticText(text)
                static.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # names come from files
                static.prepare(QtGui.QTransform(), font)
            rect = QtCore.QRectF(x + off * k, y - h / 2, static.size().width() + 4 * k, h)
            if off < 0:  # left of the symbol: the name ends there
                rect.moveRight(x + off * k)
            p.fillRect(rect, HALO)
            p.drawStaticText(QtCore.QPointF(rect.left() + 2 * k, rect.top() + (h - static.size().height()) / 2), static)


class UnitDetail:
    """Decides and draws the full-symbol level for the unit layer (`layer`: its x, y, flags,
    settings and document)."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.symbols = UnitSymbols()
        self.names = UnitNames()
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
        self.names.set_labels(np.empty(0), np.empty(0), np.empty(0), [])
        if self.layer.scene is not None:
            self.layer.scene.relayout_labels()

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

    # -- names --------------------------------------------------------------------------------
    def layout_names(self, settings: MapSettings, registry) -> None:
        """Place the names of the units drawn in full, clear of each other, of the symbols
        and of every label already in `registry`."""
        idx = self._in_view(self.idx, settings) if self.active else self.idx
        if not len(idx):
            self.names.set_labels(np.empty(0), np.empty(0), np.empty(0), [])
            return
        layer, units = self.layer, self.layer.document.units
        idx = idx[np.lexsort((idx, -self._rank(idx)))]
        sx, sy = registry.to_screen(layer.x[idx], layer.y[idx])
        # Each symbol's reach (left, top, right, bottom) around its unit, in pixels.
        reach = np.array([_ltrb(symbol_rect(s, SYMBOL_PX)) for s in self._specs]).reshape(-1, 4)[self._spec_of[idx]]
        right = reach[:, 2] + LABEL_GAP_PX
        taken = np.vstack([reach + np.column_stack([sx, sy, sx, sy]), registry.boxes])
        names = [str(units.names[i] or units.ids[i]) for i in idx]
        width, height = registry.width, registry.height
        # The standard's side first (a land unit's name left of it, an aircraft's right of it);
        # a name that does not fit there may go on the other side. Boxes are laid out by their
        # left end: a name left of its symbol starts its estimated width before the symbol.
        left = reach[:, 0] - LABEL_GAP_PX
        air = np.array([self._specs[k].domain in ("air", "space") for k in self._spec_of[idx]], dtype=bool)
        widths = np.array([labels.label_box(0.0, 0.0, n, (0.0, 0.5))[2] + labels.MARGIN_PX for n in names])
        first = np.where(air, right, left)
        second = np.where(air, left, right)
        anchor = (0.0, 0.5)

        def start(off: np.ndarray, k: np.ndarray) -> np.ndarray:
            return sx[k] + off[k] - np.where(off[k] < 0, widths[k], 0.0)

        all_k = np.arange(len(idx))
        keep = labels.thin_labels(start(first, all_k), sy, names, width, height, taken, MAX_LABELS, anchor=anchor)
        offset = first.copy()
        rest = np.setdiff1d(all_k, keep)
        if len(rest) and len(keep) < MAX_LABELS:
            placed = [labels.label_box(start(first, np.array([k]))[0], sy[k], names[k], anchor) for k in keep]
            taken2 = np.vstack([taken, np.reshape(placed, (-1, 4))])
            more = rest[labels.thin_labels(start(second, rest), sy[rest], [names[k] for k in rest], width, height,
                                           taken2, MAX_LABELS - len(keep), anchor=anchor)]
            offset[more] = second[more]
            keep = np.concatenate([keep, more])
        registry.reserve([labels.label_box(start(offset, np.array([k]))[0], sy[k], names[k], anchor) for k in keep])
        registry.named_units.update(idx[keep].tolist())
        self.names.set_labels(layer.x[idx[keep]], layer.y[idx[keep]], offset[keep], [names[k] for k in keep])

    def _rank(self, idx: np.ndarray) -> np.ndarray:
        """Label priority: wrong side, then near the line, then bigger echelons."""
        wrong, near = self.layer.flags("wrong"), self.layer.flags("near")
        echelon = np.array([ECHELONS.index(self._specs[k].echelon) + 1 if self._specs[k].echelon else 0
                            for k in self._spec_of[idx]], dtype=float)
        return 1000.0 * wrong[idx] + 100.0 * near[idx] + echelon


def _ltrb(r: QtCore.QRectF) -> tuple[float, float, float, float]:
    return r.left(), r.top(), r.right(), r.bottom()
