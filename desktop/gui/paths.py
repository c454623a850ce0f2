"""Shapely geometry -> QPainterPath, vectorised (Qt's arrayToQPath needs no Python loop)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6 import QtGui


def rings_path(rings: list[np.ndarray]) -> QtGui.QPainterPath:
    """One path holding every ring (n x 2 arrays); odd-even fill makes holes holes."""
    if not rings:
        return QtGui.QPainterPath()
    xy = np.concatenate(rings)
    connect = np.ones(len(xy), dtype=bool)
    ends = np.cumsum([len(r) for r in rings]) - 1
    connect[ends] = False
    path = pg.arrayToQPath(xy[:, 0], xy[:, 1], connect)
    path.setFillRule(pg.QtCore.Qt.FillRule.OddEvenFill)
    return path


def polygon_rings(geom) -> list[np.ndarray]:
    """Exterior and interior rings of a Polygon/MultiPolygon as coordinate arrays."""
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        if isinstance(poly, shapely.Polygon) and not poly.is_empty:
            out.append(np.asarray(poly.exterior.coords))
            out.extend(np.asarray(r.coords) for r in poly.interiors)
    return out
