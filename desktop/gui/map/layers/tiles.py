"""The planner's own basemaps: MBTiles and GeoPackage tile files, one layer each, in the
order the project lists them (`Document.map_state.basemaps`), drawn by mapdata's
`desktop.gui.tile_painter` (tiles loaded off the GUI thread in the window, all at once for
an export).

`UserBasemaps` follows the project's list: a file added (File › Add basemap…, a drop on
the map) becomes a layer, a file removed loses its layer. A file that is missing or cannot
be read keeps a place-holder layer that draws nothing and says why, so the project opens,
the layers panel shows the problem and saving keeps the path; the scene's `notify` tells
the planner (the window's status bar).
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import LayerProvider, MapLayer

GROUP = "Basemaps"
Z = -98.0          # above the built-in land and water, under rivers, borders, towns, grids
ID_PREFIX = "basemap.file:"


class TileLayer(MapLayer):
    """One tile file. `problem` (plain text) when it cannot be drawn: then it draws nothing."""

    group, z = GROUP, Z
    cacheable = True
    paints_opacity = True   # the tile painter dims its own single image

    def __init__(self, layer_id: str, path: str, *, problem: str | None = None) -> None:
        super().__init__()
        self.id = layer_id
        self.path = path
        self.problem = problem
        self.title = Path(path).name + (" (not loaded)" if problem else "")
        self.tiles = None

    def attach(self, scene) -> None:
        super().attach(scene)
        if self.problem is not None:
            return
        from desktop.core.tiles import TileFileError, open_tile_file
        from desktop.gui.tile_painter import TilePainter
        try:
            source = open_tile_file(self.path)
        except (TileFileError, OSError) as exc:
            self.problem = str(exc)
            self.title = Path(self.path).name + " (not loaded)"
            return
        if source.title and source.title != Path(self.path).stem:
            self.title = f"{source.title} ({Path(self.path).name})"
        self.tiles = TilePainter(source, synchronous=not scene.interactive, on_change=self.changed)

    def close(self) -> None:
        if self.tiles is not None:
            self.tiles.close()
            self.tiles.deleteLater()
            self.tiles = None
        super().close()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if self.tiles is not None:
            self.tiles.opacity = self.opacity
            self.tiles.paint(painter, settings)

    def removal(self):
        from desktop.core.commands import remove_basemap
        return remove_basemap(self.document, self.path)

    @property
    def status(self) -> str | None:
        if self.problem is not None:
            return self.problem
        return self.tiles.error or self.tiles.status if self.tiles is not None else None

    def wait_for_loads(self, msecs: int = 10_000) -> bool:
        return self.tiles.wait_for_loads(msecs) if self.tiles is not None else True

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        if self.problem is not None:
            painter.setPen(QtGui.QPen(QtGui.QColor(190, 40, 40), 1.5))
            painter.drawLine(rect.topLeft(), rect.bottomRight())
            painter.drawLine(rect.topRight(), rect.bottomLeft())
            return
        half = rect.width() / 2
        for i, colour in enumerate(("#9bb57a", "#c9c2a4", "#7fa6c4", "#b7c99a")):
            painter.fillRect(QtCore.QRectF(rect.left() + (i % 2) * half, rect.top() + (i // 2) * rect.height() / 2,
                                           half, rect.height() / 2), QtGui.QColor(colour))


class UserBasemaps(LayerProvider):
    """A `TileLayer` per file the project lists, kept in step with it."""

    def __init__(self) -> None:
        super().__init__()
        self._paths: dict[str, str] = {}   # path -> layer id
        self._syncing = False

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(scene.document.map_state_changed, lambda _state: self.sync())
        self.sync()

    def layer_for(self, path: str) -> TileLayer | None:
        layer_id = self._paths.get(str(path))
        return None if layer_id is None else self.scene.layer(layer_id)

    def sync(self) -> None:
        """A layer for every listed file, none for the others (a new one goes above the
        land and water, with the user basemaps added before it)."""
        if self._syncing:  # a layer added or removed here changes the state we follow
            return
        self._syncing = True
        try:
            scene = self.scene
            listed = list(scene.document.map_state.basemaps)
            for path in [p for p in self._paths if p not in listed]:
                scene.remove_layer(self._paths.pop(path))
            for path in listed:
                if path in self._paths:
                    continue
                layer = TileLayer(self._new_id(path), path)
                self._paths[path] = layer.id
                scene.add_layer(layer)
                if layer.problem is not None:
                    scene.notify(f"Basemap not loaded: {layer.problem}")
        finally:
            self._syncing = False

    def _new_id(self, path: str) -> str:
        """`basemap.file:<file name>` (a second file of that name gets ' 2' added): ids are
        saved with the layers' order, so they must not depend on where the project lies."""
        base = ID_PREFIX + Path(path).name
        taken = {layer.id for layer in self.scene.layers}
        layer_id, n = base, 1
        while layer_id in taken:
            n += 1
            layer_id = f"{base} {n}"
        return layer_id


def user_basemaps(context) -> UserBasemaps:
    """The `map_layer` contribution."""
    return UserBasemaps()
