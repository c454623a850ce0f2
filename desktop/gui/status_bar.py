"""Status bar: cursor position (DD, DMS, MGRS), map scale and the display CRS selector."""
from __future__ import annotations

from typing import Callable

from PySide6 import QtGui, QtWidgets

from desktop.core.coords import format_dd, format_dms, format_mgrs
from desktop.core.geodesy import Projection, utm_epsg
from desktop.gui.map.view import MapView


def crs_choices(lon: float, lat: float) -> list[tuple[str, Callable[[], Projection]]]:
    """Display CRSs offered for an AO centred at lon/lat, each with what makes it (a CRS
    takes milliseconds to build: only the one chosen is); the first is the default."""
    zone = utm_epsg(lon, lat)
    base = zone - (zone % 100)
    n = zone % 100
    out = [(f"UTM zone {n}{'N' if lat >= 0 else 'S'} (EPSG:{zone}) — AO centre", lambda: Projection.utm_for(lon, lat))]
    for m in (n - 1, n + 1):
        m = (m - 1) % 60 + 1
        out.append((f"UTM zone {m}{'N' if lat >= 0 else 'S'} (EPSG:{base + m})",
                    lambda code=base + m: Projection.for_crs(code, (lon, lat))))
    out.append(("Transverse Mercator centred on the AO", lambda: Projection.analysis_for(lon, lat)))
    out.append(("Web Mercator (EPSG:3857)", lambda: Projection.for_crs(3857, (lon, lat))))
    return out


class MapStatusBar(QtWidgets.QStatusBar):
    def __init__(self, view: MapView) -> None:
        super().__init__()
        self.view = view
        self.position_label = self._label("statusPosition", 520)
        # Text from the start: a status bar that grows on the first mouse move would shrink
        # the map under the cursor.
        self.position_label.setText("—")
        self.scale_label = self._label("statusScale", 110)
        self.crs_button = QtWidgets.QToolButton()
        self.crs_button.setObjectName("statusCrs")
        self.crs_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.crs_button.setToolTip("Display CRS (answers never depend on it)")
        self.crs_menu = QtWidgets.QMenu(self.crs_button)
        group = QtGui.QActionGroup(self.crs_menu)
        for i, (label, make) in enumerate(crs_choices(*view.document.ao.centre)):
            action = self.crs_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(i == 0)
            action.setActionGroup(group)
            action.triggered.connect(lambda _=False, make=make: view.set_projection(make()))
        self.crs_button.setMenu(self.crs_menu)
        self.addPermanentWidget(self.position_label)
        self.addPermanentWidget(self.scale_label)
        self.addPermanentWidget(self.crs_button)
        view.cursor_moved.connect(self._on_cursor_moved)
        view.view_changed.connect(self._on_view_changed)
        view.projection_changed.connect(self._on_view_changed)
        self._on_view_changed()

    def _label(self, name: str, width: int) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel()
        label.setObjectName(name)
        label.setMinimumWidth(width)
        return label

    def _on_cursor_moved(self, lon: float, lat: float) -> None:
        self.position_label.setText(f"{format_dd(lon, lat)}   {format_dms(lon, lat)}   {format_mgrs(lon, lat)}")

    def _on_view_changed(self) -> None:
        self.scale_label.setText(f"1:{_round_scale(self.view.scale_denominator()):,}")
        self.crs_button.setText(self.view.projection.label)


def _round_scale(n: float) -> int:
    """Round 1:N to three significant figures, as map scales are quoted."""
    if n <= 0:
        return 0
    digits = max(0, len(str(int(n))) - 3)
    return int(round(n, -digits))
