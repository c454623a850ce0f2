"""File › Add basemap… and tile files dropped on the map: MBTiles and GeoPackage tile
pyramids become layers of the map (desktop.gui.map.layers.tiles), kept in the project by
path (one undoable command each).

A file is opened and checked before it is added: one that cannot be read gives an error
naming the file and what is wrong with it, and changes nothing. A dropped GeoPackage is a
basemap when it holds tiles and no features; one with features goes to the importers
(File › Import), as before.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from desktop.core.commands import add_basemap
from desktop.gui import file_dialogs
from desktop.gui.import_actions import local_files
from desktop.gui.plain import show_message

FILTERS = "Tile files (*.mbtiles *.gpkg);;MBTiles (*.mbtiles);;GeoPackage (*.gpkg);;All files (*)"


def is_tile_file(path: str) -> bool:
    """Whether a dropped file is for the basemaps: an .mbtiles file, or a GeoPackage with a
    tile pyramid and no feature tables."""
    suffix = Path(path).suffix.lower()
    if suffix == ".mbtiles":
        return True
    if suffix != ".gpkg":
        return False
    from desktop.core.tiles.foreign_sqlite import ForeignSQLite, TileFileError
    try:
        db = ForeignSQLite(path, "GeoPackage")
    except TileFileError:
        return False
    try:
        if "gpkg_contents" not in db.tables:
            return False
        kinds = {str(r[0]).lower() for r in db.query("SELECT DISTINCT data_type FROM gpkg_contents LIMIT 100")}
        return "tiles" in kinds and "features" not in kinds
    except TileFileError:
        return False
    finally:
        db.close()


class BasemapFiles(QtCore.QObject):
    """The File menu's "Add basemap…" and tile-file drops on `window.map_view`."""

    def __init__(self, window, menu: QtWidgets.QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.action = menu.addAction("Add &Basemap…", self.choose_and_add)
        self.action.setObjectName("addBasemapAction")
        self.action.setToolTip("Add an offline tile file (MBTiles, GeoPackage) under the map")
        window.map_view.setAcceptDrops(True)
        window.map_view.installEventFilter(self)   # after the importers': it sees drops first

    def choose_and_add(self) -> int:
        paths = file_dialogs.open_paths(self.window, "basemap", "Add basemap", FILTERS)
        return self.add_files(paths)

    def add_files(self, paths) -> int:
        """Add each file in turn; returns how many were added."""
        return sum(1 for p in paths if self.add_path(p))

    def add_path(self, path) -> bool:
        """Check `path` opens as a tile file, then add it (undoable). An error dialog (plain
        text: the message quotes the file) when it does not."""
        from desktop.core.tiles import TileFileError, open_tile_file
        path = str(Path(path).absolute())
        name = Path(path).name
        document = self.window.document
        if path in document.map_state.basemaps:
            self.window.status.showMessage(f"{name} is already a basemap of this project", 6000)
            return False
        try:
            open_tile_file(path).close()
        except (TileFileError, OSError) as exc:
            show_message(self.window, QtWidgets.QMessageBox.Icon.Critical, f"Cannot add {name} as a basemap",
                         f"{exc}\n\nNothing was changed.")
            return False
        self.window.stack.push(add_basemap(document, path))
        self.window.status.showMessage(f"Basemap added: {name} (Layers panel: order, opacity)", 8000)
        return True

    # -- drag and drop -------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove, QtCore.QEvent.Type.Drop):
            files = local_files(event)
            tiles = [f for f in files if is_tile_file(f)]
            if tiles:
                event.acceptProposedAction()
                if kind == QtCore.QEvent.Type.Drop:  # after the drag has finished
                    others = [f for f in files if f not in tiles]
                    QtCore.QTimer.singleShot(0, lambda: self._dropped(tiles, others))
                return True
        return super().eventFilter(watched, event)

    def _dropped(self, tiles: list[str], others: list[str]) -> None:
        self.add_files(tiles)
        imports = getattr(getattr(self.window, "files", None), "imports", None)
        if others and imports is not None:  # the rest of the drop, as the importers take it
            imports.import_files(others)
