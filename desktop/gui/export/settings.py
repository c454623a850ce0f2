"""What to export: a pure dataclass shared by the Export dialog and `deconflict export`.

No Qt here, so the CLI can validate its arguments before any QApplication exists and the
dialog can save the settings as plain JSON. Sizes: a page is either exact pixels, or a
paper size and orientation at a dpi; the dpi also sets how big text, pens and symbols are
drawn (everything on the page is sized in points, 1/72 in).
"""
from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from desktop.core.measure_units import MeasureUnits, MeasureUnitsError
from desktop.core.sidc import AMPLIFIERS

FORMATS = ("png", "jpg", "svg", "pdf")
RASTER_FORMATS = ("png", "jpg")
EXTENSIONS = {".png": "png", ".jpg": "jpg", ".jpeg": "jpg", ".svg": "svg", ".pdf": "pdf"}
# Paper sizes in millimetres, portrait (width, height).
PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "Letter": (215.9, 279.4)}
EXTENTS = ("ao", "view")
GRIDS = ("mgrs", "latlon", "none")   # the grid drawn on the map; None: as the map's layers show
WORLD_FILE_FORMATS = RASTER_FORMATS  # a world file places a raster image (.pgw, .jgw)
DPI_RANGE = (72, 600)
PIXEL_RANGE = (200, 20_000)
SCREEN_DPI = 96.0  # the map's pens, symbols and labels are designed in pixels at this dpi
DEFAULT_MARKING = "UNCLASSIFIED // EXERCISE"


class ExportSettingsError(ValueError):
    """Settings that cannot make a page; the message names the field."""


@dataclass
class ExportSettings:
    format: str = "png"
    # Size: exact pixels when width and height are set, else the paper at `dpi`.
    width: int | None = None
    height: int | None = None
    paper: str = "A4"
    landscape: bool = True
    dpi: float | None = 150.0          # None with pixels: chosen from the size (see effective_dpi)
    extent: str = "ao"                  # "ao" or "view"
    view_rect: tuple[float, float, float, float] | None = None  # display x0, y0, x1, y1 for "view"
    # The map's layers as the window shows them: (id, visible, opacity), bottom first
    # (desktop.gui.map.scene.MapScene.layer_state); None: as they start.
    layers: tuple[tuple[str, bool, float], ...] | None = None
    title: str = ""
    subtitle: str = ""
    marking: str = DEFAULT_MARKING
    legend: bool = True
    scale_bar: bool = True
    north_arrow: bool = True
    grid: str | None = None             # "mgrs", "latlon", "none"; None: the grid layers as shown
    graticule_labels: bool = True
    buffer_band: bool = True            # the near-line band, as the map's View › Show buffer band
    # Symbol amplifiers (desktop.core.sidc.AMPLIFIERS), as the map's View › Symbol amplifiers.
    unit_names: bool = True
    movement: bool = True
    speed_leaders: bool = True
    higher_formation: bool = True
    altitude: bool = True
    line_symbol: bool = False           # the line drawn as a 2525 boundary (echelon, sides, effective DTG)
    summary_table: bool = True
    footer: bool = True
    world_file: bool = False            # .pgw/.jgw and .prj beside the image: GIS tools and ATAK place it
    # Units of measure of the scale bar, markup figures and tables (desktop.core.measure_units).
    distance_unit: str = "km"
    bearing: str = "true"
    angle_unit: str = "deg"
    # The date-time group shown; None = the moment the map shows (see `dtg`). Fixed by --dtg.
    timestamp: datetime | None = field(default=None, compare=False)

    # -- size ------------------------------------------------------------------------------
    @property
    def uses_pixels(self) -> bool:
        return self.width is not None or self.height is not None

    @property
    def effective_dpi(self) -> float:
        """Dots per inch of the page. With exact pixels and no dpi, a size larger than full
        HD gets a proportionally higher dpi so the page looks like a full-HD one, only
        sharper (a 4K export is a HiDPI export, not a map with tiny text)."""
        if self.dpi is not None:
            return float(self.dpi)
        if self.uses_pixels and self.width and self.height:
            return SCREEN_DPI * max(1.0, min(self.width / 1920.0, self.height / 1080.0))
        return SCREEN_DPI

    def paper_mm(self) -> tuple[float, float]:
        w, h = PAPERS[self.paper]
        return (h, w) if self.landscape else (w, h)

    def page_pixels(self) -> tuple[int, int]:
        """Page size in device pixels (dots at effective_dpi)."""
        if self.uses_pixels:
            return int(self.width), int(self.height)
        w, h = self.paper_mm()
        dpi = self.effective_dpi
        return int(round(w / 25.4 * dpi)), int(round(h / 25.4 * dpi))

    def page_points(self) -> tuple[float, float]:
        """Page size in points (1/72 in): the PDF MediaBox."""
        w, h = self.page_pixels()
        k = 72.0 / self.effective_dpi
        if not self.uses_pixels:  # exact paper size, not the rounded pixel count
            mw, mh = self.paper_mm()
            return mw / 25.4 * 72.0, mh / 25.4 * 72.0
        return w * k, h * k

    def describe_size(self) -> str:
        w, h = self.page_pixels()
        if self.uses_pixels:
            return f"{w} × {h} px at {self.effective_dpi:g} dpi"
        return (f"{self.paper} {'landscape' if self.landscape else 'portrait'} at "
                f"{self.effective_dpi:g} dpi, {w} × {h} px")

    def export_time(self) -> datetime:
        """When the export is made (the provenance footer): now, or SOURCE_DATE_EPOCH when
        set (the reproducible-builds convention: the same file on every run)."""
        fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        return datetime.fromtimestamp(int(fixed), timezone.utc) if fixed.isdigit() else datetime.now(timezone.utc)

    def dtg(self, shown: datetime | None) -> datetime:
        """The date-time group of the page: `timestamp`, else the moment the map shows
        (`shown`: the time cursor, or the scenario's now), else the export time."""
        t = self.timestamp or shown or self.export_time()
        return t.astimezone(timezone.utc) if t.tzinfo else t.replace(tzinfo=timezone.utc)

    @property
    def measure_units(self) -> MeasureUnits:
        return MeasureUnits(self.distance_unit, self.bearing, self.angle_unit)

    @property
    def amplifiers(self) -> frozenset[str]:
        return frozenset(k for k in AMPLIFIERS if getattr(self, k))

    # -- checks ----------------------------------------------------------------------------
    def validate(self) -> "ExportSettings":
        """Raise ExportSettingsError naming the first bad field; return self."""
        if self.format not in FORMATS:
            raise ExportSettingsError(f"format {self.format!r} is not one of {', '.join(FORMATS)}")
        if self.uses_pixels:
            if self.width is None or self.height is None:
                raise ExportSettingsError("give both a width and a height in pixels")
            lo, hi = PIXEL_RANGE
            for name, v in (("width", self.width), ("height", self.height)):
                if not lo <= int(v) <= hi:
                    raise ExportSettingsError(f"{name} {v} px is outside {lo}..{hi}")
        elif self.paper not in PAPERS:
            raise ExportSettingsError(f"paper {self.paper!r} is not one of {', '.join(PAPERS)}")
        if self.dpi is not None:
            lo, hi = DPI_RANGE
            if not (math.isfinite(self.dpi) and lo <= self.dpi <= hi):
                raise ExportSettingsError(f"dpi {self.dpi:g} is outside {lo}..{hi}")
        if self.extent not in EXTENTS:
            raise ExportSettingsError(f"extent {self.extent!r} is not one of {', '.join(EXTENTS)}")
        if self.extent == "view":
            r = self.view_rect
            if r is None or len(r) != 4 or not all(math.isfinite(v) for v in r) or r[2] <= r[0] or r[3] <= r[1]:
                raise ExportSettingsError("extent 'view' needs the view's rectangle")
        try:
            self.measure_units
        except MeasureUnitsError as exc:
            raise ExportSettingsError(str(exc)) from None
        if self.grid is not None and self.grid not in GRIDS:
            raise ExportSettingsError(f"grid {self.grid!r} is not one of {', '.join(GRIDS)}")
        if self.world_file and self.format not in WORLD_FILE_FORMATS:
            raise ExportSettingsError(f"a world file places a PNG or JPEG image, not {self.format.upper()}")
        w, h = self.page_pixels()
        if w * h > 400_000_000:
            raise ExportSettingsError(f"{w} × {h} px is too large an image")
        return self

    # -- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain data for QSettings/JSON (no timestamp, view rectangle or layers: they are per
        export, from the window)."""
        d = dataclasses.asdict(self)
        for key in ("timestamp", "view_rect", "layers"):
            d.pop(key)
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "ExportSettings":
        """Settings from `to_dict` output; unknown keys are ignored, bad values give defaults."""
        names = {f.name for f in dataclasses.fields(cls)} - {"timestamp", "view_rect", "layers"}
        out = cls(**{k: v for k, v in data.items() if k in names})
        try:
            return out.validate()
        except (ExportSettingsError, TypeError, ValueError):
            return cls()


def format_for_path(path: str | Path, default: str | None = None) -> str:
    """Format from a file name's extension; ExportSettingsError if it has none we write."""
    fmt = EXTENSIONS.get(Path(path).suffix.lower(), default)
    if fmt is None:
        raise ExportSettingsError(f"{Path(path).name}: unknown image type; use .png, .jpg, .svg or .pdf")
    return fmt


def date_time_group(t: datetime) -> str:
    """Military date-time group in UTC, e.g. '141530Z AUG 17'."""
    t = t.astimezone(timezone.utc)
    return f"{t:%d%H%M}Z {t:%b %y}".upper()
