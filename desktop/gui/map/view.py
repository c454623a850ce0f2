"""The map on screen: a widget that hosts a `MapScene` (desktop.gui.map.scene).

It owns what only a screen has: the extent shown (a centre and a scale, kept as the widget
is resized), the mouse (drag pans, the wheel zooms about the cursor, a click picks a unit,
hovering shows what is under the cursor), the keys (+/- zoom, arrows pan, Home shows the
AO), on-map zoom buttons, and the cursor position for the status bar. It paints by handing
the scene a `MapSettings`; map tools (plugins) see its mouse and key events first through
event filters and take the gestures they want.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.events import Connections
from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.core.unit_summary import unit_summary
from desktop.gui.map.scene import MapScene
from desktop.gui.plain import show_tooltip

CLICK_TOLERANCE_PX = 8
CLICK_SLOP_PX = 3        # a press and release closer than this is a click, not a pan
WHEEL_ZOOM = 1.25        # per wheel notch
KEY_ZOOM = 1.5
KEY_PAN = 0.125          # of the view, per arrow key press
AO_PADDING = 0.05
BUTTON_PX = 28
BUTTON_STYLE = {  # day, night (desktop.gui.theme)
    False: "QToolButton { background: rgba(255,255,255,215); border: 1px solid #888; border-radius: 3px;"
           " font-size: 15px; } QToolButton:hover { background: white; }",
    True: "QToolButton { background: rgba(40,42,46,225); color: #e0e0e0; border: 1px solid #666;"
          " border-radius: 3px; font-size: 15px; } QToolButton:hover { background: #3a3d42; }"}


class MapView(QtWidgets.QWidget):
    cursor_moved = QtCore.Signal(float, float)     # lon, lat under the mouse
    view_changed = QtCore.Signal()                 # pan/zoom: scale readouts follow
    projection_changed = QtCore.Signal()
    first_painted = QtCore.Signal()                # once: the map is on screen

    def __init__(self, scene: MapScene, selection, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self.setMouseTracking(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumSize(80, 60)
        self.scene = scene
        self.selection = selection
        scene.interactive = scene.cache_images = True
        self._centre = (0.0, 0.0)
        self._scale = 1.0                     # map units per screen pixel
        self._fit: tuple | None = None        # an extent to keep fitting while the widget resizes
        self._press: tuple | None = None      # (widget pos, centre then) of a left press
        self._panning = False
        self._painted = False
        self._night = False
        self.links = Connections()
        self.links.connect(scene.changed, self.update)
        self._buttons = self._make_buttons()
        self.zoom_to_ao()

    # -- the scene's world ---------------------------------------------------------------------
    @property
    def document(self):
        return self.scene.document

    @property
    def projection(self) -> Projection:
        return self.scene.projection

    def to_display(self, lon, lat):
        return self.scene.to_display(lon, lat)

    def to_lonlat(self, x, y):
        return self.scene.to_lonlat(x, y)

    def plane_to_display(self, xy: np.ndarray) -> np.ndarray:
        return self.scene.plane_to_display(xy)

    def snap_polylines(self) -> dict[str, list[np.ndarray]]:
        """Basemap lines (rivers, borders) in display coordinates, for snapping."""
        out: dict[str, list[np.ndarray]] = {}
        for layer in self.scene.layers:
            if layer.visible and hasattr(layer, "snap_polylines"):
                out.update(layer.snap_polylines())
        return out

    def layer(self, layer_id: str):
        return self.scene.layer(layer_id)

    # -- the extent -----------------------------------------------------------------------------
    def settings(self) -> MapSettings:
        """What the widget shows, for the scene: device pixels and the screen's pixel ratio."""
        ratio = self.devicePixelRatioF()
        w, h = max(self.width(), 1), max(self.height(), 1)
        return MapSettings(self.projection, self.view_rect(), (max(1, round(w * ratio)), max(1, round(h * ratio))),
                           ratio, night=self._night)

    def view_rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) shown, in display coordinates."""
        cx, cy = self._centre
        hw, hh = max(self.width(), 1) * self._scale / 2, max(self.height(), 1) * self._scale / 2
        return cx - hw, cy - hh, cx + hw, cy + hh

    def pixel_size(self) -> float:
        """Map metres per screen pixel at the current zoom."""
        return self._scale

    def scale_denominator(self) -> float:
        """The map scale 1:N at the view centre, on this screen."""
        dpi = self.logicalDpiX() or 96
        metres_per_screen_metre = self._scale * dpi / 0.0254
        lon, lat = self.to_lonlat(*self._centre)
        return metres_per_screen_metre / self._point_scale(float(lon), float(lat))

    def _point_scale(self, lon: float, lat: float) -> float:
        """Projection scale factor at lon/lat, so 1:N is true ground distance."""
        try:
            return float(self._proj_for_factors().get_factors(lon, lat).meridional_scale) or 1.0
        except Exception:  # noqa: BLE001 - some CRSs have no factors; 1 is a fair answer
            return 1.0

    def _proj_for_factors(self):
        if getattr(self, "_factors_crs", None) is not self.projection.crs:
            from pyproj import Proj
            self._factors_proj = Proj(self.projection.plane_crs)  # a geographic CRS: its plate carrée
            self._factors_crs = self.projection.crs
        return self._factors_proj

    def map_to_widget(self, x: float, y: float) -> QtCore.QPointF:
        x0, _, _, y1 = self.view_rect()
        return QtCore.QPointF((x - x0) / self._scale, (y1 - y) / self._scale)

    def widget_to_map(self, pos: QtCore.QPointF) -> tuple[float, float]:
        x0, _, _, y1 = self.view_rect()
        return x0 + pos.x() * self._scale, y1 - pos.y() * self._scale

    def set_view_rect(self, x0: float, y0: float, x1: float, y1: float, padding: float = 0.0) -> None:
        """Show at least this extent (grown by `padding` of its size each side), and keep it
        shown as the widget is resized, until the next pan or zoom."""
        px, py = (x1 - x0) * padding, (y1 - y0) * padding
        self._fit = (x0 - px, y0 - py, x1 + px, y1 + py)
        self._apply_fit()

    def _apply_fit(self) -> None:
        x0, y0, x1, y1 = self._fit
        self._centre = ((x0 + x1) / 2, (y0 + y1) / 2)
        self._scale = max((x1 - x0) / max(self.width(), 1), (y1 - y0) / max(self.height(), 1), 1e-6)
        self._view_changed()

    def center_on(self, x: float, y: float) -> None:
        self._fit = None
        self._centre = (float(x), float(y))
        self._view_changed()

    def zoom_by(self, factor: float, anchor: QtCore.QPointF | None = None) -> None:
        """Zoom in (factor > 1) or out about `anchor` (widget position; default the centre)."""
        self._fit = None
        if anchor is not None:
            ax, ay = self.widget_to_map(anchor)
            cx, cy = self._centre
            self._centre = (ax + (cx - ax) / factor, ay + (cy - ay) / factor)
        self._scale /= factor
        self._view_changed()

    def pan_by(self, dx_px: float, dy_px: float) -> None:
        """Move the map content by (dx, dy) screen pixels (right, down)."""
        self._fit = None
        cx, cy = self._centre
        self._centre = (cx - dx_px * self._scale, cy + dy_px * self._scale)
        self._view_changed()

    def zoom_to_ao(self) -> None:
        x, y = self.to_display(self.document.ao.ring[:, 0], self.document.ao.ring[:, 1])
        self.set_view_rect(float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y)), AO_PADDING)

    def center_on_units(self, indices) -> None:
        idx = np.asarray(indices, dtype=int)
        if not len(idx):
            return
        units = self.document.shown_units
        x, y = self.to_display(units.lon[idx], units.lat[idx])
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            self.center_on(float(np.mean(np.asarray(x)[ok])), float(np.mean(np.asarray(y)[ok])))

    def ensure_visible(self, x: np.ndarray, y: np.ndarray) -> None:
        """Pan to the middle of these display points unless all are in view."""
        x0, y0, x1, y1 = self.view_rect()
        x, y = np.atleast_1d(x), np.atleast_1d(y)
        if len(x) and not np.all((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)):
            self.center_on(float(np.mean(x)), float(np.mean(y)))

    def set_projection(self, projection: Projection) -> None:
        """Show the map in another display CRS, refitted to what was visible: the view's
        outline, taken through lon/lat into the new CRS (a CRS that stretches the area, as
        Web Mercator does, shows all of it, not the same number of metres about its centre)."""
        with np.errstate(all="ignore"):
            lon, lat = self.to_lonlat(*self.settings().outline())
        self.scene.set_projection(projection)
        with np.errstate(all="ignore"):
            x, y = (np.asarray(a, dtype=float) for a in self.to_display(lon, lat))
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            self.set_view_rect(float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max()))
        else:
            self.zoom_to_ao()
        self.projection_changed.emit()

    def set_measure_units(self, units) -> None:
        """What measurements and range rings say (desktop.core.measure_units)."""
        self.scene.set_measure_units(units)

    def set_night(self, on: bool) -> None:
        """Night colours on screen (desktop.gui.theme): the scene paints with the night
        palette (a dark basemap, light line, AO, places and grids); exports keep the day's."""
        self._night = bool(on)
        for button in self._buttons:
            button.setStyleSheet(BUTTON_STYLE[self._night])
        self._view_changed()

    @property
    def has_painted(self) -> bool:
        """Whether the map has been painted (on screen) at least once."""
        return self._painted

    def flush(self) -> None:
        """Do now what waits for the view to rest (layers' rebuilds, label layout): tests."""
        self.scene.prepare(self.settings())

    def _view_changed(self) -> None:
        self.scene.set_view(self.settings())
        self.view_changed.emit()
        self.update()

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QtGui.QPainter(self)
        ratio = self.devicePixelRatioF()
        painter.scale(1 / ratio, 1 / ratio)  # the scene paints in device pixels
        self.scene.paint(painter, self.settings())
        painter.end()
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place_buttons()
        if self._fit is not None:
            self._apply_fit()
        else:
            self._view_changed()

    # -- mouse -----------------------------------------------------------------------------------
    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() in (QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.MiddleButton):
            self._press = (event.position(), self._centre, event.button())
            self._panning = False
        self.setFocus()

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt API
        pos = event.position()
        lon, lat = self.to_lonlat(*self.widget_to_map(pos))
        self.cursor_moved.emit(float(lon), float(lat))
        if self._press is None or not event.buttons() & self._press[2]:
            return
        start, centre, _ = self._press
        delta = pos - start
        if not self._panning and max(abs(delta.x()), abs(delta.y())) < CLICK_SLOP_PX:
            return
        self._panning = True
        self._fit = None
        self._centre = (centre[0] - delta.x() * self._scale, centre[1] + delta.y() * self._scale)
        self._view_changed()

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._press is None or event.button() != self._press[2]:
            return
        press, self._press = self._press, None
        if not self._panning and press[2] == QtCore.Qt.MouseButton.LeftButton:
            self.selection.set_units(self._unit_at(event.position()) or [], source=self)

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802 - Qt API
        notches = event.angleDelta().y() / 120.0
        if notches:
            self.zoom_by(WHEEL_ZOOM ** notches, event.position())

    def _unit_at(self, pos: QtCore.QPointF) -> list[int] | None:
        units = self.scene.layer("units")
        if units is None or not units.visible:
            return None
        x, y = self.widget_to_map(pos)
        hit = units.unit_at(x, y, CLICK_TOLERANCE_PX * self._scale)
        return None if hit is None else [hit]

    def event(self, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.ToolTip:
            return show_tooltip(self, event, self.tooltip_at(QtCore.QPointF(event.pos())))
        return super().event(event)

    def tooltip_at(self, pos: QtCore.QPointF) -> str:
        """Plain text about what is under widget position `pos`: a unit, else a sector."""
        hit = self._unit_at(pos)
        if hit is not None:
            lines = [f"{field}: {value}" for field, value in unit_summary(self.document, hit[0])]
            return "\n".join(lines + [note for layer in self.scene.drawing_order() for note in layer.unit_notes(hit[0])])
        sectors = self.scene.layer("sectors")
        if sectors is not None and sectors.visible:
            sector = sectors.sector_at(*self.widget_to_map(pos))
            if sector is not None:
                return f"{sector.id} {sector.name}: {sector.area_km2:,.0f} km²"
        return ""

    # -- keys -----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt API
        Key = QtCore.Qt.Key
        key, step = event.key(), KEY_PAN * (4 if event.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier else 1)
        if key in (Key.Key_Plus, Key.Key_Equal):
            self.zoom_by(KEY_ZOOM)
        elif key in (Key.Key_Minus, Key.Key_Underscore):
            self.zoom_by(1 / KEY_ZOOM)
        elif key == Key.Key_Home:
            self.zoom_to_ao()
        elif key in (Key.Key_Left, Key.Key_Right):
            self.pan_by((1 if key == Key.Key_Left else -1) * step * self.width(), 0)
        elif key in (Key.Key_Up, Key.Key_Down):
            self.pan_by(0, (1 if key == Key.Key_Up else -1) * step * self.height())
        else:
            super().keyPressEvent(event)

    # -- on-map zoom buttons ------------------------------------------------------------------
    def _make_buttons(self) -> list[QtWidgets.QToolButton]:
        buttons = []
        for name, text, tip, slot in (("zoomInButton", "+", "Zoom in (+)", lambda: self.zoom_by(KEY_ZOOM)),
                                      ("zoomOutButton", "−", "Zoom out (-)", lambda: self.zoom_by(1 / KEY_ZOOM)),
                                      ("zoomAoButton", "⌂", "Zoom to the AO (Home)", self.zoom_to_ao)):
            button = QtWidgets.QToolButton(self, objectName=name, text=text, toolTip=tip)
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            button.setFixedSize(BUTTON_PX, BUTTON_PX)
            button.setStyleSheet(BUTTON_STYLE[False])
            button.clicked.connect(slot)
            buttons.append(button)
        return buttons

    def _place_buttons(self) -> None:
        for k, button in enumerate(self._buttons):
            button.move(self.width() - BUTTON_PX - 10, 10 + k * (BUTTON_PX + 4))

    # No centring on a selection: browsing the sectors list must not move the map. A view
    # that means to show the units (a double-click, a link) calls center_on_units.
    def close(self) -> bool:
        """Disconnect from the scene (the window closes the scene)."""
        self.links.disconnect_all()
        return super().close()

