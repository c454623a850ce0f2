"""The unit layer's most detailed level: full MIL-STD-2525 symbols (frame, icon, echelon)
with their amplifiers (unit names, direction of movement, speed leaders: desktop.gui.unit_motion),
used while few units are in view (<= FULL_SYMBOL_LIMIT). `UnitDetail.amplifiers` says which
amplifiers to show (View › Symbol amplifiers; the brief's export settings).

- Symbols: one cached pixmap per symbol spec and device pixel ratio
  (`symbology.symbol_pixmap`), one `drawPixmapFragments` call per distinct spec; an export
  draws them as vector paths instead.
- Specs are worked out per unit only when the unit is first drawn in full (a Python call
  per unit, bounded by the limit) and cached until the units change.
- Names (the unique designation): greedy placement at the standard's position, left of a
  land symbol and right of an aircraft's, else on the other side; wrong-side units first, then near-line ones, then by echelon (largest first); a name
  that would overlap another, a symbol, a place label or a markup label is left out. Re-laid out shortly
  after a pan or zoom, like the place labels.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6 import QtCore, QtGui

from desktop.core.motion import motion_at
from desktop.core.sidc import AMPLIFIERS, ECHELONS, SymbolSpec, unit_symbol
from desktop.gui import labels
from desktop.gui.symbology import paint_symbol, symbol_pixmap, symbol_rect
from desktop.gui.unit_items import PixelSizedItem
from desktop.gui.unit_motion import UnitMotionItem, motion_geometry

if TYPE_CHECKING:
    from desktop.gui.unit_layer import UnitLayer

FULL_SYMBOL_LIMIT = 600     # units in view drawn as full symbols at most
SYMBOL_PX = 36.0            # the 200-unit design square on screen: a friendly frame is 27 x 18 px
LABEL_PX = 10               # unit names, screen pixels
MAX_LABELS = 150
LABEL_DELAY_MS = 60
LABEL_GAP_PX = 3.0
Z_SYMBOLS, Z_NAMES = 30.0, 33.0
NAME_COLOUR = QtGui.QColor(25, 25, 25)
HALO = QtGui.QColor(255, 255, 255, 200)


class UnitSymbolsItem(PixelSizedItem):
    """Full symbols at display (x, y), spec k = specs[cls[i]]."""

    def __init__(self) -> None:
        super().__init__(Z_SYMBOLS)
        self.x = self.y = np.empty(0)
        self.cls = np.empty(0, dtype=np.int32)
        self.specs: list[SymbolSpec] = []
        self._frags = PrimitiveArray(QtGui.QPainter.PixmapFragment, 10)
        self._bounds = QtCore.QRectF()

    def set_units(self, x: np.ndarray, y: np.ndarray, cls: np.ndarray, specs: list[SymbolSpec]) -> None:
        self.prepareGeometryChange()
        self.x, self.y, self.cls, self.specs = x, y, cls, specs
        ok = np.isfinite(x) & np.isfinite(y)
        self._bounds = QtCore.QRectF()
        if ok.any():
            self._bounds = QtCore.QRectF(x[ok].min(), y[ok].min(), np.ptp(x[ok]), np.ptp(y[ok]))
        else:
            self.x = self.y = np.empty(0)
            self.cls = np.empty(0, dtype=np.int32)
        self.update()

    def __len__(self) -> int:
        return len(self.x)

    def data_rect(self) -> QtCore.QRectF | None:
        return QtCore.QRectF(self._bounds) if len(self.x) else None

    def pad_px(self) -> float:
        return SYMBOL_PX * 0.75  # the echelon and the frame's half width

    def paint(self, p: QtGui.QPainter, option, widget=None) -> None:
        if not len(self.x):
            return
        t = p.transform()
        dx = t.m11() * self.x + t.m21() * self.y + t.dx()
        dy = t.m12() * self.x + t.m22() * self.y + t.dy()
        dev = p.device()
        dpr = widget.devicePixelRatioF() if widget is not None else dev.devicePixelRatioF()
        w, h = dev.width() / dev.devicePixelRatioF(), dev.height() / dev.devicePixelRatioF()
        size = SYMBOL_PX * self.export_scale
        pad = size
        keep = np.flatnonzero((dx > -pad) & (dx < w + pad) & (dy > -pad) & (dy < h + pad))
        if not len(keep):
            return
        p.save()
        p.resetTransform()
        if self.exporting:  # vector paths for the page
            for i in keep:
                paint_symbol(p, self.specs[self.cls[i]], QtCore.QPointF(dx[i], dy[i]), size)
        else:
            self._paint_pixmaps(p, dx[keep], dy[keep], self.cls[keep], dpr)
        p.restore()

    def _paint_pixmaps(self, p, dx, dy, cls, dpr: float) -> None:
        order = np.argsort(cls, kind="stable")
        bounds = np.searchsorted(cls[order], np.arange(len(self.specs) + 1))
        for k, spec in enumerate(self.specs):
            mine = order[bounds[k]:bounds[k + 1]]
            if not len(mine):
                continue
            pixmap, offset = symbol_pixmap(spec, SYMBOL_PX, dpr)
            self._frags.resize(len(mine))
            frags = self._frags.ndarray()
            # A fragment is placed by its centre: the frame centre plus the pixmap's own centre offset.
            frags[:, 0] = dx[mine] + offset.x() + pixmap.width() / dpr / 2
            frags[:, 1] = dy[mine] + offset.y() + pixmap.height() / dpr / 2
            frags[:, 2:6] = (0, 0, pixmap.width(), pixmap.height())
            frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)
            p.drawPixmapFragments(*self._frags.drawargs(), pixmap)


class UnitNamesItem(PixelSizedItem):
    """Unit names on a light halo, starting `offset` pixels right of display (x, y), or,
    for a negative offset, ending that far left of it."""

    def __init__(self) -> None:
        super().__init__(Z_NAMES)
        self.x = self.y = self.offset = np.empty(0)
        self.texts: list[str] = []
        self._bounds = QtCore.QRectF()
        self._static: dict[tuple[str, int], QtGui.QStaticText] = {}

    def set_labels(self, x, y, offset, texts: list[str]) -> None:
        self.prepareGeometryChange()
        self.x, self.y, self.offset, self.texts = x, y, offset, texts
        self._static = {}  # laid out once per layout: a pan only moves the text
        self._bounds = QtCore.QRectF(float(x.min()), float(y.min()), float(np.ptp(x)),
                                     float(np.ptp(y))) if len(x) else QtCore.QRectF()
        self.update()

    def data_rect(self) -> QtCore.QRectF | None:
        return QtCore.QRectF(self._bounds) if len(self.x) else None

    def pad_px(self) -> float:
        return 320.0  # a long name beside its symbol

    def paint(self, p: QtGui.QPainter, option, widget=None) -> None:
        if not len(self.x):
            return
        k = self.export_scale
        t = p.transform()
        dx = t.m11() * self.x + t.m21() * self.y + t.dx()
        dy = t.m12() * self.x + t.m22() * self.y + t.dy()
        font = QtGui.QFont()
        font.setPixelSize(max(1, round(LABEL_PX * k)))
        fm = QtGui.QFontMetricsF(font)
        h = fm.height()
        p.save()
        p.resetTransform()
        p.setFont(font)
        p.setPen(NAME_COLOUR)
        for x, y, off, text in zip(dx, dy, self.offset, self.texts):
            static = self._static.get((text, font.pixelSize()))
            if static is None:
                static = self._static[(text, font.pixelSize())] = QtGui.QStaticText(text)
                static.prepare(QtGui.QTransform(), font)
            rect = QtCore.QRectF(x + off * k, y - h / 2, static.size().width() + 4 * k, h)
            if off < 0:  # left of the symbol: the name ends there
                rect.moveRight(x + off * k)
            p.fillRect(rect, HALO)
            p.drawStaticText(QtCore.QPointF(rect.left() + 2 * k, rect.top() + (h - static.size().height()) / 2), static)
        p.restore()


class UnitDetail:
    """Decides and draws the full-symbol level for the unit layer."""

    def __init__(self, layer: "UnitLayer") -> None:
        self.layer = layer
        self.view = layer.view
        self.symbols = UnitSymbolsItem()
        self.names = UnitNamesItem()
        self.motion = UnitMotionItem(SYMBOL_PX)
        self.amplifiers = frozenset(AMPLIFIERS)
        for item in (self.symbols, self.names, self.motion):
            self.view.plot_item.addItem(item)
        self.idx = np.empty(0, dtype=np.int64)
        self._timer = QtCore.QTimer(self.view, singleShot=True, interval=LABEL_DELAY_MS)
        self._timer.timeout.connect(self.layout_names)
        self.view.view_box.sigRangeChanged.connect(self._on_range_changed)
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

    def _in_view(self, idx: np.ndarray) -> np.ndarray:
        rect = self.view.view_box.viewRect()
        x, y = self.layer.x[idx], self.layer.y[idx]
        return idx[(x >= rect.left()) & (x <= rect.right()) & (y >= rect.top()) & (y <= rect.bottom())]

    def specs_for(self, idx: np.ndarray) -> np.ndarray:
        """Spec number per unit, working out (once) those not seen yet."""
        need = idx[self._spec_of[idx] < 0]
        if len(need):
            units = self.view.document.units
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
        self.layout_names()

    def set_amplifiers(self, shown) -> None:
        """Show these amplifiers (keys of desktop.core.sidc.AMPLIFIERS) from now on."""
        self.amplifiers = frozenset(shown)
        self.show(self.idx)

    def _show_motion(self, cls: np.ndarray) -> None:
        """Direction-of-movement arrows and speed leaders of the units drawn in full."""
        air = np.array([self._specs[k].domain in ("air", "space") for k in cls], dtype=bool)
        wanted = np.where(air, "speed_leaders" in self.amplifiers, "movement" in self.amplifiers)
        idx, cls, air = self.idx[wanted], cls[wanted], air[wanted]
        doc = self.view.document
        if not len(idx) or not len(doc.tracks):
            empty = np.empty(0)
            self.motion.set_motion(empty, empty, empty, empty, empty, empty, np.empty(0, dtype=np.int32), [])
            return
        view = doc.time_view
        course, speed = motion_at(doc.tracks, view.time if view is not None else None, idx)
        units = doc.shown_units
        ux, uy, x2, y2 = motion_geometry(self.view, units.lon[idx], units.lat[idx], course, speed, air)
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
    def _on_range_changed(self, *_) -> None:
        self.relayout()

    def relayout(self) -> None:
        """Lay the names out again shortly (the view or the markup changed)."""
        if self.active:
            self._timer.start()

    def layout_names(self) -> None:
        self._timer.stop()
        vb = self.view.view_box
        px, py = vb.viewPixelSize()
        idx = self._in_view(self.idx) if self.active else self.idx
        if not len(idx) or not px or not py or "unit_names" not in self.amplifiers:
            self.names.set_labels(np.empty(0), np.empty(0), np.empty(0), [])
            return
        rect = vb.viewRect()
        layer, units = self.layer, self.view.document.units
        idx = idx[np.lexsort((idx, -self._rank(idx)))]
        sx, sy = labels.to_pixels(layer.x[idx], layer.y[idx], px, py, rect)
        # Each symbol's reach (left, top, right, bottom) around its unit, in pixels.
        reach = np.array([_ltrb(symbol_rect(s, SYMBOL_PX)) for s in self._specs]).reshape(-1, 4)[self._spec_of[idx]]
        right = reach[:, 2] + LABEL_GAP_PX
        taken = reach + np.column_stack([sx, sy, sx, sy])
        places = self.view.document.places
        if places:
            psx, psy = labels.to_pixels(*self.view.to_display([p.lon for p in places], [p.lat for p in places]),
                                        px, py, rect)
            taken = np.vstack([taken, labels.place_labels(psx, psy, [p.name for p in places])[1]])
        taken = np.vstack([taken, self.view.annotation_layer.label_boxes(abs(px), abs(py), rect)])
        names = [str(units.names[i] or units.ids[i]) for i in idx]
        width, height = rect.width() / abs(px), rect.height() / abs(py)
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
        self.names.set_labels(layer.x[idx[keep]], layer.y[idx[keep]], offset[keep], [names[k] for k in keep])

    def _rank(self, idx: np.ndarray) -> np.ndarray:
        """Label priority: wrong side, then near the line, then bigger echelons."""
        flags = self.layer._flags  # noqa: SLF001 - the layer's own flag copies
        echelon = np.array([ECHELONS.index(self._specs[k].echelon) + 1 if self._specs[k].echelon else 0
                            for k in self._spec_of[idx]], dtype=float)
        return 1000.0 * flags["wrong"][idx] + 100.0 * flags["near"][idx] + echelon


def _ltrb(r: QtCore.QRectF) -> tuple[float, float, float, float]:
    return r.left(), r.top(), r.right(), r.bottom()
