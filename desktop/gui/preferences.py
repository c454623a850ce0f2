"""The user's preferences, remembered in QSettings: units of measure, night mode and the
folder each kind of file dialog last used.

One Preferences per main window, over the application's QSettings (windows that share the
settings share what is remembered); with no QSettings (bare test windows) values live in
memory. Views read the current value and follow the change signals.
"""
from __future__ import annotations

from PySide6 import QtCore

from desktop.core.measure_units import MeasureUnits

UNITS_KEY = "units"       # units/distance, units/bearing, units/angle
NIGHT_KEY = "view/night"
FOLDERS_KEY = "fileDialogs"  # fileDialogs/<purpose>: the folder last used for that purpose


_FALLBACK: "Preferences | None" = None  # for widgets that belong to no main window


def preferences_of(widget) -> "Preferences":
    """The preferences of the main window `widget` belongs to (a panel in a dock, a dialog
    over the window, or the window itself); in-memory ones for a widget of no window."""
    global _FALLBACK
    while widget is not None:
        prefs = getattr(widget, "preferences", None)
        if isinstance(prefs, Preferences):
            return prefs
        widget = widget.parentWidget()
    if _FALLBACK is None:
        _FALLBACK = Preferences(None)
    return _FALLBACK


class Preferences(QtCore.QObject):
    units_changed = QtCore.Signal(object)   # MeasureUnits
    night_changed = QtCore.Signal(bool)

    def __init__(self, settings: QtCore.QSettings | None = None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._memory: dict[str, object] = {}
        # A missing or unreadable stored value keeps its default.
        self._units = MeasureUnits.from_dict({k: self.value(f"{UNITS_KEY}/{k}") for k in ("distance", "bearing",
                                                                                          "angle")})
        self._night = str(self.value(NIGHT_KEY, "false")).lower() == "true"

    # -- storage ------------------------------------------------------------------------------
    def value(self, key: str, default=None):
        if self.settings is None:
            return self._memory.get(key, default)
        return self.settings.value(key, default)

    def set_value(self, key: str, value) -> None:
        if self.settings is None:
            self._memory[key] = value
        else:
            self.settings.setValue(key, value)

    # -- units of measure ---------------------------------------------------------------------
    @property
    def units(self) -> MeasureUnits:
        return self._units

    def set_units(self, units: MeasureUnits) -> None:
        if units != self._units:
            self._units = units
            for key, value in units.as_dict().items():
                self.set_value(f"{UNITS_KEY}/{key}", value)
            self.units_changed.emit(units)

    # -- night mode ---------------------------------------------------------------------------
    @property
    def night(self) -> bool:
        return self._night

    def set_night(self, on: bool) -> None:
        if bool(on) != self._night:
            self._night = bool(on)
            self.set_value(NIGHT_KEY, "true" if on else "false")
            self.night_changed.emit(self._night)

    # -- file dialogs -------------------------------------------------------------------------
    def folder(self, purpose: str) -> str | None:
        """The folder last used for `purpose` ("project", "import", ...), else the last one
        used for anything, else None."""
        return self.value(f"{FOLDERS_KEY}/{purpose}") or self.value(f"{FOLDERS_KEY}/last") or None

    def remember_folder(self, purpose: str, folder: str) -> None:
        self.set_value(f"{FOLDERS_KEY}/{purpose}", folder)
        self.set_value(f"{FOLDERS_KEY}/last", folder)
