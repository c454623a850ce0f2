"""Commands as records: the serialisation protocol of the edit journal.

A command type opts in to journaling in one of two ways:

1. On the class (no import of this module needed):

       @dataclass
       class SetCallNote(Command):
           record_kind: ClassVar[str] = "set_call_note"
           call_id: str
           before: str
           after: str

           def to_record(self) -> dict:
               return {"call_id": self.call_id, "before": self.before, "after": self.after}

           @classmethod
           def from_record(cls, data: dict) -> "SetCallNote":
               return cls(data["call_id"], data["before"], data["after"])

2. From outside the class: `register_command(SetLine, "set_line", to_record, from_record)`.

A record is a dict of JSON values (str, int, float, bool, None, lists, dicts) and numpy
arrays (stored beside the journal, bit for bit). `from_record(to_record(c))` must give a
command whose do/undo have exactly the effect of c's. A command type that does not opt in
still works: the journal then saves a snapshot of the whole document after it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, fields
from typing import Any, Callable

import numpy as np

from desktop.core.annotations import Annotation, Annotations
from desktop.core.commands import Command, SetAnnotations, SetBuffer, SetLine
from desktop.core.line import DeconflictionLine


class UnknownRecord(ValueError):
    """A journal record whose command kind is not registered in this program."""


@dataclass(frozen=True)
class RecordKind:
    name: str
    cls: type
    to_record: Callable[[Any], dict]
    from_record: Callable[[dict], Command]


_BY_CLASS: dict[type, RecordKind] = {}
_BY_NAME: dict[str, RecordKind] = {}


def register_command(cls: type, kind: str, to_record: Callable[[Any], dict],
                     from_record: Callable[[dict], Command]) -> None:
    """Make commands of `cls` journaled as records of `kind`."""
    if kind in _BY_NAME and _BY_NAME[kind].cls is not cls:
        raise ValueError(f"record kind {kind!r} is already used by {_BY_NAME[kind].cls.__name__}")
    entry = RecordKind(kind, cls, to_record, from_record)
    _BY_CLASS[cls] = entry
    _BY_NAME[kind] = entry


def _kind_for(command: Command) -> RecordKind | None:
    entry = _BY_CLASS.get(type(command))
    if entry is not None:
        return entry
    kind = getattr(type(command), "record_kind", None)
    if isinstance(kind, str) and callable(getattr(command, "to_record", None)) \
            and callable(getattr(type(command), "from_record", None)):
        register_command(type(command), kind, type(command).to_record, type(command).from_record)
        return _BY_CLASS[type(command)]
    return None


def record_of(command: Command) -> dict | None:
    """{"kind", "class", "data"} for a journaled command type, None for any other. "class"
    lets a later run find a command class that declares its kind on itself."""
    entry = _kind_for(command)
    if entry is None:
        return None
    cls = type(command)
    return {"kind": entry.name, "class": f"{cls.__module__}:{cls.__qualname__}", "data": entry.to_record(command)}


def command_from(record: dict) -> Command:
    entry = _BY_NAME.get(record.get("kind"))
    if entry is None and isinstance(record.get("class"), str):
        module, _, qualname = record["class"].partition(":")
        try:
            obj = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
            if getattr(obj, "record_kind", None) == record.get("kind"):
                register_command(obj, obj.record_kind, obj.to_record, obj.from_record)
        except (ImportError, AttributeError):
            pass
        entry = _BY_NAME.get(record.get("kind"))
    if entry is None:
        raise UnknownRecord(f"unknown command kind {record.get('kind')!r}")
    return entry.from_record(record["data"])


# -- the built-in commands -----------------------------------------------------------------------
def _annotation_data(a: Annotation) -> dict:
    return {"id": a.id, "kind": a.kind, "points": a.points, "text": a.text, "color": a.color, "width": a.width,
            "radius_km": a.radius_km}


def _annotations(items: list[dict]) -> Annotations:
    return Annotations(Annotation(d["id"], d["kind"], d["points"], d["text"], d["color"], d["width"],
                                  d["radius_km"]) for d in items)


register_command(SetLine, "set_line",
                 lambda c: {"before": c.before.vertices, "after": c.after.vertices, "label": c.label},
                 lambda d: SetLine(DeconflictionLine(d["before"]), DeconflictionLine(d["after"]), d["label"]))
register_command(SetBuffer, "set_buffer", lambda c: {"before": c.before, "after": c.after},
                 lambda d: SetBuffer(float(d["before"]), float(d["after"])))
register_command(SetAnnotations, "set_annotations",
                 lambda c: {"before": [_annotation_data(a) for a in c.before],
                            "after": [_annotation_data(a) for a in c.after], "label": c.label},
                 lambda d: SetAnnotations(_annotations(d["before"]), _annotations(d["after"]), d["label"]))


def _register_history() -> None:
    """Hotline-call and line-revision edits (desktop.core.history_commands)."""
    from desktop.core.history_commands import ChangeCalls, ChangeRevisions
    from desktop.core.revisions import LineRevision

    def revision(r: LineRevision) -> dict:
        return {"id": r.id, "line": r.line.vertices, "effective": int(r.effective), "state": r.state,
                "note": r.note, "call_id": r.call_id}

    def revisions(items: list[dict]) -> tuple[LineRevision, ...]:
        return tuple(LineRevision(d["id"], DeconflictionLine(d["line"]), int(d["effective"]), d["state"], d["note"],
                                  d["call_id"]) for d in items)

    # Call records are CallLog.record() dicts: JSON already.
    register_command(ChangeCalls, "change_calls",
                     lambda c: {"removed": list(c.removed), "added": list(c.added), "label": c.label},
                     lambda d: ChangeCalls(tuple(d["removed"]), tuple(d["added"]), d["label"]))
    register_command(ChangeRevisions, "change_revisions",
                     lambda c: {"before": [revision(r) for r in c.before], "after": [revision(r) for r in c.after],
                                "label": c.label},
                     lambda d: ChangeRevisions(revisions(d["before"]), revisions(d["after"]), d["label"]))


def _register_import() -> None:
    from desktop.core.importers.apply import ImportData, Scenario
    from desktop.core.sectors import AreaOfOperations
    from desktop.core.tracks import Tracks
    from desktop.core.units import AIR_COLUMNS, UnitTable

    def scenario(s: Scenario) -> dict:
        return {"ao_ring": s.ao.ring, "ao_name": s.ao.name, "line": s.line.vertices,
                "units": {f.name: getattr(s.units, f.name) for f in fields(UnitTable)},
                "tracks": {"unit": s.tracks.unit, "time": s.tracks.time, "lon": s.tracks.lon, "lat": s.tracks.lat,
                           "n_units": s.tracks.n_units,
                           **{k: getattr(s.tracks, k) for k in AIR_COLUMNS if getattr(s.tracks, k) is not None}}}

    def back(d: dict) -> Scenario:
        t = d["tracks"]
        return Scenario(AreaOfOperations(d["ao_ring"], d["ao_name"]), DeconflictionLine(d["line"]),
                        UnitTable(**d["units"]),
                        Tracks(np.asarray(t["unit"], dtype=np.int32), np.asarray(t["time"], dtype=np.int64),
                               np.asarray(t["lon"], dtype=float), np.asarray(t["lat"], dtype=float), t["n_units"],
                               **{k: np.asarray(t[k], dtype=float) for k in AIR_COLUMNS if k in t}))

    register_command(ImportData, "import",
                     lambda c: {"before": scenario(c.before), "after": scenario(c.after), "label": c.label},
                     lambda d: ImportData(back(d["before"]), back(d["after"]), d["label"]))


_register_history()
_register_import()
