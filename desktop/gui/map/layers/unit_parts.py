"""The layers drawn from the unit layer's level of detail (desktop.gui.map.layers.units):
the density raster ("units.density", over the sector fills and buffer band but under the AO
outline and the line) and the unit names ("units.labels", over the symbols); and the
`map_layer` contribution that makes the three.
"""
from __future__ import annotations

from collections.abc import Iterator

from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.labels import run_steps
from desktop.gui.map.layers.unit_names import unit_name_steps
from desktop.gui.map.layers.units import UnitLayer


class _UnitPart(MapLayer):
    """A layer drawn from the unit layer's level of detail (which it keeps up to date even
    while the units themselves are hidden)."""

    group = "Units"

    def __init__(self, units: UnitLayer) -> None:
        super().__init__()
        self.units = units

    def view_changed(self, settings: MapSettings) -> None:
        self.units.view_changed(settings)

    def prepare(self, settings: MapSettings) -> None:
        self.units.prepare(settings)


class UnitDensityLayer(_UnitPart):
    """The density raster, with flagged cells in their flag's colour, when too many units
    are in view to draw."""

    id, title, z = "units.density", "Unit density", -8.6

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        units = self.units
        (units.flag_raster if units.flags_as_cells else units.density).paint(painter, settings)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        colours = list(style.AFFILIATION_COLOURS.values())
        for i in range(6):
            painter.fillRect(QtCore.QRectF(rect.left() + i * rect.width() / 6, rect.top() + (i % 2) * rect.height() / 2,
                                           rect.width() / 6, rect.height() / 2), style.qcolor(colours[i % 4]))


class UnitLabelsLayer(_UnitPart):
    """Unit names beside their full symbols (desktop.gui.map.layers.unit_names), laid out
    in the shared label registry after the symbols, places, markup and grid labels, before
    the towns."""

    id, title, z = "units.labels", "Unit labels", 33.0
    label_rank = 28

    def layout_labels(self, settings: MapSettings, registry) -> None:
        run_steps(self.name_steps(settings, registry))

    def label_passes(self) -> list:
        return [(self.label_rank, self.name_steps)]   # seconds in a crowd of flagged units: in steps

    def name_steps(self, settings: MapSettings, registry) -> Iterator[None]:
        yield from unit_name_steps(self.units, settings, registry)
        self.changed()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        self.units.detail.names.paint(painter, settings)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.fillRect(rect.adjusted(0, 3, 0, -3), QtGui.QColor(255, 255, 255))
        painter.setPen(QtGui.QColor(25, 25, 25))
        painter.drawText(rect, int(QtCore.Qt.AlignmentFlag.AlignCenter), "1-23")


def unit_layers(context) -> list[MapLayer]:
    """The `map_layer` contribution: units, their density raster and their names."""
    units = UnitLayer(context.selection)
    return [UnitDensityLayer(units), units, UnitLabelsLayer(units)]
