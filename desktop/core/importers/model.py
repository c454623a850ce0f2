"""What an importer returns, and the file-reading guards every importer shares.

An importer reads one file into `ImportedData`: any of an AO, a line, units and unit
tracks, plus `skipped` (what was left out and why, each naming the file and the row or
feature) and `found` (a one-line summary per part). It never touches a document: applying
the data is one undoable command (desktop.core.importers.apply).
"""
from __future__ import annotations

import codecs
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from desktop.core.inputs import InputError, read_problem
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.units import UnitTable
from desktop.core.wording import plural

MiB = 1 << 20
MAX_TEXT_BYTES = 512 * MiB     # GeoJSON, KML, GPX: parsed whole, so bounded
MAX_TABLE_BYTES = 1024 * MiB   # CSV: ~17M rows
MAX_ARCHIVE_MEMBER = 512 * MiB  # a KMZ's document, uncompressed
MAX_INFLATION = 200  # uncompressed/compressed beyond this (past the first 16 MB) is a zip bomb, not text
_INFLATION_FREE = 16 * MiB


@dataclass(frozen=True, eq=False)
class TrackReports:
    """Position reports keyed by unit id (not yet by row of a unit table). `names`: a
    display name per distinct id when the file gives one (GPX/KML track names)."""

    unit_ids: np.ndarray   # object, one per report
    time: np.ndarray       # int64 epoch seconds
    lon: np.ndarray
    lat: np.ndarray
    names: dict[str, str] = field(default_factory=dict)
    # Aircraft state per report (AIR_COLUMNS: alt_ft, course_deg, speed_kt), NaN where a
    # report does not say; a column no report gives is left out.
    air: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.time)

    @classmethod
    def concat(cls, parts: list["TrackReports"]) -> "TrackReports | None":
        parts = [p for p in parts if len(p)]
        if not parts:
            return None
        names: dict[str, str] = {}
        for p in parts:
            names.update(p.names)
        given = sorted({k for p in parts for k in p.air})
        air = {k: np.concatenate([p.air.get(k, np.full(len(p), np.nan)) for p in parts]) for k in given}
        return cls(np.concatenate([p.unit_ids for p in parts]), np.concatenate([p.time for p in parts]),
                   np.concatenate([p.lon for p in parts]), np.concatenate([p.lat for p in parts]), names, air)


@dataclass(eq=False)
class ImportedData:
    source: str
    ao: AreaOfOperations | None = None
    line: DeconflictionLine | None = None
    units: UnitTable | None = None
    tracks: TrackReports | None = None
    skipped: list[str] = field(default_factory=list)
    _id_keys: tuple[UnitTable, np.ndarray] | None = field(default=None, init=False, repr=False)

    def keep_id_keys(self, id_keys: np.ndarray) -> None:
        """Keep text_columns.keys(units.ids), made by the reader's duplicate check, for the
        merge into a document (a million ids hashed once, not twice)."""
        self._id_keys = (self.units, id_keys)

    def id_keys(self) -> np.ndarray | None:
        """The kept keys, while `units` is still the table they were made for."""
        return self._id_keys[1] if self._id_keys is not None and self._id_keys[0] is self.units else None

    def is_empty(self) -> bool:
        return self.ao is None and self.line is None and not self.units and not self.tracks

    def found(self) -> list[str]:
        out = []
        if self.ao is not None:
            out.append(f"AO '{self.ao.name}' ({len(self.ao.ring)} vertices)")
        if self.line is not None:
            out.append(f"line of {len(self.line)} vertices")
        if self.units:
            out.append(plural(len(self.units), "unit"))
        if self.tracks:
            out.append(f"{plural(len(self.tracks), 'track report')} of "
                       f"{plural(len(set(self.tracks.unit_ids.tolist())), 'unit')}")
        return out

    def require_something(self) -> "ImportedData":
        """Raise InputError (naming the file and the first reason) when nothing is usable."""
        if self.is_empty():
            first = self.skipped[0].removeprefix(f"{self.source}: ") if self.skipped else ""
            more = f" (and {len(self.skipped) - 1} more)" if len(self.skipped) > 1 else ""
            raise InputError(f"{self.source}: nothing to import" + (f": {first}{more}" if first else ""))
        return self


class NeedsMapping(InputError):
    """A table whose columns cannot be matched automatically: the GUI asks the user
    (column-mapping dialog); the CLI reports what is missing."""

    def __init__(self, message: str, header: list[str], sample: list[list[str]], guess: "ColumnMapping") -> None:
        super().__init__(message)
        self.header, self.sample, self.guess = header, sample, guess


ROLES = ("units", "tracks", "line", "ao")


@dataclass
class ColumnMapping:
    """Which column (index into the header) gives which field; `role` is what the rows
    are: unit positions, track reports, or the vertices of the line or of the AO."""

    role: str | None = None
    columns: dict[str, int] = field(default_factory=dict)


def check_size(path, limit: int) -> tuple[str, int]:
    """(name, size) of a readable regular file no bigger than `limit`; InputError otherwise.
    Nothing is read, so a huge file is refused at once."""
    name = os.fspath(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(read_problem(name, exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(read_problem(name, IsADirectoryError()))
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the reader forever, a device never end
        raise InputError(f"{name}: not a regular file (a pipe, socket or device)")
    size = st.st_size
    if size == 0:
        raise InputError(f"{name}: empty file")
    if size > limit:
        raise InputError(f"{name}: {size / MiB:,.0f} MB is more than this format's limit of {limit / MiB:,.0f} MB; "
                         "split the file")
    return name, size


def read_limited(path, limit: int) -> tuple[str, bytes]:
    name, _ = check_size(path, limit)
    try:
        return name, Path(path).read_bytes()
    except OSError as exc:
        raise InputError(read_problem(name, exc)) from None


def read_zip_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str,
                    limit: int = MAX_ARCHIVE_MEMBER) -> bytes:
    """A member of a zip, inflated as a stream under a byte cap. The sizes the archive
    declares are not trusted (a 9 KB KMZ whose directory lied held 12 GB): only stored and
    deflated members are read (no bzip2, LZMA, encryption), and reading stops at `limit`
    bytes or when the data inflates more than MAX_INFLATION times. InputError naming
    `name` and the member otherwise."""
    where = f"{name}: {member.filename}"
    if member.flag_bits & 0x1:
        raise InputError(f"{where} is encrypted")
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(f"{where} is compressed with method {member.compress_type}; only stored and "
                         "deflated members are read")
    if member.file_size > limit:  # declared too big: never inflate it
        raise InputError(f"{where} would unpack to {member.file_size >> 20:,} MB; the limit is {limit >> 20:,} MB")
    parts, size = [], 0
    with archive.open(member) as f:
        while chunk := f.read(1 * MiB):
            size += len(chunk)
            if size > limit:
                raise InputError(f"{where} unpacks to more than the limit of {limit >> 20:,} MB (the size the "
                                 "archive declares is false)")
            if size > _INFLATION_FREE and size > MAX_INFLATION * max(member.compress_size, 1):
                raise InputError(f"{where} unpacks more than {MAX_INFLATION} times its packed size: a zip bomb, "
                                 "not a document")
            parts.append(chunk)
    return b"".join(parts)


def decode(name: str, data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM) or UTF-16 with a BOM (spreadsheets'
    "Unicode text"). Anything else fails naming the line of the first bad byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: damaged UTF-16 text") from None
    if b"\0" in data[:4096]:
        raise InputError(f"{name}: not a text file (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{name}:{line}: not UTF-8 text (byte {exc.start}: 0x{data[exc.start]:02x}); "
                         "save the file as UTF-8") from None
