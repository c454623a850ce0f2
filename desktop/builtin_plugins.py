"""The built-in plugins. They use exactly the API a third party would (desktop.core.plugins);
pyproject.toml publishes them as entry points and BUILTIN_PLUGINS keeps them reachable in a
frozen executable that lost its metadata."""
from desktop.core.plugins import Contribution, Plugin

SECTORS_PANEL = Plugin(
    name="sectors_panel",
    description="Sectors side panel: units per sector, distances, near-line and wrong-side flags",
    contributions=(Contribution("panel", "sectors", "Sectors", "desktop.gui.sectors_panel:SectorsPanel",
                                {"area": "right"}),),
)
LINE_EDIT_TOOL = Plugin(
    name="line_edit_tool",
    description="Edit the deconfliction line by mouse",
    contributions=(Contribution("tool", "line_edit", "Edit line", "desktop.gui.line_tool:LineEditTool",
                                {"shortcut": "E"}),),
)
UNDO_HISTORY = Plugin(
    name="undo_history",
    description="Undo history panel",
    contributions=(Contribution("panel", "undo_history", "History", "desktop.gui.history_panel:HistoryPanel",
                                {"area": "right", "tabify": "sectors"}),),
)

SECTORS_COMMAND = Plugin(
    name="sectors_command",
    description="`deconflict sectors`: sectors and unit classification as JSON, CSV or GeoJSON",
    contributions=(Contribution("cli_command", "sectors", "Sectors report", "desktop.cli_sectors:add_command"),),
)

BUILTIN_PLUGINS = (SECTORS_PANEL, LINE_EDIT_TOOL, UNDO_HISTORY, SECTORS_COMMAND)
