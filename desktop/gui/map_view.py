"""The operational map: a pyqtgraph plot in a projected display CRS, aspect locked.

Layers draw document state; the view converts between lon/lat, the display CRS and the
analysis plane. Changing the display CRS re-projects every layer and changes no answer.
"""
from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from desktop.core.document import Analysis, Document
from desktop.core.geodesy import Projection
from desktop.core.selection import Selection
from desktop.gui import labels, style
from desktop.gui.annotation_layer import AnnotationLayer
from desktop.gui.line_layer import LineLayer
from desktop.gui.sector_layer import SectorLayer
from desktop.gui.unit_layer import UnitLayer

log = logging.getLogger(__name__)
Z_PLACES = 40
NIGHT_INK = (236, 236, 236)  # the line at night: light on the dark basemap
CLICK_TOLERANCE_PX = 8


class MapView(pg.PlotWidget):
    cursor_moved = QtCore.Signal(float, float)     # lon, lat under the mouse
    view_changed = QtCore.Signal()                 # pan/zoom: scale readouts follow
    projection_changed = QtCore.Signal()

    def __init__(self, document: Document, selection: Selection, parent=None, cache_static: bool = True) -> None:
        """`cache_static`: paint the basemap and graticule from a pixmap while the view rests
        (desktop.gui.static_cache); exports pass False to keep them vector."""
        super().__init__(parent, background="w")
        self.setObjectName("mapView")
        self.document = document
        self.selection = selection
        self.projection = Projection.utm_for(*document.ao.centre)
        self.plot_item = self.getPlotItem()
        self.view_box = self.plot_item.getViewBox()
        self.view_box.setAspectLocked(True, ratio=1)
        self.view_box.setMenuEnabled(False)
        for axis in ("left", "bottom"):
            self.plot_item.hideAxis(axis)
        self.plot_item.hideButtons()
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self._optional_layers = self._make_optional_layers()
        self.sector_layer = SectorLayer(self)
        self.line_layer = LineLayer(self)
        self.unit_layer = UnitLayer(self)
        self.annotation_layer = AnnotationLayer(self)
        self._place_dots: pg.ScatterPlotItem | None = None
        self._place_labels: list[pg.TextItem] = []
        self._place_ink = QtGui.QColor(20, 20, 20)  # (night: light, see set_night)
        self._label_timer = QtCore.QTimer(self, singleShot=True, interval=60)
        self._label_timer.timeout.connect(self._layout_place_labels)
        for layer in self._optional_layers:
            if hasattr(layer, "set_reserved_places"):
                layer.set_reserved_places(document.places)
        self._redraw_all()
        self.static_cache = None
        if cache_static:
            from desktop.gui.static_cache import StaticLayerCache
            layers = [layer for layer in self._optional_layers if hasattr(layer, "rebuild_pending")]
            self.static_cache = StaticLayerCache(self, busy=lambda: any(layer.rebuild_pending for layer in layers))

        document.analysis_changed.connect(self._on_analysis_changed)
        document.units_changed.connect(self._on_units_changed)
        document.annotations_changed.connect(self._on_annotations_changed)
        document.positions_changed.connect(self._on_units_changed)  # the time cursor moved them
        document.ao_changed.connect(lambda ao: self.sector_layer.refresh(self.document.analysis))  # an import
        selection.changed.connect(self._on_selection_changed)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.view_box.sigRangeChanged.connect(lambda *_: self.view_changed.emit())
        self.view_box.sigRangeChanged.connect(lambda *_: self._label_timer.start())
        self.zoom_to_ao()

    # -- coordinates -----------------------------------------------------------------------
    def to_display(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.projection.forward(lon, lat)

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return self.projection.inverse(x, y)

    def plane_to_display(self, xy: np.ndarray) -> np.ndarray:
        """Analysis-plane coordinates (n x 2) to display coordinates (n x 2)."""
        lon, lat = self.document.analysis_projection.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack(self.to_display(lon, lat))

    def pixel_size(self) -> float:
        """Map metres per screen pixel at the current zoom."""
        px = self.view_box.viewPixelSize()
        return float(px[0]) if px[0] > 0 else 1.0

    def scale_denominator(self) -> float:
        """The map scale 1:N at the view centre, on this screen."""
        dpi = self.logicalDpiX() or 96
        metres_per_screen_metre = self.pixel_size() * dpi / 0.0254
        centre = self.view_box.viewRect().center()
        lon, lat = self.to_lonlat(centre.x(), centre.y())
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

    def snap_polylines(self) -> dict[str, list[np.ndarray]]:
        """Basemap lines (rivers, borders) in display coordinates, for snapping."""
        out: dict[str, list[np.ndarray]] = {}
        for layer in self._optional_layers:
            if hasattr(layer, "snap_polylines"):
                out.update(layer.snap_polylines())
        return out

    # -- view control ----------------------------------------------------------------------
    def set_night(self, on: bool) -> None:
        """Night colours for the screen (desktop.gui.theme): a dark basemap and background, the
        line, AO and places in light ink. Exports build their own map, in the day colours."""
        ink = QtGui.QColor(*NIGHT_INK) if on else style.qcolor(style.LINE_COLOUR)
        self.setBackground("#1b1d20" if on else "w")
        for layer in self._optional_layers:
            if hasattr(layer, "set_night"):
                layer.set_night(on)
        self.line_layer.curve.setPen(pg.mkPen(ink, width=3))
        self.line_layer.extension.setPen(pg.mkPen(ink, width=2, style=QtCore.Qt.PenStyle.DashLine))
        ao_pen = QtGui.QPen(self.sector_layer.ao_item.pen())
        ao_pen.setColor(QtGui.QColor("#b0b0b0") if on else style.qcolor(style.AO_COLOUR))
        self.sector_layer.ao_item.setPen(ao_pen)
        self._place_ink = QtGui.QColor("#e6e6e6") if on else QtGui.QColor(20, 20, 20)
        self._draw_places()
        if self.static_cache is not None:
            self.static_cache.invalidate()

    def set_measure_units(self, units) -> None:
        """What measurements and range rings say (desktop.core.measure_units)."""
        self.annotation_layer.set_measure_units(units)

    def set_projection(self, projection: Projection) -> None:
        """Show the map in another CRS, refitted to what was visible: the view's outline,
        taken through lon/lat into the new CRS (a CRS that stretches the area, as Web
        Mercator does, shows all of it, not the same number of metres around its centre)."""
        rect = self.view_box.viewRect()
        lon, lat = self.to_lonlat(*_outline(rect))
        self.projection = projection
        if self.static_cache is not None:
            self.static_cache.invalidate()  # the basemap is redrawn in the new CRS
        self._redraw_all()
        for layer in self._optional_layers:
            layer.set_projection(projection)
        x, y = self.to_display(lon, lat)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            self.view_box.setRange(xRange=(float(x[ok].min()), float(x[ok].max())),
                                   yRange=(float(y[ok].min()), float(y[ok].max())), padding=0)
        else:
            self.zoom_to_ao()
        self.projection_changed.emit()

    def zoom_to_ao(self) -> None:
        x, y = self.to_display(self.document.ao.ring[:, 0], self.document.ao.ring[:, 1])
        self.view_box.setRange(xRange=(x.min(), x.max()), yRange=(y.min(), y.max()), padding=0.05)

    def center_on_units(self, indices) -> None:
        idx = np.asarray(indices, dtype=int)
        if not len(idx):
            return
        x, y = self.unit_layer.x[idx], self.unit_layer.y[idx]
        rect = self.view_box.viewRect()
        cx, cy = float(np.mean(x)), float(np.mean(y))
        self.view_box.translateBy(x=cx - rect.center().x(), y=cy - rect.center().y())

    # -- redraw ---------------------------------------------------------------------------
    def _make_optional_layers(self) -> list:
        """Basemap and graticule: the map must still work if either fails to load."""
        layers = []
        for module, cls in (("desktop.gui.basemap_layer", "BasemapLayer"), ("desktop.gui.graticule", "GraticuleLayer")):
            try:
                mod = __import__(module, fromlist=[cls])
                layers.append(getattr(mod, cls)(self.plot_item, self.projection))
            except Exception as exc:  # noqa: BLE001 - no basemap is better than no map
                log.warning("%s unavailable: %s", cls, exc)
        return layers

    def _redraw_all(self) -> None:
        analysis = self.document.analysis
        self.sector_layer.refresh(analysis)
        self.line_layer.update_analysis(analysis)
        self.unit_layer.refresh_positions()
        self.unit_layer.update_flags(analysis)
        self.unit_layer.update_selection(self.selection.units)
        self.annotation_layer.refresh()
        self._draw_places()

    def _draw_places(self) -> None:
        """Scenario places: a dot and a bold label, re-laid out on zoom so none overlap."""
        for item in [self._place_dots, *self._place_labels]:
            if item is not None:
                self.plot_item.removeItem(item)
        self._place_dots, self._place_labels = None, []
        places = self.document.places
        if not places:
            return
        x, y = self.to_display([p.lon for p in places], [p.lat for p in places])
        self._place_dots = pg.ScatterPlotItem(x=x, y=y, size=6, symbol="o", pen=None, brush=pg.mkBrush(self._place_ink))
        self._place_dots.setZValue(Z_PLACES)
        self.plot_item.addItem(self._place_dots)
        font = QtGui.QFont()
        font.setPointSize(9)
        font.setBold(True)
        for place, px, py in zip(places, x, y):
            label = pg.TextItem(place.name, color=self._place_ink, anchor=labels.ANCHORS[0])
            label.setFont(font)
            label.setPos(float(px), float(py))
            label.setZValue(Z_PLACES)
            self.plot_item.addItem(label)
            self._place_labels.append(label)
        self._layout_place_labels()

    def _layout_place_labels(self) -> None:
        if not self._place_labels:
            return
        px, py = self.view_box.viewPixelSize()
        if not px or not py:
            return
        x, y = self._place_dots.getData()
        sx, sy = labels.to_pixels(x, y, px, py, self.view_box.viewRect())
        anchors, _ = labels.place_labels(sx, sy, [p.name for p in self.document.places])
        for label, anchor in zip(self._place_labels, anchors):
            label.setAnchor(anchor)

    def _on_analysis_changed(self, analysis: Analysis) -> None:
        self.sector_layer.update_analysis(analysis)
        self.line_layer.update_analysis(analysis)
        self.unit_layer.update_flags(analysis)

    def _on_units_changed(self) -> None:
        self.unit_layer.refresh_positions()
        self.unit_layer.update_selection(self.selection.units)

    def _on_annotations_changed(self, _annotations) -> None:
        self.annotation_layer.refresh()
        self.unit_layer.detail.relayout()  # unit names keep clear of markup labels

    def _on_selection_changed(self, source: object) -> None:
        # No centring here: browsing the sectors list must not move the map. A view that
        # means to show the units (a double-click, a link) calls center_on_units.
        self.unit_layer.update_selection(self.selection.units)

    # -- mouse ----------------------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        p = self.view_box.mapSceneToView(scene_pos)
        lon, lat = self.to_lonlat(p.x(), p.y())
        self.cursor_moved.emit(float(lon), float(lat))

    def _on_mouse_clicked(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton or ev.double():
            return
        # Unit markers accept clicks themselves; anything else that took the click wins.
        if ev.isAccepted() and ev.currentItem in (self.line_layer.handles, self.line_layer.curve):
            return
        p = self.view_box.mapSceneToView(ev.scenePos())
        hit = self.unit_layer.unit_at(p.x(), p.y(), CLICK_TOLERANCE_PX * self.pixel_size())
        self.selection.set_units([] if hit is None else [hit], source=self)


def _outline(rect: QtCore.QRectF, n: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Points along the edges of `rect` (n a side): its shape in another CRS."""
    t = np.linspace(0.0, 1.0, n, endpoint=False)
    x0, y0, w, h = rect.left(), rect.top(), rect.width(), rect.height()
    x = np.concatenate([x0 + t * w, np.full(n, x0 + w), x0 + w - t * w, np.full(n, x0)])
    y = np.concatenate([np.full(n, y0), y0 + t * h, np.full(n, y0 + h), y0 + h - t * h])
    return x, y
