"""The map part of an export: the window's scene of layers, built for the page and painted
with no widget (the QGIS way: settings, then a render job).

The map's pens, symbols and labels are sized in screen pixels; the page is `scale` device
pixels per screen pixel (dpi / 96), which the scene's `MapSettings.pixel_ratio` carries, so
a 300-dpi page looks like the screen, only sharper. `force_vector` keeps everything vector
(symbols are paths, nothing is pre-rendered), crisp in PDF and SVG.

The layers follow the window's layers panel when the export is given its state (order,
visibility, opacity); without one (the command line) they are as the project saved them,
or as they start, except the timeline's overlays, which only the window's state brings.
The page's own choices (grid, buffer band, graticule labels, symbol amplifiers, the line as
a 2525 boundary, units of measure) come last. A page keeps its print colours: its settings
are never night's.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.commands import CommandStack
from desktop.core.document import Document
from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.gui.context import AppContext
from desktop.gui.map.layers.base import LayerProvider
from desktop.gui.map.scene import MapScene, layers_from_plugins

AO_PADDING = 0.04  # of the AO's size, each side, for extent "ao"
GRIDS = {"mgrs": ("grid.mgrs",), "latlon": ("graticule",), "none": ()}   # export --grid
GRID_LAYERS = ("grid.mgrs", "graticule")


def headless_context(document: Document) -> AppContext:
    """What the layers get when no window is behind the export: built-in plugins and those
    installed, a selection of nothing, a time cursor of its own."""
    from desktop.builtin_plugins import BUILTIN_PLUGINS
    registry = PluginRegistry()
    registry.load_entry_points(builtins=BUILTIN_PLUGINS)
    return AppContext(document, CommandStack(document), Selection(), registry)


class MapFrame:
    """The scene of `document` prepared for a frame `logical` screen pixels wide and high
    showing `extent` (display x0, y0, x1, y1; default the AO), at `scale`."""

    def __init__(self, document: Document, logical: tuple[int, int], scale: float,
                 projection: Projection | None = None, extent=None, *, context: AppContext | None = None,
                 layers=None, grid: str | None = None, graticule_labels: bool = True, buffer_band: bool = True,
                 amplifiers=None, line_symbol: bool | None = None, units=None) -> None:
        self._own_context = context is None
        self.context = context or headless_context(document)
        self.scene = MapScene(document, projection)
        if units is not None:  # what measurements and range rings say (desktop.core.measure_units)
            self.scene.set_measure_units(units)
        made, _failures = layers_from_plugins(self.context.registry, self.context)  # a broken plugin: logged
        for layer in made:
            (self.scene.add_provider if isinstance(layer, LayerProvider) else self.scene.add_layer)(layer)
        if layers is not None:
            self.scene.apply_layer_state(layers)
        else:  # as the project saved them; the timeline's overlays only with a window's time
            self.scene.apply_layer_state(document.map_state.layers)
            for layer in self.scene.layers:
                if not getattr(layer, "export_by_default", True):
                    layer.visible = False
        if grid is not None:
            shown = GRIDS[grid]
            for layer_id in GRID_LAYERS:
                self.scene.set_visible(layer_id, layer_id in shown)
        graticule = self.scene.layer("graticule")
        if graticule is not None:
            graticule.show_labels = graticule_labels
        self.scene.set_visible("buffer", buffer_band)
        if line_symbol is not None:
            self.scene.set_visible("line.symbol", line_symbol)
        if amplifiers is not None:  # symbol amplifiers: the names are a layer, the rest the units' own
            self.scene.set_visible("units.labels", "unit_names" in amplifiers)
            symbols = self.scene.layer("units")
            if symbols is not None:
                symbols.set_amplifiers(amplifiers)
        extent = extent if extent is not None else ao_extent(document, self.scene.projection)
        w, h = logical
        self.settings = MapSettings.fitted(self.scene.projection, extent, (max(1, round(w * scale)),
                                                                            max(1, round(h * scale))),
                                           pixel_ratio=scale, force_vector=True)
        self.scene.prepare(self.settings)

    @property
    def projection(self) -> Projection:
        return self.scene.projection

    @property
    def view_rect(self) -> QtCore.QRectF:
        """Display coordinates shown (top() = the smallest y)."""
        x0, y0, x1, y1 = self.settings.extent
        return QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)

    def layer(self, layer_id: str):
        """A shown layer of the page, or None."""
        layer = self.scene.layer(layer_id)
        return layer if layer is not None and layer.visible else None

    def grid_caption(self) -> str:
        """What the page's grid is, for its caption: 'MGRS 1 km, lat/lon 10'' or 'none'."""
        parts = [layer.description(self.settings) for layer_id in GRID_LAYERS
                 if (layer := self.layer(layer_id)) is not None and hasattr(layer, "description")]
        return ", ".join(parts) or "none"

    def render(self, painter: QtGui.QPainter, target: QtCore.QRectF) -> None:
        """Paint the map into `target` (painter coordinates), clipped to it."""
        painter.save()
        painter.setClipRect(target)
        painter.translate(target.topLeft())
        painter.scale(target.width() / self.settings.width, target.height() / self.settings.height)
        self.scene.paint(painter, self.settings)
        painter.restore()

    def close(self) -> None:
        """Every layer disconnects what it connected: no export leaves a listener behind."""
        self.scene.close()
        if self._own_context:
            self.context.time_cursor.close()


def ao_extent(document: Document, projection: Projection) -> tuple[float, float, float, float]:
    """The AO's bounding box in display coordinates, padded a little."""
    x, y = projection.forward(*document.ao.densified())
    w, h = float(np.ptp(x)), float(np.ptp(y))
    return (float(np.min(x)) - AO_PADDING * w, float(np.min(y)) - AO_PADDING * h,
            float(np.max(x)) + AO_PADDING * w, float(np.max(y)) + AO_PADDING * h)


@contextlib.contextmanager
def map_frame(*args, **kwargs) -> Iterator[MapFrame]:
    frame = MapFrame(*args, **kwargs)
    try:
        yield frame
    finally:
        frame.close()
