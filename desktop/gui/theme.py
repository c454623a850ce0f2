"""Night mode: a dark theme for the whole window (Qt's palette for every widget) and for the
views that paint their own colours (the map, the timeline), for an operations floor at night.

Screen only: exports keep their print colours (the export builds its own map, in the day
colours). A view that paints its own colours has `set_night(on: bool)`; `apply` calls it on
every such widget of the windows on screen (a window being built passes itself), and a
panel built later asks `is_night()`.
"""
from __future__ import annotations

from PySide6 import QtGui, QtWidgets

_R = QtGui.QPalette.ColorRole
# Night colours: dark greys, low-glare text, a muted blue for selection (after the dark
# palettes of Fusion-based apps such as QGIS's "Night Mapping" and Krita's "Breeze Dark").
NIGHT = {_R.Window: "#2b2b2b", _R.WindowText: "#d8d8d8", _R.Base: "#1f1f1f", _R.AlternateBase: "#2a2a2a",
         _R.ToolTipBase: "#3a3a3a", _R.ToolTipText: "#e0e0e0", _R.Text: "#d8d8d8", _R.Button: "#353535",
         _R.ButtonText: "#d8d8d8", _R.BrightText: "#ff6060", _R.Link: "#7fb0ff", _R.Highlight: "#2f5f9f",
         _R.HighlightedText: "#ffffff", _R.PlaceholderText: "#8a8a8a", _R.Mid: "#505050", _R.Dark: "#1a1a1a",
         _R.Light: "#4a4a4a", _R.Midlight: "#3c3c3c", _R.Shadow: "#101010"}
DISABLED_TEXT = "#7a7a7a"

_day: tuple[str, QtGui.QPalette] | None = None  # the style and palette before the first switch
_night = False


def is_night() -> bool:
    return _night


def night_palette() -> QtGui.QPalette:
    palette = QtGui.QPalette()
    for role, colour in NIGHT.items():
        palette.setColor(role, QtGui.QColor(colour))
    for role in (_R.WindowText, _R.Text, _R.ButtonText):
        palette.setColor(QtGui.QPalette.ColorGroup.Disabled, role, QtGui.QColor(DISABLED_TEXT))
    return palette


def apply(night: bool, app: QtWidgets.QApplication | None = None, within: QtWidgets.QWidget | None = None) -> None:
    """Switch the application to night (True) or day colours: the palette, and the views
    that paint their own colours in the windows on screen (or in `within`, a window being
    built)."""
    global _day, _night
    app = app or QtWidgets.QApplication.instance()
    if app is None:
        return
    if _day is None:
        _day = (app.style().name(), QtGui.QPalette(app.palette()))
    _night = bool(night)
    if night:
        app.setStyle("Fusion")  # the style that follows a palette on every platform
        app.setPalette(night_palette())
    else:
        app.setStyle(_day[0])
        app.setPalette(_day[1])
    # Windows on screen only: a closed window's widgets may be half torn down.
    roots = [within] if within is not None else [w for w in app.topLevelWidgets() if w.isVisible()]
    for root in roots:
        for widget in (root, *root.findChildren(QtWidgets.QWidget)):
            if hasattr(widget, "set_night"):
                widget.set_night(_night)
