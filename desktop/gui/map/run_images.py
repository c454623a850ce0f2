"""Images of runs of map layers, for a window while its extent rests (desktop.gui.map.scene).

The bottom run of `cacheable` layers (basemap, imagery, grid) is drawn from one opaque
image; each run of layers unchanged for STEADY_PAINTS repaints (the AO outline, places,
markup during a line drag) from one transparent image, when painting them costs more than
drawing the image. A layer that changes splits its run for a few repaints; the images of
the parts are kept (those not drawn up to SPARE_BYTES, while their layers do not change), and
the run is then drawn again from them and the changed layer: a live feed changes a few
layers every second, and the others are not painted again each time.
"""
from __future__ import annotations

from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer

BACKGROUND = QtGui.QColor("white")
NIGHT_BACKGROUND = QtGui.QColor("#1b1d20")  # night mode (MapSettings.night)
STEADY_PAINTS = 2    # a layer unchanged for this many repaints may be drawn from an image
IMAGE_PAYS_MS = 0.5  # ... if painting it (with its run) costs more than this (a blit: ~0.25 ms)
SPARE_BYTES = 48 << 20   # images of runs not drawn by the last paint kept while their layers do not change


class RunImages:
    """Images of runs of layers that did not change lately, for the window while it rests."""

    def __init__(self) -> None:
        self.paints = 0
        self.seen: dict[int, int] = {}         # id(layer) -> version at the last paint
        self.changed_at: dict[int, int] = {}   # id(layer) -> the paint it last changed on
        self.cost: dict[int, float] = {}       # id(layer) -> ms of its last live paint
        # layer ids -> (key, image, layers), the last drawn last
        self.images: dict[tuple, tuple[tuple, QtGui.QImage, list[MapLayer]]] = {}
        self._drawn: set[tuple] = set()       # the runs the paint under way draws from images
        self.bottom_cached = False

    def note(self, order: list[MapLayer]) -> None:
        self.paints += 1
        self.bottom_cached = False
        self._drawn = set()
        for layer in order:
            if self.seen.get(id(layer)) != layer.version:
                self.seen[id(layer)] = layer.version
                self.changed_at[id(layer)] = self.paints

    def runs(self, order: list[MapLayer]) -> list[tuple[list[MapLayer], bool]]:
        """The drawing order cut into runs: (layers, drawn from an image?). The bottom run of
        `cacheable` layers always is; other runs when steady and costly enough."""
        bottom = 0
        while bottom < len(order) and order[bottom].cacheable:
            bottom += 1
        out = [(order[:bottom], True)] if bottom else []
        run: list[MapLayer] = []
        for layer in order[bottom:] + [None]:
            steady = layer is not None and self.paints - self.changed_at.get(id(layer), self.paints) >= STEADY_PAINTS
            if steady:
                run.append(layer)
                continue
            if run:
                out.append((run, sum(self.cost.get(id(x), 0.0) for x in run) > IMAGE_PAYS_MS))
                run = []
            if layer is not None:
                out.append(([layer], False))
        return out

    def image(self, run: list[MapLayer], settings: MapSettings, opaque: bool, paint) -> QtGui.QImage:
        """The run painted into an image of the output (kept while nothing in it changes),
        from the kept images of its parts where there are some."""
        ids = tuple(id(layer) for layer in run)
        entry = self._take(run, settings, opaque)
        if entry is None:
            image = QtGui.QImage(*settings.size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(background(settings) if opaque else QtCore.Qt.GlobalColor.transparent)
            p = QtGui.QPainter(image)
            p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
            p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
            k = 0
            while k < len(run):   # the longest parts there are images of, the other layers painted
                part = None if opaque else self._part(run, k, settings)
                if part is None:
                    paint(p, run[k], settings)
                    k += 1
                else:
                    p.drawImage(QtCore.QPointF(0, 0), part[1])
                    k += len(part[2])
            p.end()
            self.images.pop(ids, None)
            entry = self.images[ids] = (_key(run, settings, opaque), image, list(run))
            self._drawn.add(ids)
        self.bottom_cached |= opaque
        return entry[1]

    def _part(self, run: list[MapLayer], k: int, settings: MapSettings):
        """The kept image of the longest part of `run` from layer k on (short of the whole run)."""
        for j in range(len(run) - (k == 0), k, -1):
            entry = self._take(run[k:j], settings, False)
            if entry is not None:
                return entry
        return None

    def _take(self, run: list[MapLayer], settings: MapSettings, opaque: bool):
        """The kept image of `run` if still good (now the last drawn), else None."""
        ids = tuple(id(layer) for layer in run)
        entry = self.images.get(ids)
        if entry is None or entry[0] != _key(run, settings, opaque):
            return None
        self.images[ids] = self.images.pop(ids)
        self._drawn.add(ids)
        return entry

    def keep(self, settings: MapSettings | None) -> None:
        """After a paint of `settings` (None: not from images): keep the images it drew from
        and, the last drawn first up to SPARE_BYTES, those still good (their layers unchanged)."""
        spare = [ids for ids, (key, _, run) in self.images.items()
                 if settings is not None and ids not in self._drawn and key == _key(run, settings, key[1])]
        room = SPARE_BYTES // (4 * settings.size[0] * settings.size[1]) if settings is not None else 0
        keep = self._drawn | set(spare[len(spare) - room:] if room else [])
        self.images = {ids: entry for ids, entry in self.images.items() if ids in keep}


def _key(run: list[MapLayer], settings: MapSettings, opaque: bool) -> tuple:
    """What an image of `run` was painted for."""
    return settings, opaque, tuple((layer.version, layer.opacity) for layer in run)


def background(settings: MapSettings) -> QtGui.QColor:
    """What the map is painted on: white, or a dark grey at night."""
    return NIGHT_BACKGROUND if settings.night else BACKGROUND
