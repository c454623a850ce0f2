"""The project document: AO, line, units, sides and the analysis derived from them.

Views observe the signals; nothing outside `desktop.core.commands` should call the
setters, so that every edit is an undoable command.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from desktop.core.air.acm import Airspace
from desktop.core.alert_log import AlertLog
from desktop.core.annotations import Annotations
from desktop.core.calls import CallLog
from desktop.core.classify import DEFAULT_BUFFER_KM, Classification, Classifier, owner_codes, reclassify_rows
from desktop.core.events import Signal
from desktop.core.geodesy import Projection
from desktop.core.line import DeconflictionLine
from desktop.core.map_state import MapState
from desktop.core.revisions import RevisionLog
from desktop.core.sectors import AreaOfOperations, SectorResult, compute_sectors
from desktop.core.time_view import TimeView
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable


@dataclass(frozen=True)
class Place:
    """A named reference point of the scenario (drawn and labelled on the map)."""

    name: str
    lon: float
    lat: float


@dataclass(frozen=True, eq=False)
class Analysis:
    """Sectors and unit classification for one line."""

    line: DeconflictionLine
    sectors: SectorResult
    classification: Classification

    def counts(self) -> np.ndarray:
        return self.classification.counts(len(self.sectors.sectors))


@dataclass(frozen=True, eq=False)
class LiveUpdate:
    """What `Document.update_live` changed: units added at the end of the table, the rows
    that moved (None: any), the time of the earliest new report (None: unknown)."""

    added: int
    moved: np.ndarray | None
    earliest: int | None


class Document:
    """Observable scenario. `sides` = (owner left of the line, owner right of the line).

    `calls` (hotline log), `tracks` (position reports, indexed like `units`), `revisions`
    (line versions over time), `annotations` (map markup), `airspace` (ACMs, desktop.core.air),
    `alerts` (the alert history, desktop.core.alert_log) and `map_state` (basemap files and
    how the map layers are shown) default to empty; `line` is the line being edited, whatever
    revision is in force (desktop.core.revisions answers questions in time)."""

    def __init__(self, ao: AreaOfOperations, line: DeconflictionLine, units: UnitTable,
                 sides: tuple[str, str], *, buffer_km: float = DEFAULT_BUFFER_KM,
                 title: str = "Untitled", places: tuple[Place, ...] = (), calls: CallLog | None = None,
                 tracks: Tracks | None = None, revisions: RevisionLog | None = None,
                 annotations: Annotations | None = None, airspace: Airspace | None = None,
                 alerts: AlertLog | None = None, map_state: MapState | None = None) -> None:
        self.ao = ao
        self.sides = sides
        self.title = title
        self.places = places
        self.calls = calls if calls is not None else CallLog.empty()
        self.tracks = tracks if tracks is not None else Tracks.empty(len(units))
        self.revisions = revisions if revisions is not None else RevisionLog()
        self.alerts = alerts if alerts is not None else AlertLog()
        self._line = line
        self._preview: DeconflictionLine | None = None
        self._units = units
        self._buffer_km = float(buffer_km)
        self._analysis: Analysis | None = None
        self._annotations = annotations if annotations is not None else Annotations()
        self._airspace = airspace if airspace is not None else Airspace()
        self._map_state = map_state if map_state is not None else MapState()
        self.line_changed = Signal()      # (line shown: DeconflictionLine, preview: bool)
        self.analysis_changed = Signal()  # (Analysis)
        self.units_changed = Signal()     # ()
        self.buffer_changed = Signal()    # (km)
        self.annotations_changed = Signal()  # (Annotations)
        self.calls_changed = Signal()      # (CallLog)
        self.revisions_changed = Signal()  # (RevisionLog)
        self._time_view: TimeView | None = None
        self.time_view_changed = Signal()  # (TimeView | None)
        self.positions_changed = Signal()  # (): the shown units moved (same table; the time view)
        self.ao_changed = Signal()        # (AreaOfOperations)
        self.tracks_changed = Signal()    # (Tracks)
        self.airspace_changed = Signal()  # (Airspace)
        self.live_updated = Signal()      # (LiveUpdate): live reports moved units (update_live); views
                                          # of positions follow it at their own pace (many a second)
        self.map_state_changed = Signal()  # (MapState)

    # -- state ---------------------------------------------------------------------------
    @cached_property
    def analysis_projection(self) -> Projection:
        return Projection.analysis_for(*self.ao.centre)

    @property
    def line(self) -> DeconflictionLine:
        """The committed line (what undo/redo and saving see)."""
        return self._line

    @property
    def shown_line(self) -> DeconflictionLine:
        """The line on screen: the drag preview if one is in progress, else the line of the
        time view (the revision in force at a past time), else the line."""
        if self._preview is not None:
            return self._preview
        return self._time_view.line if self._time_view is not None else self._line

    @property
    def time_view(self) -> TimeView | None:
        """The past moment shown instead of the live state (desktop.core.time_cursor), or None."""
        return self._time_view

    @property
    def shown_units(self) -> UnitTable:
        """The units on screen and in the analysis: at the time view's time, else the table
        (`units`, what undo and saving see)."""
        return self._time_view.units if self._time_view is not None else self._units

    @property
    def units(self) -> UnitTable:
        return self._units

    @property
    def buffer_km(self) -> float:
        return self._buffer_km

    @property
    def annotations(self) -> Annotations:
        """Map markup (desktop.core.annotations), in drawing order."""
        return self._annotations

    @property
    def airspace(self) -> Airspace:
        """Airspace coordination measures (desktop.core.air.acm), in drawing order."""
        return self._airspace

    @property
    def map_state(self) -> MapState:
        """The project's basemap files and how its map layers are shown (desktop.core.map_state)."""
        return self._map_state

    @property
    def units_xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Shown units in the analysis plane. Not kept: the classifier's grid holds them
        (sorted by cell), and a second copy was 16 MB at a million units."""
        units = self.shown_units
        return self.analysis_projection.forward(units.lon, units.lat)

    @cached_property
    def unit_side_codes(self) -> np.ndarray:
        return self._units.side_codes(self.sides)

    @cached_property
    def _classifier(self) -> Classifier:
        """Grid index over the units (built once per unit table; ~25 ms at 1M units)."""
        x, y = self.units_xy
        proj = self.analysis_projection
        return Classifier(x, y, self.unit_side_codes, proj, self.ao.polygon(proj).bounds)

    @property
    def analysis(self) -> Analysis:
        """Analysis of the shown line. A drag step (set_preview) derives it incrementally
        from the previous one: a few ms at 1M units; distances are computed on first read."""
        line, current = self.shown_line, self._analysis
        if current is None or current.line is not line:
            if current is not None and current.line == line:  # e.g. the drag's end committed
                self._analysis = Analysis(line, current.sectors, current.classification)
            else:
                self._analysis = self._analyse(line)
        return self._analysis

    def analyse(self, line: DeconflictionLine) -> Analysis:
        """Analysis of any candidate line, without changing the document."""
        return self._analyse(line)

    def validate_line(self, line: DeconflictionLine) -> None:
        line.validate(self.analysis_projection)

    # -- mutation (commands and previews only) --------------------------------------------
    def set_line(self, line: DeconflictionLine) -> None:
        self.validate_line(line)
        self._line = line
        self._preview = None
        self._announce_line(preview=False)

    def set_preview(self, line: DeconflictionLine | None) -> None:
        """Show a transient line (a drag in progress) without touching the document."""
        self._preview = line
        self._announce_line(preview=line is not None)

    def set_units(self, units: UnitTable) -> None:
        self._units = units
        for key in ("unit_side_codes", "_classifier"):
            self.__dict__.pop(key, None)
        self._analysis = None
        self._drop_time_view()
        self.units_changed.emit()
        self.analysis_changed.emit(self.analysis)

    def set_buffer_km(self, km: float) -> None:
        if not km > 0:
            raise ValueError("the buffer must be a positive number of km")
        self._buffer_km = float(km)
        current = self._analysis
        if current is not None:
            self._analysis = Analysis(current.line, current.sectors,
                                      self._classifier.rebuffer(current.classification, self._buffer_km))
        self.buffer_changed.emit(self._buffer_km)
        self.analysis_changed.emit(self.analysis)

    def set_annotations(self, annotations: Annotations) -> None:
        self._annotations = annotations
        self.annotations_changed.emit(annotations)

    def set_airspace(self, airspace: Airspace) -> None:
        self._airspace = airspace
        self.airspace_changed.emit(airspace)

    def set_map_state(self, state: MapState) -> None:
        """Basemaps added or removed go through a command (desktop.core.commands); the layers'
        order, visibility and opacity are view state the window keeps here for saving."""
        self._map_state = state
        self.map_state_changed.emit(state)

    def set_calls(self, calls: CallLog) -> None:
        self.calls = calls
        self.calls_changed.emit(calls)

    def set_revisions(self, revisions: RevisionLog) -> None:
        self.revisions = revisions
        self.revisions_changed.emit(revisions)

    def set_time_view(self, view: TimeView | None) -> None:
        """Show the units and line of a past moment (None: back to the live state). A view
        state, not an edit: no command, nothing saved; `units` and `line` stay as they are."""
        previous = self._analysis
        self._time_view = view
        self._preview = None
        self.__dict__.pop("_classifier", None)
        self._analysis = None
        line = self.shown_line
        if previous is not None and previous.line is line:  # scrubbing within one revision
            self._analysis = Analysis(line, previous.sectors, self._classifier.classify(
                previous.sectors, owner_codes(previous.sectors, self.sides), self._buffer_km))
        self.time_view_changed.emit(view)
        self.positions_changed.emit()
        self._announce_line(preview=False)

    def set_scenario(self, ao: AreaOfOperations, line: DeconflictionLine, units: UnitTable, tracks: Tracks) -> None:
        """Replace the AO, the line, the units and their tracks at once (an import): every
        view is told once, after all four agree."""
        line.validate(Projection.analysis_for(*ao.centre))
        if tracks.n_units != len(units):
            raise ValueError(f"the tracks are for {tracks.n_units} units, the table has {len(units)}")
        new_ao = ao is not self.ao
        self.ao, self._line, self._preview, self._units, self.tracks = ao, line, None, units, tracks
        for key in ("analysis_projection", "unit_side_codes", "_classifier"):
            self.__dict__.pop(key, None)
        self._analysis = None
        self._drop_time_view()
        if new_ao:
            self.ao_changed.emit(ao)
        self.tracks_changed.emit(tracks)
        self.units_changed.emit()
        self._announce_line(preview=False)

    def update_live(self, units: UnitTable, tracks: Tracks, moved: np.ndarray | None = None,
                    earliest: int | None = None) -> None:
        """Live reports written in (desktop.core.feed.live): `units` is the table with the
        live positions (rows may be added at the end; none removed or reordered), `tracks`
        the tracks with the new reports, `moved` the rows whose position changed (None: any
        may have), `earliest` the time of the earliest new report. Not an edit (no command).

        Lighter than `set_scenario`, and called a few times a second while a feed runs: the
        line is not validated nor announced again, a time view stays (the time cursor
        re-applies it when the new reports reach back to its time: `live_updated` is emitted
        first), and when only positions changed, only the moved units are classified again.
        Moved units are announced by `live_updated`, not `positions_changed` (which a scrub of
        the time cursor emits for every unit), so a view may follow them less often."""
        if tracks.n_units != len(units):
            raise ValueError(f"the tracks are for {tracks.n_units} units, the table has {len(units)}")
        added = len(units) - len(self._units)
        if added < 0:
            raise ValueError("a live update only adds units")
        self._units, self.tracks = units, tracks
        self.__dict__.pop("_classifier", None)   # indexed the old positions; rebuilt when a drag needs it
        whole = added > 0 or moved is None
        if whole:
            self.__dict__.pop("unit_side_codes", None)
        if self._time_view is None:
            if whole:
                self.__dict__.pop("units_xy", None)
                self._analysis = None
            else:
                self._move_rows(np.asarray(moved, dtype=np.intp))
        self.live_updated.emit(LiveUpdate(added, None if moved is None else np.asarray(moved), earliest))
        self.tracks_changed.emit(tracks)
        if added:
            self.units_changed.emit()
        if self._time_view is None:
            self.analysis_changed.emit(self.analysis)

    # -- internals -----------------------------------------------------------------------
    def _move_rows(self, rows: np.ndarray) -> None:
        """Units `rows` of the table moved: their plane positions and classification follow,
        point by point; the rest is kept."""
        units = self._units
        x, y = self.analysis_projection.forward(units.lon[rows], units.lat[rows])
        if "units_xy" in self.__dict__:
            ux, uy = (np.array(a, dtype=float) for a in self.__dict__["units_xy"])
            ux[rows], uy[rows] = x, y
            self.__dict__["units_xy"] = (ux, uy)
        current = self._analysis
        if current is None or current.line is not self.shown_line:
            self._analysis = None
            return
        cls = reclassify_rows(current.classification, rows, np.atleast_1d(x), np.atleast_1d(y),
                              self.unit_side_codes[rows], self.analysis_projection)
        self._analysis = Analysis(current.line, current.sectors, cls)

    def _drop_time_view(self) -> None:
        """Forget the past shown: its positions belong to units just replaced. Called once
        the caches are cleared, as the time cursor answers by showing the new units at its
        time at once."""
        if self._time_view is not None:
            self._time_view = None
            self.time_view_changed.emit(None)

    def _announce_line(self, preview: bool) -> None:
        self.line_changed.emit(self.shown_line, preview)
        self.analysis_changed.emit(self.analysis)

    def _analyse(self, line: DeconflictionLine) -> Analysis:
        """Sectors and classification for `line`; incremental from the current analysis
        when there is one (the classifier falls back to a full pass when that does not pay)."""
        sectors = compute_sectors(self.ao, line, self.sides, self.analysis_projection)
        owners = owner_codes(sectors, self.sides)
        base = self._analysis
        if base is None:
            cls = self._classifier.classify(sectors, owners, self._buffer_km)
        else:
            cls = self._classifier.update(base.classification, sectors, owners, self._buffer_km)
        return Analysis(line, sectors, cls)
