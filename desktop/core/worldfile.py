"""World files and .prj: placing a raster export on the map in GIS tools and ATAK. Pure.

A world file (ESRI; `.pgw` beside a PNG, `.jgw` beside a JPEG, `.tfw` beside a TIFF) holds
six numbers, one a line: the pixel's width (A), two rotation terms (D, B; always 0 here),
the pixel's height, negative as rows go down (E), and the centre of the top-left pixel
(C, F), in the CRS the `.prj` beside it names in ESRI WKT, as QGIS writes them.

Display coordinates in the app are metres from a false origin (`Projection.origin`), so the
affine is moved back to the CRS's own coordinates before it is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyproj import CRS, Transformer
from pyproj.enums import WktVersion

from desktop.core.atomic import atomic_write
from desktop.core.map_settings import MapSettings

WORLD_FILE_SUFFIX = {".png": ".pgw", ".jpg": ".jgw", ".jpeg": ".jgw", ".tif": ".tfw", ".tiff": ".tfw",
                     ".gif": ".gfw", ".bmp": ".bpw"}


@dataclass(frozen=True)
class PixelAffine:
    """Image pixel (col, row) -> CRS: x = left + col * pixel_x, y = top - row * pixel_y,
    where (col, row) = (0, 0) is the top-left corner of the top-left pixel."""
    left: float
    top: float
    pixel_x: float
    pixel_y: float

    def world_file_lines(self) -> list[str]:
        """A, D, B, E, C, F: C and F name the centre of the top-left pixel."""
        values = (self.pixel_x, 0.0, 0.0, -self.pixel_y, self.left + self.pixel_x / 2, self.top - self.pixel_y / 2)
        return [repr(float(v)) for v in values]


def world_file_path(image_path) -> Path:
    """`map.png` -> `map.pgw`; ValueError for a format without a world-file convention."""
    p = Path(image_path)
    try:
        return p.with_suffix(WORLD_FILE_SUFFIX[p.suffix.lower()])
    except KeyError:
        raise ValueError(f"{p.name}: no world file for {p.suffix or 'a file without extension'} "
                         f"(only {', '.join(sorted(WORLD_FILE_SUFFIX))})") from None


def affine_for(settings: MapSettings) -> PixelAffine:
    """The affine of an image rendered from `settings` (one device pixel = one image
    pixel), in the display CRS's own coordinates (false origin added back)."""
    proj = settings.projection
    ox, oy = Transformer.from_crs("EPSG:4326", proj.crs, always_xy=True).transform(*proj.origin)
    x0, _, _, y1 = settings.extent
    sx, sy = settings.map_units_per_pixel
    return PixelAffine(x0 + ox, y1 + oy, sx, sy)


def esri_wkt(crs: CRS) -> str:
    """The CRS as ESRI WKT on one line (what QGIS writes to a .prj); WKT1 (GDAL) when the
    CRS has no ESRI form."""
    return crs.to_wkt(WktVersion.WKT1_ESRI) or crs.to_wkt(WktVersion.WKT1_GDAL)


def write_world_file(image_path, affine: PixelAffine, crs: CRS) -> tuple[Path, Path]:
    """Write the world file and the .prj beside `image_path`, each atomically. Returns
    their paths. Raises ValueError (unknown image type) or SaveError."""
    world = world_file_path(image_path)
    prj = Path(image_path).with_suffix(".prj")
    text = "\n".join(affine.world_file_lines()) + "\n"
    atomic_write(world, lambda tmp: tmp.write_text(text, encoding="ascii"))
    wkt = esri_wkt(CRS.from_user_input(crs))
    atomic_write(prj, lambda tmp: tmp.write_text(wkt, encoding="utf-8"))
    return world, prj


def write_for_settings(image_path, settings: MapSettings) -> tuple[Path, Path]:
    """World file and .prj for an image rendered from `settings`."""
    return write_world_file(image_path, affine_for(settings), settings.projection.crs)
