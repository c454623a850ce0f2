"""Undoable edits of the airspace: adding, editing and deleting ACMs are all `SetAirspace`,
like the map markup's `SetAnnotations` (desktop.core.commands). The crash journal records it
as the ACM table's rows, so an edit survives a crash like any other."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from desktop.core.air.acm import ACM, Airspace
from desktop.core.commands import Command
from desktop.core.document import Document


@dataclass
class SetAirspace(Command):
    """Replace the document's ACMs."""

    before: Airspace
    after: Airspace
    label: str = "Edit airspace"
    record_kind: ClassVar[str] = "set_airspace"

    def do(self, doc: Document) -> None:
        doc.set_airspace(self.after)

    def undo(self, doc: Document) -> None:
        doc.set_airspace(self.before)

    def to_record(self) -> dict:
        return {"before": self.before.records(), "after": self.after.records(), "label": self.label}

    @classmethod
    def from_record(cls, data: dict) -> "SetAirspace":
        return cls(Airspace.from_records(data["before"]), Airspace.from_records(data["after"]), data["label"])


def add_acm(doc: Document, acm: ACM) -> SetAirspace:
    """Raises AcmError when the id is taken."""
    return SetAirspace(doc.airspace, doc.airspace.added(acm), f"Add {acm.kind} {acm.name or acm.id}")


def edit_acm(doc: Document, acm: ACM, old_id: str | None = None, what: str = "Edit") -> SetAirspace:
    """Replace the ACM `old_id` (default: acm.id; give it when the edit renames). `what`: the
    verb shown in the Edit menu ("Move", "Reshape", ...)."""
    return SetAirspace(doc.airspace, doc.airspace.replaced(acm, old_id), f"{what} {acm.kind} {acm.name or acm.id}")


def delete_acm(doc: Document, acm_id: str) -> SetAirspace:
    acm = doc.airspace.get(acm_id)
    return SetAirspace(doc.airspace, doc.airspace.removed(acm_id), f"Delete {acm.kind} {acm.name or acm.id}")


def import_airspace(doc: Document, airspace: Airspace, source: str) -> SetAirspace:
    """Add the ACMs of `airspace`; one whose id is already in the document replaces it."""
    incoming = {a.id: a for a in airspace}
    kept = [incoming.pop(a.id, a) for a in doc.airspace]
    return SetAirspace(doc.airspace, Airspace(kept + list(incoming.values())),
                       f"Import {len(airspace)} ACMs from {source}")
