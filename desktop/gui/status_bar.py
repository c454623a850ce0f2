"""Status bar: cursor position (DD, DMS, MGRS), map scale, the units of measure and the
display CRS selector (a few CRSs for the AO, and any other from PROJ's database)."""
from __future__ import annotations

from typing import Callable

from PySide6 import QtGui, QtWidgets

from desktop.core.coords import format_dd, format_dms, format_mgrs
from desktop.core.geodesy import Projection, utm_epsg
from desktop.gui.map.view import MapView
from desktop.gui.preferences import Preferences
from desktop.gui.units_menu import units_menu


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
    """Object names: "statusPosition", "statusScale", "statusUnits" (a button with the units
    of measure menu), "statusCrs" (a button with the CRS menu)."""

    def __init__(self, view: MapView, preferences: Preferences | None = None) -> None:
        super().__init__()
        self.view = view
        self.preferences = preferences if preferences is not None else Preferences()
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
        self._crs_group = QtGui.QActionGroup(self.crs_menu)
        for i, (label, make) in enumerate(crs_choices(*view.document.ao.centre)):
            self._add_crs_action(label, make).setChecked(i == 0)
        self.crs_menu.addSeparator()
        self.other_crs_action = self.crs_menu.addAction("Other CRS…", self.choose_other_crs)
        self.crs_button.setMenu(self.crs_menu)
        self.units_button = QtWidgets.QToolButton(objectName="statusUnits")
        self.units_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.units_button.setToolTip("Units of measure: distances, bearings, angles")
        self.units_menu = units_menu(self.preferences, self.units_button)
        self.units_button.setMenu(self.units_menu)
        self.crs_dialog = None
        self.addPermanentWidget(self.position_label)
        self.addPermanentWidget(self.scale_label)
        self.addPermanentWidget(self.units_button)
        self.addPermanentWidget(self.crs_button)
        self.preferences.units_changed.connect(self._on_units_changed)
        self._on_units_changed(self.preferences.units)
        view.cursor_moved.connect(self._on_cursor_moved)
        view.view_changed.connect(self._on_view_changed)
        view.projection_changed.connect(self._on_view_changed)
        self._on_view_changed()

    def _add_crs_action(self, label: str, make: Callable[[], Projection]) -> QtGui.QAction:
        action = QtGui.QAction(label, self.crs_menu, checkable=True)
        action.setActionGroup(self._crs_group)
        action.triggered.connect(lambda _=False, make=make: self.view.set_projection(make()))
        before = next((a for a in self.crs_menu.actions() if a.isSeparator()), None)
        self.crs_menu.insertAction(before, action)
        return action

    def choose_other_crs(self):
        """Open the searchable list of PROJ's CRSs; the one accepted becomes the display CRS
        (and an entry of the menu). Returns the dialog (open, not modal-blocking)."""
        from desktop.gui.crs_dialog import CrsDialog
        ring = self.view.document.ao.ring
        bounds = (float(ring[:, 0].min()), float(ring[:, 1].min()), float(ring[:, 0].max()), float(ring[:, 1].max()))
        self.crs_dialog = dialog = CrsDialog(bounds, self.window())
        dialog.accepted.connect(lambda: self._use_crs(dialog.chosen))
        dialog.open()
        return dialog

    def _use_crs(self, crs) -> None:
        projection = Projection.for_crs(crs, self.view.document.ao.centre)
        label = f"{projection.label} — {crs.name}"
        action = next((a for a in self._crs_group.actions() if a.text() == label), None)
        (action or self._add_crs_action(label, lambda: projection)).setChecked(True)
        self.view.set_projection(projection)

    def _on_units_changed(self, units) -> None:
        self.units_button.setText(units.summary())

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
