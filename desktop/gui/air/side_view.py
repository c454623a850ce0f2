"""The side view (built-in panel plugin): altitude against distance along a path, at the
time cursor's moment.

The path is the line in force (default) or an aircraft's predicted path (the horizon behind
it and ahead of it on its course). Blocks are the ACMs the path passes through, over the
stretches it is inside them, floor to ceiling, filled in their owner's colour (dimmed when
inactive); aircraft within the band beside the path are drawn where they are along it, at
their altitude, with an arrow to where they will be at the horizon's end, labelled with
callsign and flight level. The aircraft of the selected conflict are drawn in the
selection colour. The picture is computed when the moment, the airspace, the path or the
band changes (desktop.core.air.profile) and only painted on a repaint; its labels are laid
out (desktop.gui.air.side_labels) when it or the canvas's size changes. Hovering a block
shows its label in full. Night mode (desktop.gui.theme) paints it dark.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.air.conflicts import AIRCRAFT
from desktop.core.air.measures import format_altitude
from desktop.core.air.motion import predict
from desktop.core.air.profile import DEFAULT_BAND_NM, Profile, path_plane, profile
from desktop.core.events import Connections
from desktop.core.time_cursor import line_at
from desktop.gui import style, theme
from desktop.gui.air.session import session_for
from desktop.gui.air.side_labels import NAME_PT, Layout, lay_out
from desktop.gui.map.layers.painting import label_font, label_inks, tiled_path
from desktop.gui.plain import show_tooltip

MARGINS = (64, 14, 16, 34)   # left, top, right, bottom (px): the axes' labels
LABEL_LIMIT = 60             # more aircraft than this: labels only for the selected conflict's
LINE_PATH = "line"
# (background, grid, axis text, frame) by day and at night (the timeline's night colours)
INKS = {False: ("white", (225, 225, 225), (60, 60, 60), (90, 90, 90)),
        True: ("#1f1f1f", (58, 58, 58), (208, 208, 208), (154, 154, 154))}


def _nice_step(span: float, ticks: int) -> float:
    raw = span / max(ticks, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


class ProfileCanvas(QtWidgets.QWidget):
    """Paints one profile; `paint_into` draws into any painter (the benchmark's too)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sideViewCanvas")
        self.setMinimumSize(320, 180)
        self.profile: Profile | None = None
        self.airspace = None
        self.state = None
        self.sides: tuple[str, ...] = ()
        self.active: np.ndarray = np.empty(0, dtype=bool)   # per ACM of the airspace
        self.highlight: set[int] = set()                      # state rows drawn in the selection colour
        self.title = ""
        self.night = theme.is_night()
        self._layout: tuple[tuple[float, ...], Layout] | None = None   # (the rect it is for, labels)

    def set_picture(self, prof, airspace, state, sides, active, highlight, title) -> None:
        self.profile, self.airspace, self.state, self.sides = prof, airspace, state, sides
        self.active, self.highlight, self.title = active, highlight, title
        self._layout = None
        self.update()

    def set_night(self, on: bool) -> None:
        """Night mode (desktop.gui.theme): a dark background, light axes and labels."""
        self.night = bool(on)
        self.update()

    def event(self, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.ToolTip:
            return show_tooltip(self, event, self.tooltip_at(QtCore.QPointF(event.pos())))
        return super().event(event)

    def tooltip_at(self, pos: QtCore.QPointF) -> str:
        """Plain text about the blocks under widget position `pos` (or whose label is there),
        each in full; '' over none."""
        layout = self.labels(QtCore.QRectF(self.rect()))
        if layout is None or not layout.plot.contains(pos):
            return ""
        x, y = pos.x(), pos.y()
        hit = [b.text for b in layout.blocks if any(r.contains(pos) for r in layout.label_rects(b))
               or any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in b.boxes)]
        return "\n\n".join(hit)

    def labels(self, rect: QtCore.QRectF) -> Layout | None:
        """The labels as painted into `rect` (laid out again when the picture or the size changes)."""
        if self.profile is None:
            return None
        key = (rect.x(), rect.y(), rect.width(), rect.height())
        if self._layout is None or self._layout[0] != key:
            plot, x_max, y_max = self.scales(rect)
            sx, sy = plot.width() / x_max, plot.height() / y_max
            p = self.profile
            lit = np.array([int(r) in self.highlight for r in p.aircraft.tolist()], dtype=bool)
            labelled = np.arange(len(p.aircraft)) if len(p.aircraft) <= LABEL_LIMIT else np.flatnonzero(lit)
            metrics = QtGui.QFontMetricsF(label_font(NAME_PT, 1.0, bold=True))
            self._layout = key, lay_out(p, self.airspace, self.active, self.state, labelled, plot,
                                        lambda nm: plot.left() + nm * sx, lambda ft: plot.bottom() - ft * sy, metrics)
        return self._layout[1]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QtGui.QPainter(self)
        self.paint_into(painter, QtCore.QRectF(self.rect()))
        painter.end()

    # -- painting -------------------------------------------------------------------------------
    def scales(self, rect: QtCore.QRectF) -> tuple[QtCore.QRectF, float, float]:
        """(plot area, x NM range, y ft range) for the profile."""
        p = self.profile
        left, top, right, bottom = MARGINS
        plot = rect.adjusted(left, top, -right, -bottom)
        x_max = max(p.length_nm, 1.0) if p is not None else 1.0
        heights = [25_000.0]
        if p is not None:
            heights += p.block_ceiling_ft.tolist() + [a for a in p.alt_ft.tolist() if math.isfinite(a)]
        y_max = math.ceil(max(heights) * 1.1 / 5000.0) * 5000.0
        return plot, x_max, y_max

    def paint_into(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.fillRect(rect, QtGui.QColor(INKS[self.night][0]))
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        plot, x_max, y_max = self.scales(rect)
        sx, sy = plot.width() / x_max, plot.height() / y_max
        to_x = lambda nm: plot.left() + nm * sx          # noqa: E731
        to_y = lambda ft: plot.bottom() - ft * sy        # noqa: E731
        self._axes(painter, plot, x_max, y_max, to_x, to_y)
        p = self.profile
        if p is None:
            return
        painter.save()
        painter.setClipRect(plot)
        self._blocks(painter, p, to_x, to_y)
        self._aircraft(painter, p, to_x, to_y)
        self._labels(painter, self.labels(rect))
        painter.restore()

    def _axes(self, painter, plot, x_max, y_max, to_x, to_y) -> None:
        _, grid_rgb, text_rgb, frame_rgb = INKS[self.night]
        grid = QtGui.QPen(QtGui.QColor(*grid_rgb), 1)
        text = QtGui.QColor(*text_rgb)
        font = painter.font()
        font.setPixelSize(11)
        painter.setFont(font)
        step = _nice_step(y_max, 6)
        for ft in np.arange(0.0, y_max + 1, step):
            y = to_y(ft)
            painter.setPen(grid)
            painter.drawLine(QtCore.QPointF(plot.left(), y), QtCore.QPointF(plot.right(), y))
            painter.setPen(text)
            painter.drawText(QtCore.QRectF(0, y - 8, plot.left() - 6, 16),
                             int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter),
                             format_altitude(ft))
        step = _nice_step(x_max, 8)
        for nm in np.arange(0.0, x_max + 1e-9, step):
            x = to_x(nm)
            painter.setPen(grid)
            painter.drawLine(QtCore.QPointF(x, plot.top()), QtCore.QPointF(x, plot.bottom()))
            painter.setPen(text)
            painter.drawText(QtCore.QRectF(x - 30, plot.bottom() + 2, 60, 14),
                             int(QtCore.Qt.AlignmentFlag.AlignCenter), f"{nm:g}")
        painter.drawText(QtCore.QRectF(plot.left(), plot.bottom() + 16, plot.width(), 16),
                         int(QtCore.Qt.AlignmentFlag.AlignCenter), f"NM along {self.title}")
        painter.setPen(QtGui.QPen(QtGui.QColor(*frame_rgb), 1))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRect(plot)

    def _blocks(self, painter, p: Profile, to_x, to_y) -> None:
        for m, a, b, floor, ceiling in zip(p.block_acm.tolist(), p.block_start_nm.tolist(), p.block_end_nm.tolist(),
                                           p.block_floor_ft.tolist(), p.block_ceiling_ft.tolist()):
            on = bool(self.active[m]) if m < len(self.active) else True
            rgb = style.side_colour(self.airspace[m].side, self.sides)
            box = QtCore.QRectF(QtCore.QPointF(to_x(a), to_y(ceiling)), QtCore.QPointF(to_x(b), to_y(floor)))
            painter.setPen(QtGui.QPen(style.qcolor(rgb, 255 if on else 140), 1.5,
                                      QtCore.Qt.PenStyle.SolidLine if on else QtCore.Qt.PenStyle.DashLine))
            painter.setBrush(style.qcolor(rgb, 70 if on else 18))
            painter.drawRect(box)

    def _aircraft(self, painter, p: Profile, to_x, to_y) -> None:
        if not len(p.aircraft):
            return
        alt = np.nan_to_num(p.alt_ft, nan=0.0)
        x, y, x1 = to_x(p.along_nm), to_y(alt), to_x(p.ahead_nm)
        lit = np.array([int(r) in self.highlight for r in p.aircraft.tolist()], dtype=bool)
        sides = self.state.sides[p.aircraft]
        for side in np.unique(sides).tolist():  # one path of markers and arrows per side colour
            rows = np.flatnonzero((sides == side) & ~lit)
            self._marks(painter, x[rows], y[rows], x1[rows], style.side_colour(side, self.sides))
        self._marks(painter, x[lit], y[lit], x1[lit], style.SELECTION_COLOUR)

    def _labels(self, painter, layout: Layout) -> None:
        """The blocks' labels (in their owner's colour, grey when inactive), then the aircraft's."""
        plot = layout.plot
        for b in layout.blocks:
            if b.label is not None:
                rgb = style.side_colour(self.airspace[b.acm].side, self.sides)
                ink, fill = label_inks(self.night, style.qcolor(rgb).darker(150) if b.active
                                       else QtGui.QColor(110, 110, 110), 200)
                b.label.paint(painter, plot.left(), plot.top(), 1.0, ink,   # inside its block: on its fill
                              fill if b.label.leader is not None else None)
        ink, fill = label_inks(self.night, QtGui.QColor(20, 20, 20), 0)
        painter.setFont(label_font(NAME_PT, 1.0, bold=True))
        painter.setPen(ink)
        for a in layout.aircraft:
            painter.drawText(a.rect, int(QtCore.Qt.AlignmentFlag.AlignLeft), a.text)

    @staticmethod
    def _marks(painter, x, y, x1, rgb) -> None:
        if not len(x):
            return
        colour = style.qcolor(rgb)
        painter.setPen(QtGui.QPen(colour, 1.4))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        arrows = QtGui.QPainterPath()
        for a, b, h in zip(x.tolist(), x1.tolist(), y.tolist()):  # a few dozen: one path
            arrows.moveTo(a, h)
            arrows.lineTo(b, h)
        painter.drawPath(arrows)
        triangle = np.array([(0, -6), (5.5, 4), (-5.5, 4), (0, -6)], dtype=float)
        painter.setPen(QtGui.QPen(colour.darker(140), 1))
        painter.setBrush(colour)
        painter.drawPath(tiled_path(triangle, x, y))


class SideView(QtWidgets.QWidget):
    """Object names: "sideView", "sidePath" (the path chooser), "sideBand", "sideViewCanvas"."""

    def __init__(self, context, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sideView")
        self.context = context
        self.doc = context.document
        self.session = session_for(context).acquire()
        self.links = Connections()
        self.path_combo = QtWidgets.QComboBox(objectName="sidePath")
        self.band_spin = QtWidgets.QDoubleSpinBox(objectName="sideBand", minimum=0.5, maximum=200, decimals=1,
                                                  suffix=" NM", value=DEFAULT_BAND_NM)
        self.band_spin.setKeyboardTracking(False)
        self.canvas = ProfileCanvas(self)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(QtWidgets.QLabel("Along"))
        bar.addWidget(self.path_combo, 1)
        bar.addWidget(QtWidgets.QLabel("aircraft within"))
        bar.addWidget(self.band_spin)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)
        self.path_combo.currentIndexChanged.connect(self.rebuild)
        self.band_spin.valueChanged.connect(self.rebuild)
        self.links.connect(self.session.changed, self._on_session_changed)
        self.links.connect(self.session.selection_changed, self.rebuild)
        self._on_session_changed()

    def close(self) -> bool:
        self.links.disconnect_all()
        self.session.release()
        return super().close()

    def _on_session_changed(self) -> None:
        """New aircraft may have come or gone: the chooser lists the line and each aircraft."""
        state = None if self.session.conflicts is None else self.session.conflicts.state
        wanted = [("The line in force", LINE_PATH)]
        if state is not None:
            wanted += [(f"Predicted path of {state.names[k] or state.ids[k]}", str(state.ids[k]))
                       for k in range(len(state)) if math.isfinite(state.course_deg[k])]
        current = self.path_combo.currentData()
        if [self.path_combo.itemData(k) for k in range(self.path_combo.count())] != [w[1] for w in wanted]:
            self.path_combo.blockSignals(True)
            self.path_combo.clear()
            for text, data in wanted:
                self.path_combo.addItem(text, data)
            at = self.path_combo.findData(current)
            self.path_combo.setCurrentIndex(max(at, 0))
            self.path_combo.blockSignals(False)
        self.rebuild()

    def choose(self, path_id: str) -> None:
        """Show the profile along `path_id`: LINE_PATH or an aircraft's id."""
        self.path_combo.setCurrentIndex(max(self.path_combo.findData(path_id), 0))

    def _path(self, state):
        """(lon, lat, title) of the chosen path."""
        chosen = self.path_combo.currentData() or LINE_PATH
        if chosen != LINE_PATH and state is not None and chosen in set(state.ids.tolist()):
            row = int(np.flatnonzero(state.ids == chosen)[0])
            h = self.session.params.horizon_s
            one = state.take([row] * 3)
            lon, lat = predict(one, np.array([-h, 0.0, h]))
            return lon, lat, f"the predicted path of {state.names[row] or chosen}"
        revision, line, _ = line_at(self.doc, self.session.time)
        return line.lon, line.lat, f"the line ({revision.id})" if revision is not None else "the line"

    def rebuild(self, *_) -> None:
        c = self.session.conflicts
        state = None if c is None else c.state
        lon, lat, title = self._path(state)
        prof = None
        if state is not None:
            proj = self.doc.analysis_projection
            prof = profile(path_plane(lon, lat, proj), self.doc.airspace, state, proj, self.band_spin.value(),
                           self.session.params.horizon_s)
        t = self.session.time
        active = np.array([a.active_at(t) for a in self.doc.airspace], dtype=bool)
        highlight = set()
        row = self.session.selected_row()
        if row is not None:
            highlight = {int(c.a[row])} | ({int(c.b[row])} if c.kind[row] == AIRCRAFT else set())
        self.canvas.set_picture(prof, self.doc.airspace, state, self.doc.sides, active, highlight, title)
