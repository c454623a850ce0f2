"""What every layer reader of a project file shares: the raw tables as read, the error
that names the file, layer and feature, and checked access to a layer's columns and
geometries."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import shapely

from desktop.core.inputs import InputError
from desktop.core.project import schema
from desktop.core.project.gpkg import parse_geometries, points_from_blobs


class ProjectError(InputError):
    """A project file that cannot be opened; the message names the file, layer and feature."""


@dataclass
class RawProject:
    """A project's tables as read: `layers[name][column]` lists in feature order (geometry
    blobs under "geom"), and the metadata as text. Only the layers and columns the schema
    knows are read (schema.read_columns)."""

    name: str
    version: int
    meta: dict[str, str]
    layers: dict[str, dict[str, list]] = field(default_factory=dict)


@contextmanager
def layer_columns(raw: RawProject, layer: str) -> Iterator[dict[str, list]]:
    """The layer's columns; any error inside names the file and layer."""
    if layer not in raw.layers:
        raise ProjectError(f"{raw.name}: layer {layer!r} is missing (not a complete Deconflict project)")
    cols = raw.layers[layer]
    optional = schema.OPTIONAL_COLUMNS.get(layer, ())
    missing = [c for c in schema.read_columns(layer) if c not in cols and c not in optional]
    if missing:
        raise ProjectError(f"{raw.name}: layer {layer!r} has no column {missing[0]!r}")
    try:
        yield cols
    except ProjectError:
        raise
    except (ValueError, TypeError, KeyError, shapely.errors.ShapelyError) as exc:
        raise ProjectError(f"{raw.name}: layer {layer!r}: {exc}") from None


def layer_geometries(cols: dict[str, list], kinds: tuple[str, ...]) -> np.ndarray:
    """The layer's geometries, each one of `kinds` in WGS 84 (ValueError naming the feature)."""
    geoms, srs = parse_geometries(cols["geom"], "")  # the caller's layer_columns names the file and layer
    for i, (g, s) in enumerate(zip(geoms.tolist(), srs.tolist())):
        if g is None or g.is_empty:
            raise ValueError(f"feature {i + 1}: no geometry")
        if g.geom_type not in kinds:
            raise ValueError(f"feature {i + 1}: {g.geom_type} where {' or '.join(kinds)} was expected")
        if s != 4326:
            raise ValueError(f"feature {i + 1}: coordinates in SRS {s}, expected EPSG:4326 (WGS 84)")
    return geoms


def check_lonlat(xy: np.ndarray, what: str) -> None:
    """ValueError naming `what` unless every vertex is a finite longitude/latitude."""
    if not np.all(np.isfinite(xy)):
        raise ValueError(f"{what}: a coordinate is not a finite number")
    if np.any(np.abs(xy[:, 0]) > 180) or np.any(np.abs(xy[:, 1]) > 90):
        raise ValueError(f"{what}: a vertex lies outside -180..180 longitude / -90..90 latitude")


def point_lonlat(cols: dict[str, list], layer: str) -> tuple[np.ndarray, np.ndarray]:
    """A point layer's positions (NaN for an empty point)."""
    fast = points_from_blobs(cols["geom"], layer)
    if fast is not None:
        return fast
    geoms = layer_geometries(cols, ("Point",))
    return shapely.get_x(geoms), shapely.get_y(geoms)
