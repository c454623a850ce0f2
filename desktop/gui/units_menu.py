"""The Units of measure menu (View menu and status bar): distances, bearings and angles, each
an exclusive choice kept in the preferences."""
from __future__ import annotations

from dataclasses import replace

from PySide6 import QtGui, QtWidgets

from desktop.core.measure_units import DISTANCE_UNITS
from desktop.gui.preferences import Preferences

# (field of MeasureUnits, section title, {value: menu text})
SECTIONS = (("distance", "Distances", {code: f"{u.name.capitalize()} ({u.symbol})"
                                       for code, u in DISTANCE_UNITS.items()}),
            ("bearing", "Bearings", {"true": "True north", "magnetic": "Magnetic north (World Magnetic Model)"}),
            ("angle", "Angles", {"deg": "Degrees", "mil": "Mils (NATO, 6400 to the circle)"}))


def units_menu(preferences: Preferences, parent: QtWidgets.QWidget | None = None) -> QtWidgets.QMenu:
    """A menu whose checked entries are `preferences.units`; choosing one changes them.
    Action object names: "units_<field>_<value>" (e.g. "units_distance_nmi")."""
    menu = QtWidgets.QMenu("Units of measure", parent)
    menu.setObjectName("unitsMenu")
    actions: dict[tuple[str, str], QtGui.QAction] = {}
    for key, title, values in SECTIONS:
        menu.addSection(title)
        group = QtGui.QActionGroup(menu)
        for value, text in values.items():
            action = menu.addAction(text)
            action.setObjectName(f"units_{key}_{value}")
            action.setCheckable(True)
            action.setActionGroup(group)
            action.triggered.connect(lambda _=False, k=key, v=value:
                                     preferences.set_units(replace(preferences.units, **{k: v})))
            actions[key, value] = action

    def show(units) -> None:
        for (key, value), action in actions.items():
            action.setChecked(getattr(units, key) == value)

    preferences.units_changed.connect(show)
    show(preferences.units)
    return menu
