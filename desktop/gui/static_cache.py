"""The map's bottom layers (sea, coasts, rivers, borders, towns, graticule) painted from one
pixmap while the view rests.

They change only when the view moves, yet a repaint of the map draws them again item by
item: ~2.5 ms of every line-drag step (and of every time-cursor step) at 1400 x 900. Once
the view has rested and their own debounced rebuilds are done, this renders them once into
a pixmap of the viewport and shows that instead; the first pan or zoom shows the live items
again, so the cache can never be stale (Qt's own item caches drew stale pixels after pans).
Exports paint the live items (vector in SVG/PDF): their offscreen map has no cache.
"""
from __future__ import annotations

from typing import Callable, Iterable

from PySide6 import QtCore, QtGui, QtWidgets

STATIC_BELOW_Z = -50.0   # basemap and graticule items lie below this; document layers above it
REST_MS = 350            # after the last pan/zoom; longer than the layers' own debounces


class StaticLayerCache(QtCore.QObject):
    """`busy()` tells whether a layer still has a rebuild pending (the cache then waits)."""

    def __init__(self, view, busy: Callable[[], bool] = lambda: False) -> None:
        super().__init__(view)
        self.view = view
        self.busy = busy
        self.pixmap_item = QtWidgets.QGraphicsPixmapItem()
        self.pixmap_item.setZValue(-1e9)  # under the view box and everything in it
        self.pixmap_item.setVisible(False)
        self.pixmap_item.setTransformationMode(QtCore.Qt.TransformationMode.FastTransformation)
        view.scene().addItem(self.pixmap_item)
        self._cached: list[QtWidgets.QGraphicsItem] = []  # the live items the pixmap stands for
        self._timer = QtCore.QTimer(self, singleShot=True, interval=REST_MS)
        self._timer.timeout.connect(self.rebuild)
        view.view_box.sigRangeChanged.connect(self.invalidate)
        view.view_box.sigResized.connect(self.invalidate)

    @property
    def active(self) -> bool:
        return self.pixmap_item.isVisible()

    def invalidate(self, *_args) -> None:
        """Show the live items (the view moved); cache again once it rests."""
        if self._cached:
            for item in self._cached:
                item.setVisible(True)
            self._cached = []
            self.pixmap_item.setVisible(False)
        self._timer.start()

    def rebuild(self) -> None:
        view = self.view
        if not view.isVisible() or view.viewport().width() < 2:
            return
        if self.busy():
            self._timer.start()  # a layer still rebuilds for the new view: wait for it
            return
        self.invalidate()
        self._timer.stop()
        static = [it for it in self._plot_items() if it.zValue() < STATIC_BELOW_Z and it.isVisible()]
        if not static:
            return
        self.pixmap_item.setPixmap(self._render_only(static))
        self.pixmap_item.setPos(view.mapToScene(0, 0))
        for item in static:
            item.setVisible(False)
        self._cached = static
        self.pixmap_item.setVisible(True)

    def _plot_items(self) -> Iterable[QtWidgets.QGraphicsItem]:
        return list(self.view.plot_item.items)

    def _render_only(self, static: list) -> QtGui.QPixmap:
        """The viewport with only `static` items drawn (the others hidden meanwhile)."""
        view, viewport = self.view, self.view.viewport()
        others = [it for it in self._plot_items() if it not in static and it.isVisible()]
        for item in others:
            item.setVisible(False)
        try:
            ratio = viewport.devicePixelRatioF()
            pixmap = QtGui.QPixmap(viewport.size() * ratio)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(view.backgroundBrush().color())
            painter = QtGui.QPainter(pixmap)
            painter.setRenderHints(view.renderHints())
            target = QtCore.QRectF(0, 0, viewport.width(), viewport.height())
            view.render(painter, target, viewport.rect())
            painter.end()
        finally:
            for item in others:
                item.setVisible(True)
        return pixmap
