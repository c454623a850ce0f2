"""What the project keeps about its map, beside the scenario: the basemap files the planner
added (MBTiles, GeoPackage tiles) and how the layers are shown (order, visibility,
opacity). A plain value; the project file stores it in two attribute tables.

Basemap paths are absolute in memory. A project stores a path relative to its own folder
when the file sits there or below (the project and its imagery move together), absolute
otherwise; opening resolves them back against the project's folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

LayerState = tuple[str, bool, float]   # (layer id, visible, opacity)


@dataclass(frozen=True)
class MapState:
    basemaps: tuple[str, ...] = ()                    # user basemap files, in the order added
    layers: tuple[LayerState, ...] = field(default=())  # bottom first; () = as the layers start

    def with_basemap(self, path) -> "MapState":
        path = str(Path(path).absolute())
        return self if path in self.basemaps else replace(self, basemaps=self.basemaps + (path,))

    def without_basemap(self, path) -> "MapState":
        return replace(self, basemaps=tuple(p for p in self.basemaps if p != str(path)))


def stored_path(path: str, folder) -> str:
    """`path` as a project in `folder` stores it: relative when the file is in the folder
    or below, else absolute (POSIX separators either way)."""
    p, base = Path(path).absolute(), Path(folder).absolute()
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return p.as_posix()


def opened_path(stored: str, folder) -> str:
    """A stored basemap path as an absolute path (a relative one is the project folder's)."""
    p = Path(stored)
    return os.path.normpath(p if p.is_absolute() else Path(folder).absolute() / p)
