"""What a GUI plugin receives: the document, its command stack, the selection and views."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from desktop.core.commands import Command, CommandStack
from desktop.core.document import Document
from desktop.core.line import LineError
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.core.time_cursor import TimeCursor
from desktop.gui.preferences import Preferences

if TYPE_CHECKING:
    from desktop.gui.map.view import MapView


@dataclass
class AppContext:
    document: Document
    stack: CommandStack
    selection: Selection
    registry: PluginRegistry
    map_view: "MapView | None" = None
    status: Callable[[str], None] = field(default=lambda message: None)
    # The one time cursor of the views (desktop.core.time_cursor); made for the document if not given.
    time_cursor: TimeCursor | None = None
    # The user's preferences (units of measure, night mode, dialog folders); in memory if not given.
    preferences: Preferences | None = None
    # Objects the window's plugins share, made by the first that needs one (the live feed:
    # desktop.gui.feed.controller.live_feed); each has close(), called when the window closes.
    services: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.time_cursor is None:
            self.time_cursor = TimeCursor(self.document)
        if self.preferences is None:
            self.preferences = Preferences()

    def push(self, command: Command) -> bool:
        """Run an edit as an undoable command; a refused edit is reported, not raised."""
        try:
            self.stack.push(command)
        except (LineError, ValueError) as exc:
            self.status(f"{command.label} refused: {exc}")
            return False
        return True
