"""The map layer protocol: what a scene asks of each layer it draws.

A layer is attached to one scene (`attach`), subscribes there to its own sources (the
document, the selection, the time cursor) through `self.links`, and `close()` undoes all of
it in one call, as napari's `_vispy/layers/base.py` does. It paints itself into any
QPainter from a `MapSettings` (device pixels; sizes in screen pixels times the settings'
`pixel_ratio`), so the window and an export draw the same layer.

Work that depends on the extent shown (cutting the basemap to the view, the units' level
of detail, label placement) is done in `prepare(settings)`, which an export calls before it
paints; in the window `view_changed(settings)` schedules it (debounced) while the layer
paints what it has.
"""
from __future__ import annotations

from typing import Callable, Iterator

from PySide6 import QtCore, QtGui

from desktop.core.events import Connections
from desktop.core.map_settings import MapSettings


class Debounce:
    """Runs `fn` once, `ms` after the last `start()`."""

    def __init__(self, ms: int, fn: Callable[[], None]) -> None:
        self._timer = QtCore.QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(ms)
        self._timer.timeout.connect(fn)

    def start(self, ms: int | None = None) -> None:
        if ms is None:
            self._timer.start()
        else:
            self._timer.start(ms)

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()


class MapLayer:
    """Base of every map layer. Subclasses set `id` (stable: saved in projects and in the
    layers panel), `title` and `group`, and implement `paint`.

    `cacheable`: the layer changes only with the view (basemap, imagery, grid), so the
    window may paint it from an image while the view rests. `label_rank`: the layer places
    labels in the scene's shared registry, lower ranks first (they are never left out); a
    layer with labels of two kinds, due at different ranks, adds a pass (`label_passes`).
    `paints_opacity`: the layer applies its `opacity` itself (else the scene dims it).
    `edge_band_px`: how far (screen pixels) labels the layer prints along the map's edges
    reach in (a grid's figures); other edge labels keep inside it.
    """

    id = ""
    title = ""
    group = ""
    z = 0.0             # where the scene first puts the layer: above every layer of lower z
    cacheable = False
    paints_opacity = False
    edge_band_px = 0.0
    label_rank: float | None = None

    def __init__(self) -> None:
        self.scene = None
        self.links = Connections()
        self.visible = True
        self.opacity = 1.0
        self.version = 0    # bumped by `changed()`: a cached image of the layer is stale
        self._timers: list[Debounce] = []

    # -- protocol -----------------------------------------------------------------------------
    def attach(self, scene) -> None:
        """Join `scene`; subclasses connect to their sources here (through `self.links`)."""
        self.scene = scene

    def close(self) -> None:
        """Disconnect everything the layer connected and stop its timers."""
        self.links.disconnect_all()
        for timer in self._timers:
            timer.stop()
        self.scene = None

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        raise NotImplementedError

    def prepare(self, settings: MapSettings) -> None:
        """Bring what depends on the extent up to date for `settings`, now."""

    def view_changed(self, settings: MapSettings) -> None:
        """The window now shows `settings` (a pan or zoom): schedule what `prepare` does."""

    def projection_changed(self) -> None:
        """The scene's display CRS changed: re-project."""
        self.changed()

    def layout_labels(self, settings: MapSettings, registry) -> None:
        """Place this layer's labels in `registry` (layers with a `label_rank`)."""

    def label_passes(self) -> list[tuple[float, Callable[[MapSettings, object], Iterator[None] | None]]]:
        """(rank, layout) of each pass the layer makes over the label registry. A layout that
        can take long returns a generator of its steps instead: a window runs them over
        several passes of its event loop."""
        return [] if self.label_rank is None else [(self.label_rank, self.layout_labels)]

    def unit_notes(self, index: int) -> list[str]:
        """Lines (plain text) this layer adds to the tooltip of unit `index` of the document."""
        return []

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        """A small picture of the layer for the layers panel."""
        painter.fillRect(rect, QtGui.QColor(200, 200, 200))

    @property
    def status(self) -> str | None:
        """Why the layer draws nothing or less than it should, plain text (None: all well)."""
        return None

    def removal(self):
        """The undoable command that takes this layer off the map (a basemap file the user
        added), or None: built-in layers can only be hidden."""
        return None

    # -- for subclasses -------------------------------------------------------------------------
    @property
    def document(self):
        return self.scene.document

    def debounce(self, ms: int, fn: Callable[[], None]) -> Debounce:
        timer = Debounce(ms, fn)
        self._timers.append(timer)
        return timer

    def changed(self) -> None:
        """What the layer paints changed: the scene repaints (and drops its cached image)."""
        self.version += 1
        if self.scene is not None:
            self.scene.layer_changed(self)


class LayerProvider:
    """Adds and removes layers of a scene as its sources say (the user's basemap files: one
    layer each, as the project lists them). A `map_layer` contribution may give one in
    place of a layer; the scene attaches it like a layer and closes it first."""

    def __init__(self) -> None:
        self.scene = None
        self.links = Connections()

    def attach(self, scene) -> None:
        self.scene = scene

    def close(self) -> None:
        self.links.disconnect_all()
        self.scene = None
