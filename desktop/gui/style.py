"""Colours and pens shared by the map layers and exports (one place to restyle)."""
from __future__ import annotations

from PySide6 import QtGui

# MIL-STD-2525 / APP-6 fill colours by affiliation.
AFFILIATION_COLOURS = {
    "friend": (128, 224, 255),
    "hostile": (255, 128, 128),
    "neutral": (170, 255, 170),
    "unknown": (255, 255, 128),
}
# Frame shapes by affiliation (friend rectangle, hostile diamond, neutral square, unknown
# quatrefoil) are drawn by desktop.gui.symbology.
# Sector fills follow the side that owns them: left side blue, right side red.
SIDE_COLOURS = ((40, 110, 220), (215, 50, 50))
OTHER_SIDE_COLOUR = (140, 140, 140)
LINE_COLOUR = (20, 20, 20)
NEAR_LINE_COLOUR = (255, 170, 0)
WRONG_SIDE_COLOUR = (230, 0, 0)
SELECTION_COLOUR = (255, 0, 255)
AO_COLOUR = (60, 60, 60)


def side_colour(owner: str, sides: tuple[str, ...]) -> tuple[int, int, int]:
    return SIDE_COLOURS[sides.index(owner)] if owner in sides[:2] else OTHER_SIDE_COLOUR


def qcolor(rgb: tuple[int, int, int], alpha: int = 255) -> QtGui.QColor:
    return QtGui.QColor(rgb[0], rgb[1], rgb[2], alpha)
