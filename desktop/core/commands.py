"""Undoable commands and the stack that runs them. Every document edit goes through here."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from desktop.core.annotations import Annotation, Annotations
from desktop.core.document import Document
from desktop.core.events import Signal
from desktop.core.line import DeconflictionLine


class Command:
    """One user action. `do` may raise (e.g. LineError) and must then leave no trace."""

    label = ""

    def do(self, doc: Document) -> None:
        raise NotImplementedError

    def undo(self, doc: Document) -> None:
        raise NotImplementedError


@dataclass
class SetLine(Command):
    """Replace the line: vertex moves, inserts and deletes are all this, with a label."""

    before: DeconflictionLine
    after: DeconflictionLine
    label: str = "Edit line"

    def do(self, doc: Document) -> None:
        doc.set_line(self.after)

    def undo(self, doc: Document) -> None:
        doc.set_line(self.before)


@dataclass
class SetBuffer(Command):
    before: float
    after: float

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"Set buffer to {self.after:g} km"

    def do(self, doc: Document) -> None:
        doc.set_buffer_km(self.after)

    def undo(self, doc: Document) -> None:
        doc.set_buffer_km(self.before)


@dataclass
class SetAnnotations(Command):
    """Replace the map markup: adding, editing, moving and deleting items are all this."""

    before: Annotations
    after: Annotations
    label: str = "Edit markup"

    def do(self, doc: Document) -> None:
        doc.set_annotations(self.after)

    def undo(self, doc: Document) -> None:
        doc.set_annotations(self.before)


@dataclass
class SetBasemaps(Command):
    """Change which basemap files the project shows (paths, in the order added); the
    layers' order, visibility and opacity are left as they are."""

    record_kind: ClassVar[str] = "set_basemaps"
    before: tuple[str, ...]
    after: tuple[str, ...]
    label: str = "Change basemaps"

    def do(self, doc: Document) -> None:
        doc.set_map_state(replace(doc.map_state, basemaps=self.after))

    def undo(self, doc: Document) -> None:
        doc.set_map_state(replace(doc.map_state, basemaps=self.before))

    def to_record(self) -> dict:
        return {"before": list(self.before), "after": list(self.after), "label": self.label}

    @classmethod
    def from_record(cls, data: dict) -> "SetBasemaps":
        return cls(tuple(map(str, data["before"])), tuple(map(str, data["after"])), str(data["label"]))


def add_basemap(doc: Document, path) -> SetBasemaps:
    after = doc.map_state.with_basemap(path).basemaps
    return SetBasemaps(doc.map_state.basemaps, after, f"Add basemap {Path(path).name}")


def remove_basemap(doc: Document, path: str) -> SetBasemaps:
    after = doc.map_state.without_basemap(path).basemaps
    return SetBasemaps(doc.map_state.basemaps, after, f"Remove basemap {Path(path).name}")


def add_annotation(doc: Document, annotation: Annotation) -> SetAnnotations:
    return SetAnnotations(doc.annotations, doc.annotations.added(annotation), f"Add {annotation.kind}")


def change_annotation(doc: Document, annotation: Annotation, what: str = "Edit") -> SetAnnotations:
    """`what`: the verb shown in the Edit menu ("Move", "Restyle", ...)."""
    return SetAnnotations(doc.annotations, doc.annotations.replaced(annotation), f"{what} {annotation.kind}")


def delete_annotation(doc: Document, annotation_id: str) -> SetAnnotations:
    kind = doc.annotations.get(annotation_id).kind
    return SetAnnotations(doc.annotations, doc.annotations.removed(annotation_id), f"Delete {kind}")


def move_vertex(doc: Document, index: int, lon: float, lat: float) -> SetLine:
    return SetLine(doc.line, doc.line.moved(index, lon, lat), f"Move vertex {index + 1}")


def insert_vertex(doc: Document, index: int, lon: float, lat: float) -> SetLine:
    return SetLine(doc.line, doc.line.inserted(index, lon, lat), f"Insert vertex {index + 1}")


def delete_vertex(doc: Document, index: int) -> SetLine:
    return SetLine(doc.line, doc.line.deleted(index), f"Delete vertex {index + 1}")


def set_buffer(doc: Document, km: float) -> SetBuffer:
    return SetBuffer(doc.buffer_km, float(km))


class CommandStack:
    """Linear undo history. `changed` fires after every push/undo/redo/jump."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._commands: list[Command] = []
        self._index = 0          # commands[:index] are done
        self._clean_index = 0
        self.changed = Signal()

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(self._commands)

    @property
    def index(self) -> int:
        return self._index

    def push(self, command: Command) -> None:
        """Run the command and record it. On error the document and history are unchanged."""
        command.do(self.doc)
        if self._clean_index > self._index:
            self._clean_index = -1  # the saved state was in the redo history dropped here
        del self._commands[self._index:]
        self._commands.append(command)
        self._index += 1
        self.changed.emit()

    def can_undo(self) -> bool:
        return self._index > 0

    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_label(self) -> str:
        return self._commands[self._index - 1].label if self.can_undo() else ""

    @property
    def redo_label(self) -> str:
        return self._commands[self._index].label if self.can_redo() else ""

    def undo(self) -> None:
        if self.can_undo():
            self._index -= 1
            self._commands[self._index].undo(self.doc)
            self.changed.emit()

    def redo(self) -> None:
        if self.can_redo():
            self._commands[self._index].do(self.doc)
            self._index += 1
            self.changed.emit()

    def set_index(self, index: int) -> None:
        """Undo or redo until `index` commands are done (the history view's click)."""
        index = max(0, min(index, len(self._commands)))
        while self._index > index:
            self._index -= 1
            self._commands[self._index].undo(self.doc)
        while self._index < index:
            self._commands[self._index].do(self.doc)
            self._index += 1
        self.changed.emit()

    def is_clean(self) -> bool:
        return self._index == self._clean_index

    def mark_clean(self) -> None:
        self._clean_index = self._index
        self.changed.emit()
