"""Units on the map: one scatter per affiliation (frame shape and 2525 colour) plus rings
for near-line, wrong-side and selected units.

Unit positions change rarely; flags change on every drag step, so only the ring overlays
are rebuilt while the line moves.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg

from desktop.core.document import Analysis
from desktop.gui import style

if TYPE_CHECKING:
    from desktop.gui.map_view import MapView

Z_UNITS, Z_FLAGS, Z_SELECTION = 30, 31, 32
UNIT_PX = 12


class UnitLayer:
    def __init__(self, view: "MapView") -> None:
        self.view = view
        self._by_affiliation: dict[str, pg.ScatterPlotItem] = {}
        for aff, colour in style.AFFILIATION_COLOURS.items():
            item = pg.ScatterPlotItem(pxMode=True, size=UNIT_PX, symbol=style.AFFILIATION_SYMBOLS[aff],
                                      pen=pg.mkPen(0, 0, 0, width=1), brush=pg.mkBrush(*colour))
            item.setZValue(Z_UNITS)
            view.plot_item.addItem(item)
            self._by_affiliation[aff] = item
        self.near_rings = self._rings(style.NEAR_LINE_COLOUR, UNIT_PX + 8, Z_FLAGS)
        self.wrong_rings = self._rings(style.WRONG_SIDE_COLOUR, UNIT_PX + 12, Z_FLAGS)
        self.selection_rings = self._rings(style.SELECTION_COLOUR, UNIT_PX + 16, Z_SELECTION)
        self.x = np.empty(0)
        self.y = np.empty(0)

    def _rings(self, colour, size: int, z: float) -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(pxMode=True, size=size, symbol="o", pen=pg.mkPen(*colour, width=2.5),
                                  brush=None)
        item.setZValue(z)
        self.view.plot_item.addItem(item)
        return item

    def refresh_positions(self) -> None:
        """Re-project every unit (units or display CRS changed)."""
        units = self.view.document.units
        self.x, self.y = self.view.to_display(units.lon, units.lat)
        aff = units.affiliations
        for name, item in self._by_affiliation.items():
            mask = aff == name if name != "unknown" else ~np.isin(aff, list(style.AFFILIATION_COLOURS)[:3])
            item.setData(x=self.x[mask], y=self.y[mask])

    def update_flags(self, analysis: Analysis) -> None:
        cls = analysis.classification
        self.near_rings.setData(x=self.x[cls.near_line], y=self.y[cls.near_line])
        self.wrong_rings.setData(x=self.x[cls.wrong_side], y=self.y[cls.wrong_side])

    def update_selection(self, indices: np.ndarray) -> None:
        self.selection_rings.setData(x=self.x[indices], y=self.y[indices])

    def unit_at(self, x: float, y: float, tolerance: float) -> int | None:
        """Index of the unit nearest to display (x, y) within `tolerance` map units."""
        if not len(self.x):
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        i = int(np.argmin(d2))
        return i if d2[i] <= tolerance * tolerance else None
