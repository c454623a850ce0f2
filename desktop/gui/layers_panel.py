"""The layers panel (built-in panel plugin): every layer of the map, top of the list drawn on
top, each with a legend swatch, a visibility box and an opacity; drag a row to reorder.

It is a view of the map scene's layer state (desktop.gui.map.scene: order, visibility,
opacity), which the export follows and a project saves; it changes that state only through
the scene and follows it when it changes elsewhere (View › Show buffer band, a basemap
added, a project opened).
"""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.events import Connections
from desktop.gui import theme
from desktop.gui.context import AppContext
from desktop.gui.plain import tooltip

SWATCH = QtCore.QSize(28, 14)
# Night mode: the swatches keep the layers' day (print) colours, as the export's legend
# does, on a light tile; drawn straight on the dark list, the dark inks would vanish.
NIGHT_TILE = QtGui.QColor(226, 226, 226)
LAYER_ID = QtCore.Qt.ItemDataRole.UserRole
MIME = "application/x-deconflict-map-layer"


class LayerList(QtWidgets.QListWidget):
    """The rows. A row dragged onto another asks, through `moved(layer id, row)`, for its layer
    to be put where the drop says (above the row under the cursor, or below it); the panel
    moves the layer in the scene and lists the rows again."""

    moved = QtCore.Signal(str, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("layersList")
        self.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(QtCore.Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(SWATCH)

    def mimeData(self, items) -> QtCore.QMimeData:  # noqa: N802 - Qt API
        mime = super().mimeData(items)
        mime.setData(MIME, b"\n".join(item.data(LAYER_ID).encode() for item in items))
        return mime

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt API
        return [MIME]

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        event.acceptProposedAction() if event.mimeData().hasFormat(MIME) else event.ignore()

    def dragMoveEvent(self, event: QtGui.QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasFormat(MIME):
            super().dragMoveEvent(event)  # the drop indicator
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802 - Qt API
        if not event.mimeData().hasFormat(MIME):
            event.ignore()
            return
        layer_id = bytes(event.mimeData().data(MIME)).decode().split("\n")[0]
        pos = event.position().toPoint()
        item = self.itemAt(pos)
        if item is None:
            row = self.count()
        else:
            row = self.row(item) + (pos.y() > self.visualItemRect(item).center().y())
        # Copy, not move: the rows are listed again from the scene; a move would make the
        # view delete the dragged row from the new list.
        event.setDropAction(QtCore.Qt.DropAction.CopyAction)
        event.accept()
        self.moved.emit(layer_id, row)


class LayersPanel(QtWidgets.QWidget):
    """Object names: "layersPanel", "layersList", "layerOpacity" (the current row's)."""

    def __init__(self, context: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layersPanel")
        self.scene = context.map_view.scene
        self.stack = context.stack
        self._syncing = False
        self._night = theme.is_night()
        self.list = LayerList(self)
        self.opacity = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self, objectName="layerOpacity")
        self.opacity.setRange(0, 100)
        self.opacity.setSingleStep(5)
        self.opacity.setPageStep(20)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.opacity_label = QtWidgets.QLabel(self)
        self.opacity_label.setMinimumWidth(40)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Opacity", self))
        row.addWidget(self.opacity, 1)
        row.addWidget(self.opacity_label)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.moved.connect(self._on_moved)
        self.list.currentItemChanged.connect(self._show_opacity)
        self.opacity.valueChanged.connect(self._on_opacity_changed)
        self.list.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.links = Connections()
        self.links.connect(self.scene.layers_changed, self.refresh)
        self.refresh()
        self.list.setCurrentRow(0)

    # -- scene -> rows ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rows for the scene's layers, top layer first."""
        self._syncing = True
        current = self.current_layer_id()
        self.list.clear()
        for layer in reversed(self.scene.layers):
            item = QtWidgets.QListWidgetItem(_swatch(layer, self._night), self._text(layer))
            item.setData(LAYER_ID, layer.id)
            text = f"{layer.group}: {layer.title}" if layer.group else layer.title
            item.setToolTip(tooltip(f"{text}\n{layer.status}" if layer.status else text))  # titles from files
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable | QtCore.Qt.ItemFlag.ItemIsDragEnabled)
            item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsDropEnabled)  # drops go between rows
            item.setCheckState(QtCore.Qt.CheckState.Checked if layer.visible else QtCore.Qt.CheckState.Unchecked)
            self.list.addItem(item)
            if layer.id == current:
                self.list.setCurrentItem(item)
        self._syncing = False
        self._show_opacity()

    def set_night(self, on: bool) -> None:
        """Night mode (desktop.gui.theme): the swatches on their light tiles, or not."""
        if on != self._night:
            self._night = on
            self.refresh()

    @staticmethod
    def _text(layer) -> str:
        return layer.title if layer.opacity >= 1.0 else f"{layer.title} ({layer.opacity:.0%})"

    def current_layer_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(LAYER_ID)

    def row_ids(self) -> list[str]:
        """Layer ids as listed (top first)."""
        return [self.list.item(r).data(LAYER_ID) for r in range(self.list.count())]

    def _show_opacity(self, *_) -> None:
        layer = self.scene.layer(self.current_layer_id() or "")
        self.opacity.setEnabled(layer is not None)
        if layer is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(round(layer.opacity * 100))
            self.opacity.blockSignals(False)
            self.opacity_label.setText(f"{layer.opacity:.0%}")

    # -- rows -> scene -------------------------------------------------------------------------
    def _on_item_changed(self, item: QtWidgets.QListWidgetItem) -> None:
        if not self._syncing:
            self.scene.set_visible(item.data(LAYER_ID), item.checkState() == QtCore.Qt.CheckState.Checked)

    def _on_moved(self, layer_id: str, row: int) -> None:
        """Put the layer where row `row` of the list (top first) is, before the drop."""
        ids = self.row_ids()
        if layer_id not in ids:
            return
        above = ids[:row]
        if layer_id in above:
            above.remove(layer_id)
        self.scene.move_layer(layer_id, len(ids) - 1 - len(above))

    def _on_opacity_changed(self, value: int) -> None:
        layer_id = self.current_layer_id()
        if layer_id is not None:
            self.scene.set_opacity(layer_id, value / 100.0)

    def _context_menu(self, pos: QtCore.QPoint) -> None:
        item = self.list.itemAt(pos)
        layer = self.scene.layer(item.data(LAYER_ID)) if item is not None else None
        if layer is None or layer.removal() is None:
            return
        menu = QtWidgets.QMenu(self)
        menu.addAction("Remove basemap", lambda: self.remove_layer(layer.id))
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def remove_layer(self, layer_id: str) -> bool:
        """Take a removable layer (a basemap file) off the map, undoably."""
        layer = self.scene.layer(layer_id)
        command = layer.removal() if layer is not None else None
        if command is None:
            return False
        self.stack.push(command)
        return True

    def close(self) -> bool:
        """Stop following the scene (the window calls it on close)."""
        self.links.disconnect_all()
        return super().close()


def _swatch(layer, night: bool = False) -> QtGui.QIcon:
    """The layer's own picture of itself (`paint_swatch`), for its row (at night on a light tile)."""
    pixmap = QtGui.QPixmap(SWATCH)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    try:
        if night:  # (fillPath leaves the painter's pen and brush as a swatch expects them)
            tile = QtGui.QPainterPath()
            tile.addRoundedRect(QtCore.QRectF(0, 0, SWATCH.width(), SWATCH.height()), 2.0, 2.0)
            painter.fillPath(tile, NIGHT_TILE)
        layer.paint_swatch(painter, QtCore.QRectF(1, 1, SWATCH.width() - 2, SWATCH.height() - 2))
    finally:
        painter.end()
    return QtGui.QIcon(pixmap)
