"""One map scene: the display projection, the layers in drawing order and the label
registry they share. It paints into any QPainter from a `MapSettings`, after QGIS's split
of `QgsMapSettings` and the renderer job: the window (desktop.gui.map.view) and the export
(desktop.gui.export) are two hosts of the same scene, and neither reaches into a layer.

Layers come from `map_layer` plugin contributions (`layers_from_plugins`); a layer that
fails to load or to paint is logged and skipped, never fatal.

While the window's extent rests, repaints draw from images what did not change: the bottom
run of `cacheable` layers (basemap, imagery, grid) as one opaque image, and each run of
layers unchanged for a few repaints (the AO outline, places, markup during a line drag) as
one transparent image, when painting them costs more than drawing the image. A drag or a
time-cursor step so repaints only what moves (desktop.gui.map.run_images). Exports never
use images (vector output).
"""
from __future__ import annotations

import logging
import time

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.events import Signal
from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.core.measure_units import DEFAULT as KM_TRUE_DEGREES
from desktop.core.measure_units import MeasureUnits
from desktop.gui.map.layers.base import Debounce, LayerProvider, MapLayer
from desktop.gui.map.layers.labels import LabelRegistry
from desktop.gui.map.run_images import RunImages, background

log = logging.getLogger(__name__)
LABEL_DELAY_MS = 60  # labels are laid out again this long after the view stops
LABEL_SLICE_MS = 8    # a window lays labels out in slices this long (alerts and repaints go on between)
LABEL_QUICK_MS = 100  # beyond this much work, a layout rests LABEL_REST times as long as it works
LABEL_REST = 3        # (a steady live feed over a crowd: labels take a quarter of the window's time)
VECTOR_ENGINES = (QtGui.QPaintEngine.Type.Pdf, QtGui.QPaintEngine.Type.SVG, QtGui.QPaintEngine.Type.Picture)


class MapScene:
    """`layers` bottom first. `interactive` (set by the window) means: debounce work after a
    pan or zoom; headless (an export), `prepare(settings)` does it before painting."""

    def __init__(self, document, projection: Projection | None = None, *, interactive: bool = False) -> None:
        self.document = document
        self.projection = projection or Projection.utm_for(*document.ao.centre)
        self.interactive = interactive
        self.labels = LabelRegistry()
        self.settings: MapSettings | None = None   # what the window shows (None: no window)
        self.cache_images = interactive
        self.changed = Signal()              # (): something must be repainted
        self.layers_changed = Signal()       # (): added, removed, moved, shown, hidden, opacity
        self.projection_changed = Signal()   # ()
        self.measure_units_changed = Signal()  # (): what measurements and range rings say changed
        self.measure_units: MeasureUnits = KM_TRUE_DEGREES
        self.notice = Signal()               # (message): a layer's source could not be loaded
        self.notices: list[str] = []         # every notice so far (a window shows those before it)
        self._layers: list[MapLayer] = []
        self._providers: list[LayerProvider] = []
        self._raised: list[str] = []
        self._images = RunImages()
        self._last_paint: MapSettings | None = None
        self._label_timer = Debounce(LABEL_DELAY_MS, self._start_label_steps)
        # A window's layout in slices (a crowd of flagged unit names takes seconds: the alerts
        # and repaints of a live feed go on in between); asked again meanwhile: once more after.
        self._label_job = None
        self._label_again = False
        self._label_spent = 0.0
        self._label_step = QtCore.QTimer(singleShot=True)   # (not 0 ms: zero timers would wait behind it)
        self._label_step.timeout.connect(self._run_label_slice)

    # -- coordinates -----------------------------------------------------------------------
    def to_display(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.projection.forward(lon, lat)

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return self.projection.inverse(x, y)

    def plane_to_display(self, xy: np.ndarray) -> np.ndarray:
        """Analysis-plane coordinates (n x 2) to display coordinates (n x 2)."""
        lon, lat = self.document.analysis_projection.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack(self.to_display(lon, lat))

    def set_projection(self, projection: Projection) -> None:
        """Show the map in another display CRS (no answer changes)."""
        self.projection = projection
        for layer in list(self._layers):
            layer.projection_changed()
        self.projection_changed.emit()
        self.changed.emit()

    def set_measure_units(self, units: MeasureUnits) -> None:
        """The units of measure (desktop.core.measure_units) the layers' figures are said in:
        the window's preference, or an export's own."""
        if units != self.measure_units:
            self.measure_units = units
            self.measure_units_changed.emit()

    # -- layers ----------------------------------------------------------------------------
    @property
    def layers(self) -> tuple[MapLayer, ...]:
        return tuple(self._layers)

    def layer(self, layer_id: str) -> MapLayer | None:
        return next((layer for layer in self._layers if layer.id == layer_id), None)

    def add_layer(self, layer: MapLayer) -> None:
        """Attach `layer` above every layer whose `z` is not above its own."""
        if self.layer(layer.id) is not None:
            raise ValueError(f"the map already has a layer {layer.id!r}")
        layer.attach(self)
        at = next((i for i, other in enumerate(self._layers) if other.z > layer.z), len(self._layers))
        self._layers.insert(at, layer)
        if self.settings is not None and layer.visible:
            layer.view_changed(self.settings)
        self._layers_changed()

    def add_provider(self, provider: LayerProvider) -> None:
        """Attach something that adds and removes layers itself (user basemaps)."""
        self._providers.append(provider)
        provider.attach(self)

    def remove_layer(self, layer_id: str) -> None:
        layer = self.layer(layer_id)
        if layer is not None:
            self._layers.remove(layer)
            layer.close()
            self._layers_changed()

    def move_layer(self, layer_id: str, index: int) -> None:
        """Put a layer at `index` of the drawing order (0: bottom)."""
        layer = self.layer(layer_id)
        if layer is None:
            return
        self._layers.remove(layer)
        self._layers.insert(max(0, min(index, len(self._layers))), layer)
        self._layers_changed()

    def set_visible(self, layer_id: str, visible: bool) -> None:
        layer = self.layer(layer_id)
        if layer is None or layer.visible == bool(visible):
            return
        layer.visible = bool(visible)
        if layer.visible and self.settings is not None:
            layer.view_changed(self.settings)  # it may have missed pans while hidden
        self._layers_changed()

    def set_opacity(self, layer_id: str, opacity: float) -> None:
        layer = self.layer(layer_id)
        if layer is not None and layer.opacity != float(opacity):
            layer.opacity = min(max(float(opacity), 0.0), 1.0)
            self._layers_changed()

    def raise_layer(self, layer_id: str, on_top: bool) -> None:
        """Draw a layer above all others while `on_top` (the line while the line tool edits
        it), whatever the order says; the order itself is unchanged."""
        if on_top and layer_id not in self._raised:
            self._raised.append(layer_id)
        elif not on_top and layer_id in self._raised:
            self._raised.remove(layer_id)
        else:
            return
        self.changed.emit()

    def drawing_order(self) -> list[MapLayer]:
        """Visible layers, bottom first, raised ones last."""
        shown = [layer for layer in self._layers if layer.visible]
        return [layer for layer in shown if layer.id not in self._raised] + \
            [layer for layer in shown if layer.id in self._raised]

    def layer_state(self) -> list[tuple[str, bool, float]]:
        """(id, visible, opacity) of every layer in drawing order: what the layers panel
        shows, what a project saves and what an export follows."""
        return [(layer.id, layer.visible, layer.opacity) for layer in self._layers]

    def apply_layer_state(self, state) -> None:
        """Order, show and dim the layers as `state` says ((id, visible, opacity), bottom
        first). Ids the scene lacks are skipped; layers `state` lacks keep their defaults and
        stay above the layer they followed."""
        known = {layer.id: layer for layer in self._layers}
        listed = [known[i] for i, _, _ in state if i in known]
        for layer_id, visible, opacity in state:
            if layer_id in known:
                known[layer_id].visible = bool(visible)
                known[layer_id].opacity = min(max(float(opacity), 0.0), 1.0)
        order = list(listed)
        for k, layer in enumerate(self._layers):  # the unlisted, after their old neighbour below
            if layer not in listed:
                below = next((other for other in reversed(self._layers[:k]) if other in order), None)
                order.insert(order.index(below) + 1 if below is not None else 0, layer)
        self._layers = order
        if self.settings is not None:
            for layer in self.drawing_order():
                layer.view_changed(self.settings)
        self._layers_changed()

    def notify(self, message: str) -> None:
        """A layer or provider reports a problem the planner should hear of (plain text)."""
        log.warning("%s", message)
        self.notices.append(message)
        self.notice.emit(message)

    def layer_changed(self, layer: MapLayer) -> None:
        if layer.visible:
            self.changed.emit()

    def _layers_changed(self) -> None:
        self.relayout_labels()
        self.layers_changed.emit()
        self.changed.emit()

    def close(self) -> None:
        """Close every layer (each disconnects what it connected)."""
        self._label_timer.stop()
        self._stop_label_steps()
        providers, self._providers = self._providers, []
        for provider in providers:
            provider.close()
        layers, self._layers = self._layers, []
        for layer in layers:
            layer.close()

    # -- the view ---------------------------------------------------------------------------
    def set_view(self, settings: MapSettings) -> None:
        """The window shows `settings` now (every pan or zoom step): layers schedule what
        they need, labels are laid out again once it rests."""
        self.settings = settings
        for layer in self.drawing_order():
            layer.view_changed(settings)
        self.relayout_labels()

    def prepare(self, settings: MapSettings | None = None) -> None:
        """Everything ready for `settings` now (default: what the window shows): what an
        export does before it paints, and what a window's timers would do."""
        settings = settings or self.settings
        if settings is None:
            return
        for layer in self.drawing_order():
            try:
                layer.prepare(settings)
            except Exception:  # noqa: BLE001 - one broken layer must not stop the others
                log.exception("map layer %s failed to prepare", layer.id)
        self.layout_labels(settings)

    def relayout_labels(self) -> None:
        """Lay the labels out again soon (a layer's labels or the view changed)."""
        if not self.interactive:
            return
        if self._label_job is not None:
            self._label_again = True
        else:
            self._label_timer.start(LABEL_DELAY_MS)

    @property
    def labels_pending(self) -> bool:
        """A layout of the labels is due or under way."""
        return self._label_job is not None or self._label_timer.active

    def layout_labels(self, settings: MapSettings | None = None) -> None:
        """Lay every label out now, at once."""
        self._label_timer.stop()
        self._stop_label_steps()
        for _ in self._label_steps(settings):
            pass

    def _label_steps(self, settings: MapSettings | None):
        settings = settings or self.settings
        if settings is None:
            return
        self.labels.begin(settings)
        passes = [(rank, layer, layout) for layer in self.drawing_order() for rank, layout in layer.label_passes()]
        for _rank, layer, layout in sorted(passes, key=lambda p: p[0]):
            try:
                steps = layout(settings, self.labels)
                if steps is not None:   # a long layout, in steps
                    yield from steps
            except Exception:  # noqa: BLE001
                log.exception("map layer %s failed to place its labels", layer.id)
        self.changed.emit()

    def _start_label_steps(self) -> None:
        self._label_job, self._label_again, self._label_spent = self._label_steps(None), False, 0.0
        self._label_step.start(0)

    def _stop_label_steps(self) -> None:
        self._label_step.stop()
        self._label_job, self._label_again = None, False

    def _run_label_slice(self) -> None:
        start = step = time.perf_counter()
        try:
            next(self._label_job)
            # No step the slice has no room for (a step as long as the last one).
            while 2 * time.perf_counter() - step - start < LABEL_SLICE_MS / 1000.0:
                step = time.perf_counter()
                next(self._label_job)
        except StopIteration:
            again = self._label_again
            self._stop_label_steps()
            if again:
                spent_ms = (self._label_spent + time.perf_counter() - start) * 1000.0
                rest = LABEL_REST * spent_ms if spent_ms > LABEL_QUICK_MS else 0
                self._label_timer.start(max(LABEL_DELAY_MS, int(rest)))
            return
        spent = time.perf_counter() - start
        self._label_spent += spent
        # A quick layout (a pan) runs on; a long one (a crowd) rests after each slice.
        long = self._label_spent * 1000.0 > LABEL_QUICK_MS
        self._label_step.start(int(LABEL_REST * max(LABEL_SLICE_MS, 1000 * spent)) if long else 1)

    # -- painting ---------------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        """Paint the map for `settings` into `painter` (device pixels from its origin)."""
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
        order = self.drawing_order()
        images = self._images
        images.note(order)
        resting = settings == self._last_paint and self.cache_images and not settings.force_vector
        self._last_paint = settings
        if not resting:
            painter.fillRect(QtCore.QRectF(0, 0, *settings.size), background(settings))
            for layer in order:
                self._paint_layer(painter, layer, settings)
            images.keep(None)
        else:
            for run, cached in images.runs(order):
                if cached:
                    image = images.image(run, settings, run[0] is order[0] and run[0].cacheable, self._paint_layer)
                    painter.drawImage(QtCore.QPointF(0, 0), image)
                else:
                    if run[0] is order[0]:
                        painter.fillRect(QtCore.QRectF(0, 0, *settings.size), background(settings))
                    for layer in run:
                        self._paint_layer(painter, layer, settings)
            images.keep(settings)
        painter.restore()

    def _paint_layer(self, painter: QtGui.QPainter, layer: MapLayer, settings: MapSettings) -> None:
        """One layer. A dimmed one is painted into an image first and that image drawn with
        its opacity, so its own parts do not show through each other (the land over the
        sea); on a vector device (PDF, SVG) each part is dimmed instead, to stay vector."""
        t0 = time.perf_counter()
        painter.save()
        try:
            if layer.opacity >= 1.0 or layer.paints_opacity:
                layer.paint(painter, settings)
            elif painter.paintEngine().type() in VECTOR_ENGINES:
                painter.setOpacity(layer.opacity)
                layer.paint(painter, settings)
            else:
                image = QtGui.QImage(*settings.size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
                image.fill(QtCore.Qt.GlobalColor.transparent)
                p = QtGui.QPainter(image)
                p.setRenderHints(painter.renderHints())
                try:
                    layer.paint(p, settings)
                finally:
                    p.end()
                painter.setOpacity(layer.opacity)
                painter.drawImage(QtCore.QPointF(0, 0), image)
        except Exception:  # noqa: BLE001 - a layer failure must never take the map down
            log.exception("map layer %s failed to paint", layer.id)
        painter.restore()
        self._images.cost[id(layer)] = (time.perf_counter() - t0) * 1000.0

    @property
    def cached(self) -> bool:
        """Whether the last paint drew the bottom layers (basemap, grid) from an image."""
        return self._images.bottom_cached


def scene_for(context, projection: Projection | None = None, *, interactive: bool = False
              ) -> tuple[MapScene, list[str]]:
    """A scene of `context.document` with the layers of every `map_layer` plugin, and a
    message per contribution that failed. `interactive`: for a window (see MapScene)."""
    scene = MapScene(context.document, projection, interactive=interactive)
    layers, failures = layers_from_plugins(context.registry, context)
    for layer in layers:
        (scene.add_provider if isinstance(layer, LayerProvider) else scene.add_layer)(layer)
    return scene, failures


def layers_from_plugins(registry, context) -> tuple[list[MapLayer], list[str]]:
    """The layers of every `map_layer` contribution, built for `context` (a contribution
    may give one layer, several, or a LayerProvider), and a message per contribution that
    failed."""
    layers, failures = [], []
    for contribution in registry.contributions("map_layer"):
        try:
            made = contribution.load()(context)
            layers.extend(made if isinstance(made, (list, tuple)) else [made])
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            log.exception("map layer %s failed", contribution.id)
            failures.append(f"map_layer {contribution.title!r}: {exc}")
    return layers, failures
