"""Find a place (Ctrl+F): a search box over `desktop.core.place_search`. Type a name (the
project's places, then the bundled towns; forgiving of spelling) or a position (MGRS,
decimal degrees, DMS); pick a result from the list, or press Enter for the first. The map
centres on it (zooming in to a town's scale when it shows a wider area; an MGRS square is
fitted) and marks it with a pin and its name; Esc clears the box and the pin.
"""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.gui.map.layers.search_mark import SearchMarkLayer

SEARCH_DELAY_MS = 120
RESULTS = 10
CLOSE_WIDTH_M = 20_000.0     # a point result is shown at least this close (view width)
RESULT = QtCore.Qt.ItemDataRole.UserRole + 1


class PlaceSearchBox(QtWidgets.QLineEdit):
    found = QtCore.Signal(object)     # (SearchResult): the map went there

    def __init__(self, map_view, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("placeSearch")
        self.map_view = map_view
        self.setPlaceholderText("Find a place or position (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.setMaximumWidth(320)
        self.setToolTip("A place or town name, MGRS (37S DV 12345 67890) or lat, lon; Enter goes to the first")
        self.results: list = []
        self._search = None
        self._places = None
        self.model = QtGui.QStandardItemModel(self)
        self.completer = QtWidgets.QCompleter(self.model, self)
        self.completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(RESULTS)
        self.completer.popup().setObjectName("placeSearchResults")
        self.completer.activated[QtCore.QModelIndex].connect(self._on_activated)
        self.setCompleter(self.completer)
        self._timer = QtCore.QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.update_results)
        self.textEdited.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self.go_first)
        self.shortcut = QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Find, map_view.window(), self.focus_search)
        self.shortcut.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)

    def focus_search(self) -> None:
        self.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()

    # -- searching ---------------------------------------------------------------------------
    def _searcher(self):
        places = self.map_view.document.places
        if self._search is None or places is not self._places:
            from desktop.core.place_search import PlaceSearch  # rapidfuzz and the towns: first search only
            self._search, self._places = PlaceSearch(places), places
        return self._search

    def search(self, text: str) -> list:
        return self._searcher().search(text, RESULTS)

    def update_results(self) -> None:
        """The results for the text typed, in the list under the box."""
        self._timer.stop()
        self.results = self.search(self.text())
        self.model.clear()
        for result in self.results:
            label = f"{result.label} — {result.detail}" if result.detail else result.label
            item = QtGui.QStandardItem(label)   # a plain-text item: names come from files
            item.setData(result, RESULT)
            item.setEditable(False)
            self.model.appendRow(item)
        if self.results and self.hasFocus():
            self.completer.complete()
        else:
            self.completer.popup().hide()

    def go_first(self) -> None:
        if self._timer.isActive() or not self.results:
            self.update_results()
        if self.results:
            self.go(self.results[0])
        else:
            self.map_view.window().statusBar().showMessage(f"Nothing found for “{self.text().strip()}”", 6000)

    def _on_activated(self, index: QtCore.QModelIndex) -> None:
        result = index.data(RESULT)
        if result is not None:
            QtCore.QTimer.singleShot(0, lambda: self.go(result))  # after the completer wrote the text

    # -- going there -------------------------------------------------------------------------
    def mark_layer(self) -> SearchMarkLayer:
        scene = self.map_view.scene
        layer = scene.layer(SearchMarkLayer.id)
        if layer is None:
            layer = SearchMarkLayer()
            scene.add_layer(layer)
        return layer

    def go(self, result) -> None:
        """Centre the map on `result` and mark it."""
        view = self.map_view
        self.completer.popup().hide()
        self.setText(result.label)
        if result.extent is not None:
            lon0, lat0, lon1, lat1 = result.extent
            x, y = view.to_display([lon0, lon1, lon0, lon1], [lat0, lat0, lat1, lat1])
            view.set_view_rect(min(x), min(y), max(x), max(y), 0.6)
        else:
            x, y = view.to_display(result.lon, result.lat)
            x0, y0, x1, y1 = view.view_rect()
            width = x1 - x0
            if width > CLOSE_WIDTH_M:
                half_w, half_h = CLOSE_WIDTH_M / 2, CLOSE_WIDTH_M / 2 * (y1 - y0) / max(width, 1e-9)
                view.set_view_rect(float(x) - half_w, float(y) - half_h, float(x) + half_w, float(y) + half_h)
            else:
                view.center_on(float(x), float(y))
        layer = self.mark_layer()
        self.map_view.scene.set_visible(layer.id, True)
        layer.set_result(result)
        self.found.emit(result)

    def clear_mark(self) -> None:
        layer = self.map_view.scene.layer(SearchMarkLayer.id)
        if layer is not None:
            layer.clear()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == QtCore.Qt.Key.Key_Escape:
            self.clear()
            self.clear_mark()
            self.map_view.setFocus()
            return
        super().keyPressEvent(event)
