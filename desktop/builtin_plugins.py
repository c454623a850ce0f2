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

CALLS_COMMAND = Plugin(
    name="calls_command",
    description="`deconflict calls`: the hotline-call log as CSV or JSON, by time window or unit",
    contributions=(Contribution("cli_command", "calls", "Hotline calls", "desktop.cli_calls:add_command"),),
)
DIFF_COMMAND = Plugin(
    name="diff_command",
    description="`deconflict diff`: units that change sector between two line revisions",
    contributions=(Contribution("cli_command", "diff", "Revision diff", "desktop.cli_diff:add_command"),),
)
EXPORT_COMMAND = Plugin(
    name="export_command",
    description="`deconflict export`: the briefing map as PNG, JPEG, SVG or PDF, headless",
    contributions=(Contribution("cli_command", "export", "Export map", "desktop.cli_export:add_command"),),
)
PROJECT_COMMANDS = Plugin(
    name="project_commands",
    description="`deconflict new` and `deconflict export-data`: project files and layer exports",
    contributions=(Contribution("cli_command", "new", "New project", "desktop.cli_project:add_new_command"),
                   Contribution("cli_command", "export-data", "Export data",
                                "desktop.cli_project:add_export_data_command")),
)

BUILTIN_PLUGINS = (SECTORS_PANEL, LINE_EDIT_TOOL, UNDO_HISTORY, SECTORS_COMMAND, CALLS_COMMAND, DIFF_COMMAND,
                   EXPORT_COMMAND, PROJECT_COMMANDS)
