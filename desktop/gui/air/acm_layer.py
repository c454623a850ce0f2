"""The airspace blocks on the map: each ACM filled in its owner's colour and labelled with
its name and altitude block, in the display CRS.

An ACM active at the time cursor's moment is drawn solid; one that is not (outside its
periods) is drawn dimmed, dashed, its label saying "inactive": a planner sees the blocks
coming and going as the cursor moves, and none disappears from the map. While the airspace
tool edits a block, `preview` stands in for it (a drag), and the selected block shows its
handles: a polygon's vertices, a corridor's centreline points, a circle's centre and the
radius handle due north of it. Picking (`acm_at`, `vertex_at`, `segment_at`) is in display
coordinates, as the mouse sees them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from PySide6 import QtCore, QtGui

from desktop.core.air.acm import CIRCLE, CORRIDOR, POLYGON, ACM
from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.air.labels import ACTIVE_BLOCK_RANK, INACTIVE_BLOCK_RANK
from desktop.gui.map.layers.label_spots import Line, Placed, in_area, place
from desktop.gui.air.layer_base import AirLayer
from desktop.gui.map.layers.painting import label_inks, lines_path, map_transform, pen, scaled

ACTIVE_FILL, INACTIVE_FILL = 55, 14
LABEL_PT = 8.0
HANDLE_PX = 4.0


@dataclass(frozen=True, eq=False)
class Block:
    """One ACM in display coordinates: its outline and its handles."""

    acm: ACM
    x: np.ndarray
    y: np.ndarray
    hx: np.ndarray   # handles: defining points (+ a circle's radius handle)
    hy: np.ndarray
    active: bool

    def label_places(self) -> list[tuple[float, float]]:
        """Where its label may go (display coordinates), in order: inside near the top of
        the outline, its middle, inside near the bottom."""
        top, bottom = float(np.nanmax(self.y)), float(np.nanmin(self.y))
        cx, h = float((np.nanmax(self.x) + np.nanmin(self.x)) / 2), top - bottom
        return [(cx, top - 0.15 * h), (cx, bottom + 0.5 * h), (cx, bottom + 0.15 * h)]


class AirspaceLayer(AirLayer):
    id, title, z = "air.acms", "Airspace blocks (ACMs)", -5.0  # over the sectors, under the line
    label_rank = ACTIVE_BLOCK_RANK  # (and INACTIVE_BLOCK_RANK): see desktop.gui.air.labels

    def __init__(self, context) -> None:
        super().__init__(context)
        self.blocks: list[Block] = []
        self.preview: ACM | None = None
        self.preview_replaces: str | None = None   # the id the preview stands in for (None: a new one)
        self.editable = False
        self.selected_vertex: int | None = None
        self.label_at: dict[str, tuple[tuple[float, float], Placed]] = {}   # ACM id -> (anchor, display; label)
        self._vertex_of: str | None = None                  # the block `selected_vertex` is of

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.airspace_changed, self._on_changed)

    def _on_changed(self, *_) -> None:
        if self._vertex_of != self.session.selected_acm:  # another block (or none) selected
            self.selected_vertex = None
        super()._on_changed()

    # -- state -----------------------------------------------------------------------------------
    def project(self, acm: ACM) -> Block:
        x, y = self.scene.to_display(*acm.outline())
        p = acm.points
        hx, hy = self.scene.to_display(p[:, 0], p[:, 1])
        hx, hy = np.atleast_1d(np.asarray(hx, float)), np.atleast_1d(np.asarray(hy, float))
        if acm.shape == CIRCLE:  # the radius handle: the outline's first point, due north
            hx, hy = np.append(hx, x[0]), np.append(hy, y[0])
        return Block(acm, np.asarray(x, float), np.asarray(y, float), hx, hy, acm.active_at(self.session.time))

    def build(self) -> None:
        blocks = [self.project(a) for a in self.document.airspace]
        if self.preview is not None:
            mine = [k for k, b in enumerate(blocks) if b.acm.id == self.preview_replaces]
            shown = self.project(self.preview)
            if mine:
                blocks[mine[0]] = shown
            else:
                blocks.append(shown)
        self.blocks = blocks
        if self.session.selected_acm is not None and self.session.selected_acm not in self.document.airspace:
            self.session.select_acm(None)

    def set_preview(self, acm: ACM | None, replaces: str | None = None) -> None:
        self.preview, self.preview_replaces = acm, replaces
        self.rebuild()

    def set_editable(self, on: bool) -> None:
        self.editable = on
        self.changed()

    def select_vertex(self, index: int | None) -> None:
        self._vertex_of = self.session.selected_acm
        if index != self.selected_vertex:
            self.selected_vertex = index
            self.changed()

    def block(self, acm_id: str | None) -> Block | None:
        return next((b for b in self.blocks if b.acm.id == acm_id), None) if acm_id is not None else None

    # -- painting --------------------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not self.blocks:
            return
        r, sides = settings.pixel_ratio, self.document.sides
        selected = self.session.selected_acm
        painter.save()
        painter.setTransform(map_transform(settings), True)
        for b in self.blocks:
            rgb = style.side_colour(b.acm.side, sides)
            outline = lines_path(b.x, b.y)
            outline.closeSubpath()
            if b.acm.id == selected:
                painter.setPen(scaled(pen(style.SELECTION_COLOUR, 6, 110), r))
                painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
                painter.drawPath(outline)
            dash = QtCore.Qt.PenStyle.SolidLine if b.active else QtCore.Qt.PenStyle.DashLine
            painter.setPen(scaled(pen(rgb, 2.0 if b.active else 1.5, 255 if b.active else 150, dash), r))
            painter.setBrush(style.qcolor(rgb, ACTIVE_FILL if b.active else INACTIVE_FILL))
            painter.drawPath(outline)
            if b.acm.shape == CORRIDOR:  # the centreline it was drawn along
                painter.setPen(scaled(pen(rgb, 1.0, 160, QtCore.Qt.PenStyle.DotLine), r))
                painter.drawPath(lines_path(b.hx, b.hy))
        painter.restore()
        for b, (dx, dy), label in self._labels(settings):
            rgb = style.side_colour(b.acm.side, sides)
            colour, fill = label_inks(settings.night, style.qcolor(rgb).darker(140) if b.active
                                      else QtGui.QColor(110, 110, 110), 200 if b.active else 140)
            label.paint(painter, dx, dy, r, colour, fill)
        edited = self.block(selected) if self.editable else None
        if edited is not None:
            self._paint_handles(painter, settings, edited)

    def _paint_handles(self, painter: QtGui.QPainter, settings: MapSettings, b: Block) -> None:
        hx, hy = settings.to_device(b.hx, b.hy)
        s = HANDLE_PX * settings.pixel_ratio
        for k, (x, y) in enumerate(zip(np.atleast_1d(hx).tolist(), np.atleast_1d(hy).tolist())):
            chosen = k == self.selected_vertex
            painter.setPen(QtGui.QPen(style.qcolor(style.SELECTION_COLOUR), 1.5 * settings.pixel_ratio))
            painter.setBrush(style.qcolor(style.SELECTION_COLOUR) if chosen else QtGui.QColor("white"))
            if b.acm.shape == CIRCLE and k == 1:
                painter.drawEllipse(QtCore.QPointF(x, y), s, s)
            else:
                painter.drawRect(QtCore.QRectF(x - s, y - s, 2 * s, 2 * s))

    @staticmethod
    def _label_lines(b: Block) -> tuple[str, str]:
        a = b.acm
        return f"{a.kind} {a.name or a.id}", a.block_label() + ("" if b.active else " · inactive")

    def _label_forms(self, b: Block) -> list[tuple[Line, ...]]:
        """A block's label, in full and then shorter: without "inactive" (the dashed outline
        says it), on one line, then its name alone."""
        name, block = self._label_lines(b)
        head, band = Line(name, LABEL_PT, bold=True), b.acm.block_label()
        forms = [(head, Line(block, LABEL_PT - 0.5))]
        if not b.active:
            forms.append((head, Line(band, LABEL_PT - 0.5)))
        return forms + [(Line(f"{name} {band}", LABEL_PT, bold=True),), (head,)]

    def _labels(self, settings: MapSettings):
        """(block, its label's anchor in device pixels, label) of each block labelled."""
        for b in self.blocks:
            if b.acm.id in self.label_at:
                (x, y), label = self.label_at[b.acm.id]
                (dx,), (dy,) = settings.to_device([x], [y])
                yield b, (float(dx), float(dy)), label

    def label_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where the labels are painted (each line with its backing), device pixels."""
        return [rect for _, (dx, dy), label in self._labels(settings)
                for rect in label.rects(dx, dy, settings.pixel_ratio)]

    def label_passes(self) -> list:
        """The labels of the active blocks (and of the selected one), then the others later."""
        return [(self.label_rank, self._layout_foremost), (INACTIVE_BLOCK_RANK, self._layout_others)]

    def layout_labels(self, settings: MapSettings, registry) -> None:
        self._layout_foremost(settings, registry)
        self._layout_others(settings, registry)

    def _foremost(self, b: Block) -> bool:
        return b.active or b.acm.id == self.session.selected_acm

    def _layout_foremost(self, settings: MapSettings, registry) -> None:
        # (each pass replaces its own labels: a window paints between the passes)
        ids = {b.acm.id for b in self.blocks}
        self.label_at = {k: v for k, v in self.label_at.items() if k in ids}
        selected = self.session.selected_acm
        self._layout([b for b in sorted(self.blocks, key=lambda b: b.acm.id != selected) if self._foremost(b)],
                     registry)

    def _layout_others(self, settings: MapSettings, registry) -> None:
        self._layout([b for b in self.blocks if not self._foremost(b)], registry)

    def _layout(self, blocks: list[Block], registry) -> None:
        """Each block's label at the first spot inside the block's visible part where it
        covers nothing placed (its preferred places first: see `Block.label_places`), else
        beside it on a leader; in full or shorter; left out when no form fits."""
        for b in blocks:
            sx, sy = registry.to_screen(b.x, b.y)
            first = b.label_places()
            fx, fy = registry.to_screen([p[0] for p in first], [p[1] for p in first])
            spots = in_area(sx, sy, registry.width, registry.height, list(zip(fx, fy)))
            label = place(registry, self._label_forms(b), spots, (float(fx[0]), float(fy[0])))
            if label is None:
                self.label_at.pop(b.acm.id, None)
            else:
                self.label_at[b.acm.id] = (first[0], label)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(style.qcolor(style.SIDE_COLOURS[1]), 1.5))
        painter.setBrush(style.qcolor(style.SIDE_COLOURS[1], ACTIVE_FILL))
        painter.drawRect(rect.adjusted(2, 3, -2, -3))

    # -- picking ----------------------------------------------------------------------------------
    def acm_at(self, x: float, y: float, tolerance: float) -> str | None:
        """Id of the ACM under display (x, y): the smallest one whose area holds it, or whose
        outline passes within `tolerance`."""
        best = None
        for b in self.blocks:
            ring = shapely.Polygon(np.column_stack([b.x, b.y]))
            point = shapely.Point(x, y)
            if ring.is_valid and ring.contains(point) or ring.exterior.distance(point) <= tolerance:
                if best is None or ring.area < best[0]:
                    best = (ring.area, b.acm.id)
        return None if best is None else best[1]

    def vertex_at(self, acm_id: str, x: float, y: float, tolerance: float) -> int | None:
        """Index of the handle of `acm_id` nearest (x, y) within `tolerance`."""
        b = self.block(acm_id)
        if b is None:
            return None
        d = np.hypot(b.hx - x, b.hy - y)
        k = int(np.argmin(d))
        return k if d[k] <= tolerance else None

    def segment_at(self, acm_id: str, x: float, y: float, tolerance: float) -> int | None:
        """Index k of the polygon edge (points k, k+1, closing) or corridor piece nearest
        (x, y) within `tolerance`; None for a circle."""
        b = self.block(acm_id)
        if b is None or b.acm.shape == CIRCLE:
            return None
        px, py = b.hx, b.hy
        if b.acm.shape == POLYGON:
            px, py = np.append(px, px[0]), np.append(py, py[0])
        ax, ay, bx, by = px[:-1], py[:-1], px[1:], py[1:]
        dx, dy = bx - ax, by - ay
        l2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / l2, 0, 1)
        d = np.hypot(ax + t * dx - x, ay + t * dy - y)
        k = int(np.argmin(d))
        return k if d[k] <= tolerance else None
