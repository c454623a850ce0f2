"""Paints an offline tile file (MBTiles, GeoPackage tiles) into any QPainter, reprojected.

The core plans the tiles a `MapSettings` needs and meshes each one (`desktop.core.tiles`);
here they are decoded (QImage, off the GUI thread) into a bounded LRU cache and drawn one
mesh cell at a time, each cell mapped onto its four projected corners. A cell that is a
parallelogram to a tenth of a pixel is drawn with an affine transform, the rest with the
projective one (about 3.5x slower in Qt's raster engine): at 1:50k every cell is affine.
Cells are drawn a quarter pixel larger on every side so rounding never opens a seam. The
budget of one device pixel: the mesh 0.5, the affine fit 0.1, the overlap 0.25.

A pan never waits on the disk: a tile not yet loaded is drawn from a coarser cached level
(or not at all), its load is queued, and `changed` fires when it arrives. With
`synchronous=True` (exports) `paint` loads everything it needs first.

Tiles that may be transparent, an opacity below 1 and vector outputs (PDF, SVG) go through
one offscreen image the size of the output: tiles replace each other there (so overlaps and
coarse stand-ins never show through), and the result is drawn once, with the opacity, as a
single image (a PDF gets one picture, not hundreds of cells).
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.core.tiles import TileFileError, TileMeshes, TileSource, plan_tiles
from desktop.core.tiles.foreign_sqlite import image_size
from desktop.core.tiles.mesh import cell_quads, square_to_quad
from desktop.core.tiles.plan import tile_range

log = logging.getLogger(__name__)

CACHE_MB = 192
MAX_TILE_PX = 4096          # a bigger "tile" is a decompression bomb, not a map tile
AFFINE_DEFECT_PX = 0.4      # a cell this close to a parallelogram is drawn affine
GROW_PX = 0.25              # each cell overlaps its neighbours by this much
THREADS = 2

Key = tuple[int, int, int]  # zoom, col, row


def webp_supported() -> bool:
    """Whether this Qt can decode WebP (PySide6 wheels ship the plugin; a distribution's
    Qt may not)."""
    return b"webp" in {bytes(f) for f in QtGui.QImageReader.supportedImageFormats()}


def decode_tile(data: bytes) -> QtGui.QImage | None:
    """A tile's image ready to draw fast (premultiplied ARGB), or None when it is not one."""
    size = image_size(data)
    if size is not None and max(size) > MAX_TILE_PX:
        return None
    image = QtGui.QImage.fromData(data)
    if image.isNull() or max(image.width(), image.height()) > MAX_TILE_PX:
        return None
    fmt = QtGui.QImage.Format.Format_ARGB32_Premultiplied if image.hasAlphaChannel() else \
        QtGui.QImage.Format.Format_RGB32
    return image.convertToFormat(fmt)


class TileCache:
    """Decoded tiles, least recently used dropped first past `max_bytes`. Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._images: OrderedDict[Key, QtGui.QImage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> QtGui.QImage | None:
        with self._lock:
            image = self._images.get(key)
            if image is not None:
                self._images.move_to_end(key)
            return image

    def __contains__(self, key: Key) -> bool:
        return key in self._images

    def put(self, key: Key, image: QtGui.QImage) -> None:
        with self._lock:
            old = self._images.pop(key, None)
            if old is not None:
                self.bytes -= old.sizeInBytes()
            self._images[key] = image
            self.bytes += image.sizeInBytes()
            while self.bytes > self.max_bytes and len(self._images) > 1:
                _, dropped = self._images.popitem(last=False)
                self.bytes -= dropped.sizeInBytes()

    def __len__(self) -> int:
        return len(self._images)


class _Loaded(QtCore.QObject):
    """Carries 'a tile arrived' from a worker thread to the GUI thread (queued)."""
    loaded = QtCore.Signal(object)


class _LoadJob(QtCore.QRunnable):
    def __init__(self, owner: "TilePainter", key: Key) -> None:
        super().__init__()
        self.owner, self.key = owner, key

    def run(self) -> None:
        owner, key = self.owner, self.key
        try:
            if not owner._closed and key in owner._wanted:
                owner._load(key)
                owner._carrier.loaded.emit(key)
        finally:
            owner._done(key)


class TilePainter(QtCore.QObject):
    """One tile file on the map.

    `paint(painter, settings)` draws it (in device pixels of the output); `changed` (and
    `on_change`, if given) fires in the GUI thread when tiles it asked for have arrived;
    `close()` stops the loader threads and closes the file. `status` says why nothing is
    drawn (a view that needs too many tiles, a missing WebP plugin), `error` holds the
    first read error (a damaged file), both plain text naming the file."""

    changed = QtCore.Signal()

    def __init__(self, source: TileSource, *, opacity: float = 1.0, cache_mb: float = CACHE_MB,
                 synchronous: bool = False, on_change=None, threads: int = THREADS,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.opacity = float(opacity)
        self.synchronous = synchronous
        self.cache = TileCache(int(cache_mb * (1 << 20)))
        self.status: str | None = None
        self.error: str | None = None
        self._meshes: TileMeshes | None = None
        self._wanted: frozenset[Key] = frozenset()
        self._pending: set[Key] = set()
        self._failed: set[Key] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._layer: QtGui.QImage | None = None
        self._notify_queued = False
        self._pool = QtCore.QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, threads))
        self._carrier = _Loaded()
        self._carrier.loaded.connect(self._on_loaded)
        if on_change is not None:
            self.changed.connect(on_change)
        if source.format == "webp" and not webp_supported():
            self.status = f"{source.name}: WebP tiles cannot be shown (this Qt has no WebP image plugin)"

    # -- loading ------------------------------------------------------------------------
    def _load(self, key: Key) -> None:
        """Read and decode one tile into the cache (any thread)."""
        try:
            data = self.source.read(*key)
        except TileFileError as exc:
            with self._lock:
                self._failed.add(key)
                self.error = self.error or str(exc)
            return
        image = decode_tile(data) if data else None
        if image is None:
            with self._lock:
                self._failed.add(key)
            return
        self.cache.put(key, image)

    def _done(self, key: Key) -> None:
        with self._lock:
            self._pending.discard(key)

    def _request(self, keys: list[Key]) -> None:
        """Queue loads, the first asked for first."""
        with self._lock:
            todo = [k for k in keys if k not in self._pending and k not in self._failed]
            self._pending.update(todo)
        for i, key in enumerate(todo):
            self._pool.start(_LoadJob(self, key), len(todo) - i)

    def _on_loaded(self, _key) -> None:
        if self._closed or self._notify_queued:
            return  # one repaint for a burst of tiles
        self._notify_queued = True
        QtCore.QTimer.singleShot(0, self._notify)

    def _notify(self) -> None:
        self._notify_queued = False
        if not self._closed:
            self.changed.emit()

    def wait_for_loads(self, msecs: int = 10_000) -> bool:
        """Block until queued loads are done (tests, shutdown)."""
        return self._pool.waitForDone(msecs)

    def close(self) -> None:
        """Stop loading (queued loads are dropped, running ones finish), close the file."""
        if self._closed:
            return
        self._closed = True
        self._wanted = frozenset()
        self._pool.clear()
        self._pool.waitForDone(5000)
        self.source.close()

    # -- painting -----------------------------------------------------------------------
    def _meshes_for(self, settings: MapSettings) -> TileMeshes:
        m = self._meshes
        if m is None or (m.projection is not settings.projection and m.projection != settings.projection):
            m = self._meshes = TileMeshes(self.source.matrix, settings.projection)
        return m

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if self._closed or (self.status and "WebP" in self.status) or self.opacity <= 0:
            return
        matrix = self.source.matrix
        plan = plan_tiles(matrix, settings)
        self.status = (f"{self.source.title}: zoom in to see it (this view needs too many of its tiles)"
                       if plan.too_many else None)
        if plan.level is None or not len(plan):
            return
        level = plan.level
        keys = [(level.zoom, int(c), int(r)) for c, r in plan.tiles]
        self._wanted = frozenset(keys)
        missing = [k for k in keys if k not in self.cache and k not in self._failed]
        if missing and self.synchronous:
            for key in missing:
                self._load(key)
            missing = []
        elif missing:
            self._request(missing)
        draws = self._stand_ins(level, [k for k in missing if k not in self.cache]) + \
            [k for k in keys if k in self.cache]
        if draws:
            self._draw(painter, settings, draws)

    def _stand_ins(self, level, missing: list[Key]) -> list[Key]:
        """Cached tiles of coarser levels that cover `missing`, coarsest first."""
        if not missing:
            return []
        matrix = self.source.matrix
        coarser = sorted((lv for lv in matrix.levels if lv.pixel_x > level.pixel_x), key=lambda lv: lv.pixel_x)
        found: dict[Key, None] = {}
        for z, col, row in missing:
            bounds = matrix.tile_bounds(level, col, row)
            for lv in coarser:
                rng = tile_range(matrix, lv, bounds)
                if rng is None:
                    continue
                c0, r0, c1, r1 = rng
                cover = [(lv.zoom, c, r) for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)]
                if len(cover) <= 4 and all(k in self.cache for k in cover):
                    found.update(dict.fromkeys(cover))
                    break
        levels = {lv.zoom: lv.pixel_x for lv in matrix.levels}
        return sorted(found, key=lambda k: -levels[k[0]])

    def _draw(self, painter: QtGui.QPainter, settings: MapSettings, keys: list[Key]) -> None:
        matrix = self.source.matrix
        meshes = self._meshes_for(settings)
        tol = 0.5 * min(settings.map_units_per_pixel)
        layered = self.opacity < 1.0 or self.source.format != "jpeg" or not _raster(painter)
        if layered:
            target = self._layer_image(settings.size)
            p = QtGui.QPainter(target)
            p.setCompositionMode(QtGui.QPainter.CompositionMode.CompositionMode_Source)
            base = QtGui.QTransform()
        else:
            p = painter
            p.save()
            base = p.transform()
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        p.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
        cells, quads = [], []
        for key in keys:
            image = self.cache.get(key)
            mesh = meshes.mesh(matrix.level(key[0]), key[1], key[2], tol) if image is not None else None
            if mesh is None:
                continue
            n = mesh.shape[0] - 1
            cw, ch = image.width() / n, image.height() / n
            cells += [(image, (i * cw, j * ch, cw, ch)) for j in range(n) for i in range(n)]
            quads.append(cell_quads(mesh).reshape(-1, 4, 2))
        try:
            if quads:
                q = np.concatenate(quads)
                px, py = settings.to_device(q[..., 0], q[..., 1])
                _draw_cells(p, base, cells, np.stack([px, py], axis=-1))
        finally:
            if layered:
                p.end()
            else:
                p.restore()
        if layered:
            painter.save()
            painter.setOpacity(painter.opacity() * self.opacity)
            painter.drawImage(QtCore.QPointF(0, 0), target)
            painter.restore()

    def _layer_image(self, size: tuple[int, int]) -> QtGui.QImage:
        w, h = size
        img = self._layer
        if img is None or img.width() != w or img.height() != h:
            img = self._layer = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        return img


def _raster(painter: QtGui.QPainter) -> bool:
    """Whether the painter draws pixels (an image or a widget), not PDF or SVG."""
    engine = painter.paintEngine()
    return engine is not None and engine.type() == QtGui.QPaintEngine.Type.Raster


def _grown(quads: np.ndarray, by: float) -> np.ndarray:
    """Quads (..., 4, 2) pushed out from their centres by about `by` across each edge."""
    centre = quads.mean(axis=-2, keepdims=True)
    out = quads - centre
    norm = np.linalg.norm(out, axis=-1, keepdims=True)
    return quads + out / np.where(norm > 0, norm, 1.0) * (by * np.sqrt(2.0))


def cell_transforms(quads: np.ndarray) -> np.ndarray:
    """(K, 9) QTransform coefficients (m11, m12, m13, m21, ..., m33) taking the unit square
    onto each of K cell quads (K, 4, 2) in device pixels, grown by GROW_PX. Quads within
    AFFINE_DEFECT_PX of a parallelogram get the affine map that fits their four corners
    best (least squares: each corner off by a quarter of the defect), drawn 3-4x faster
    than a projective one; the rest get the exact projective map."""
    defect = np.linalg.norm(quads[:, 0] + quads[:, 2] - quads[:, 1] - quads[:, 3], axis=-1)
    quads = _grown(quads, GROW_PX)
    a, b, c, d, e, f, g, h = np.moveaxis(square_to_quad(quads), -1, 0)
    affine = defect <= AFFINE_DEFECT_PX
    ex = (quads[:, 1] - quads[:, 0] + quads[:, 2] - quads[:, 3]) / 2.0  # mean of top and bottom edges
    ey = (quads[:, 3] - quads[:, 0] + quads[:, 2] - quads[:, 1]) / 2.0
    origin = quads.mean(axis=1) - (ex + ey) / 2.0
    a, d = np.where(affine, ex[:, 0], a), np.where(affine, ex[:, 1], d)
    b, e = np.where(affine, ey[:, 0], b), np.where(affine, ey[:, 1], e)
    c, f = np.where(affine, origin[:, 0], c), np.where(affine, origin[:, 1], f)
    g, h = np.where(affine, 0.0, g), np.where(affine, 0.0, h)
    return np.column_stack([a, d, g, b, e, h, c, f, np.ones_like(a)])


def _draw_cells(p: QtGui.QPainter, base: QtGui.QTransform, cells: list, quads: np.ndarray) -> None:
    """Draw every (image, source rect) of `cells` onto its quad of `quads` (K, 4, 2)."""
    if not cells:
        return
    coef = cell_transforms(quads)
    for (image, src), m in zip(cells, coef.tolist()):
        sx, sy, cw, ch = src
        # unit square -> quad, after the source rect -> unit square
        t = QtGui.QTransform(m[0] / cw, m[1] / cw, m[2] / cw, m[3] / ch, m[4] / ch, m[5] / ch,
                             m[6] - m[0] * sx / cw - m[3] * sy / ch, m[7] - m[1] * sx / cw - m[4] * sy / ch,
                             m[8] - m[2] * sx / cw - m[5] * sy / ch)
        p.setTransform(t * base)
        p.drawImage(QtCore.QRectF(sx, sy, cw, ch), image, QtCore.QRectF(sx, sy, cw, ch))
